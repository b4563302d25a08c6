"""Web pages for decks, cards, imports and the public gallery (thin class-based views).

Reads go through selectors, writes through services; a deck someone may not edit is a
404 (its existence stays private too), never a 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Q, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.urls import reverse_lazy
from django.views import View
from django.views.generic import (
    CreateView,
    DeleteView,
    DetailView,
    FormView,
    ListView,
    UpdateView,
)
from django.views.generic.detail import SingleObjectMixin

from recall.core.downloads import attachment_response
from recall.core.exceptions import ApplicationError
from recall.core.mixins import ApplicationErrorMessageMixin
from recall.jobs.models import Job, JobStatus
from recall.jobs.selectors import job_snapshot, jobs_owned_by

from . import extensions, selectors, services
from .exporters import EXPORTERS
from .forms import (
    DeckCreateForm,
    DeckForm,
    ImportForm,
    MarkdownPreviewForm,
    NoteCreateForm,
    NoteForm,
)
from .models import CardKind, Deck, Note
from .rendering import render_markdown
from .tasks import check_deck_links


def _with_card_counts(decks: QuerySet[Deck]) -> QuerySet[Deck]:
    return decks.annotate(card_count=Count("cards", filter=Q(cards__is_archived=False)))


class DeckListView(LoginRequiredMixin, ListView):
    template_name = "decks/deck_list.html"
    context_object_name = "decks"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Deck]:
        # Aggregating drops Meta.ordering; pagination needs a stable order.
        return _with_card_counts(selectors.deck_list_for(self.request.user)).order_by("title", "pk")


class GalleryView(ListView):
    """Public decks of every user; anyone may browse, a signed-in user may copy."""

    template_name = "decks/gallery.html"
    context_object_name = "decks"
    paginate_by = 30

    def get_queryset(self) -> QuerySet[Deck]:
        return _with_card_counts(selectors.public_decks()).order_by("-updated_at", "title")


class DeckDetailView(DetailView):
    template_name = "decks/deck_detail.html"
    context_object_name = "deck"

    def get_queryset(self) -> QuerySet[Deck]:
        # Another user's private deck is a 404, never a 403: its existence is private too.
        return selectors.deck_readable(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        deck = self.object
        context["cards"] = selectors.deck_live_notes(deck)
        context["references"] = deck.references.all()
        context["links"] = deck.links.all()
        context["tags"] = selectors.deck_tag_counts(deck)
        context["exporters"] = list(EXPORTERS.values())
        context["is_owner"] = deck.owner_id == self.request.user.pk
        if context["is_owner"]:
            # The kind of the note just added stays chosen for the next one.
            kind = self.request.GET.get("kind", "")
            context["note_form"] = NoteCreateForm(
                initial={"kind": kind if kind in CardKind.values else CardKind.BASIC}
            )
        return context


class OwnedDeckMixin(LoginRequiredMixin):
    """Only the owner may change a deck; anyone else gets a 404."""

    request: HttpRequest

    def get_queryset(self) -> QuerySet[Deck]:
        return selectors.decks_owned_by(self.request.user)


class DeckCreateView(LoginRequiredMixin, ApplicationErrorMessageMixin, CreateView):
    form_class = DeckCreateForm
    template_name = "decks/deck_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "owner": self.request.user}

    def form_valid(self, form: DeckCreateForm) -> HttpResponse:
        deck = services.deck_create(owner=self.request.user, **form.cleaned_data)
        messages.success(self.request, "Deck created.")
        return HttpResponseRedirect(deck.get_absolute_url())


class DeckUpdateView(OwnedDeckMixin, ApplicationErrorMessageMixin, UpdateView):
    form_class = DeckForm
    template_name = "decks/deck_form.html"
    context_object_name = "deck"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "owner": self.request.user}

    def form_valid(self, form: DeckForm) -> HttpResponse:
        # The form filled the instance in while validating; save from a fresh copy.
        deck = selectors.deck_fresh(self.object.pk)
        services.deck_update(deck=deck, **form.cleaned_data)
        messages.success(self.request, "Deck saved.")
        return HttpResponseRedirect(deck.get_absolute_url())


class DeckDeleteView(OwnedDeckMixin, DeleteView):
    template_name = "decks/deck_confirm_delete.html"
    context_object_name = "deck"
    success_url = reverse_lazy("decks:deck-list")

    def form_valid(self, form: Any) -> HttpResponse:
        title = self.object.title
        services.deck_delete(deck=self.object)
        messages.success(self.request, f"Deck “{title}” deleted.")
        return HttpResponseRedirect(self.get_success_url())


class DeckExportView(SingleObjectMixin, View):
    """Download a deck in one of the formats of recall.decks.exporters.EXPORTERS."""

    def get_queryset(self) -> QuerySet[Deck]:
        return selectors.deck_readable(self.request.user)

    def get(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        deck = self.get_object()
        if fmt not in EXPORTERS:
            raise Http404("No such export format.")
        exported = services.deck_export(deck=deck, fmt=fmt)
        return attachment_response(
            content=exported.content,
            content_type=exported.content_type,
            filename=exported.filename,
        )


class DeckCopyView(LoginRequiredMixin, SingleObjectMixin, View):
    """POST: copy a public (or unlisted) deck into the signed-in user's decks."""

    def get_queryset(self) -> QuerySet[Deck]:
        return selectors.deck_readable(self.request.user).exclude(owner_id=self.request.user.pk)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        deck = self.get_object()
        try:
            copy = services.deck_copy(deck=deck, owner=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(deck.get_absolute_url())
        messages.success(request, f"“{deck.title}” copied to your decks.")
        return HttpResponseRedirect(copy.get_absolute_url())


class DeckLinksCheckView(LoginRequiredMixin, SingleObjectMixin, View):
    """POST: queue a check of the deck's links (its owner only); the deck page shows results."""

    def get_queryset(self) -> QuerySet[Deck]:
        return selectors.decks_owned_by(self.request.user)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        deck = self.get_object()
        check_deck_links.delay(deck.pk)
        messages.success(request, "The links of this deck are being checked.")
        return HttpResponseRedirect(deck.get_absolute_url() + "#links-h")


class CardDetailView(DetailView):
    template_name = "decks/card_detail.html"
    context_object_name = "card"

    def get_queryset(self) -> QuerySet[Note]:
        return selectors.note_readable(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.request.user.is_authenticated:
            # The card info panel: the reader's own schedule and history of each prompt.
            prompts = self.object.live_cards()
            info = extensions.card_info(self.request.user, [card for _label, card in prompts])
            for (label, _card), row in zip(prompts, info or [], strict=info is not None):
                row["label"] = label
            context["card_info"] = info
        return context


class NoteCreateView(LoginRequiredMixin, ApplicationErrorMessageMixin, FormView):
    """Add a note to one's own deck; back to the deck page, ready for the next one."""

    form_class = NoteCreateForm
    template_name = "decks/note_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            self.deck = get_object_or_404(Deck, pk=kwargs["pk"], owner_id=request.user.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(deck=self.deck, **kwargs)

    def form_invalid(self, form: NoteCreateForm) -> HttpResponse:
        # The form comes back with its errors, as a 400: nothing was saved.
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def form_valid(self, form: NoteCreateForm) -> HttpResponse:
        note = services.note_create(
            deck=self.deck,
            kind=form.cleaned_data["kind"],
            question=form.cleaned_data["question"],
            answer=form.cleaned_data["answer"],
            tags=form.cleaned_data["tags"],
        )
        count = note.cards.count()
        messages.success(self.request, f"Note added ({count} card{pluralize(count)}).")
        url = f"{self.deck.get_absolute_url()}?kind={note.kind}&next=1"
        return HttpResponseRedirect(url)


class CardUpdateView(LoginRequiredMixin, ApplicationErrorMessageMixin, UpdateView):
    """Edit a card of one's own deck (anyone else's card is a 404)."""

    form_class = NoteForm
    template_name = "decks/card_form.html"
    context_object_name = "card"

    def get_queryset(self) -> QuerySet[Note]:
        return selectors.notes_owned_by(self.request.user)

    def form_invalid(self, form: NoteForm) -> HttpResponse:
        # The form comes back with its errors, as a 400: nothing was saved.
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def form_valid(self, form: NoteForm) -> HttpResponse:
        card = selectors.note_fresh(self.object.pk)
        services.note_update(
            note=card,
            question=form.cleaned_data["question"],
            answer=form.cleaned_data["answer"],
            tags=form.cleaned_data["tags"],
        )
        messages.success(self.request, "Card saved.")
        return HttpResponseRedirect(card.get_absolute_url())


class MarkdownPreviewView(LoginRequiredMixin, View):
    """POST Markdown, get back the sanitised HTML a card would store (CSRF-protected)."""

    def post(self, request: HttpRequest) -> JsonResponse:
        form = MarkdownPreviewForm(request.POST)
        if not form.is_valid():
            return JsonResponse({"error": {"code": "invalid", "fields": form.errors}}, status=400)
        return JsonResponse({"html": render_markdown(form.cleaned_data["text"])})


class ImportView(LoginRequiredMixin, ApplicationErrorMessageMixin, FormView):
    form_class = ImportForm
    template_name = "decks/import.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "owner": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["recent_jobs"] = jobs_owned_by(self.request.user)[:5]
        return context

    def form_valid(self, form: ImportForm) -> HttpResponse:
        job = services.job_create_import(
            owner=self.request.user,
            uploaded_file=form.cleaned_data["file"],
            deck_slug=form.cleaned_data["deck_slug"] or "",
        )
        return HttpResponseRedirect(job.get_absolute_url())


class JobDetailView(LoginRequiredMixin, DetailView):
    template_name = "decks/job_detail.html"
    context_object_name = "job"

    def get_queryset(self) -> QuerySet[Job]:
        return jobs_owned_by(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job = self.object
        context["finished"] = job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
        context["result_decks"] = selectors.decks_owned_by(self.request.user).filter(
            pk__in=(job.result or {}).get("deck_ids") or []
        )
        return context


class JobStatusView(LoginRequiredMixin, View):
    """The job's state as JSON: the polling fallback of the job page."""

    def get(self, request: HttpRequest, pk: int) -> JsonResponse:
        job = get_object_or_404(jobs_owned_by(request.user), pk=pk)
        return JsonResponse(job_snapshot(job))

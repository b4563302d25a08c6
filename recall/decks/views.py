"""Web pages for decks, cards, imports and the public gallery (thin class-based views).

Reads go through selectors, writes through services; a deck someone may not edit is a
404 (its existence stays private too), never a 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
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
from django.urls import reverse, reverse_lazy
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
from recall.jobs.selectors import job_previewed, job_snapshot, jobs_listed_for, jobs_owned_by

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


class DeckListView(LoginRequiredMixin, ListView):
    template_name = "decks/deck_list.html"
    context_object_name = "decks"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Deck]:
        return selectors.deck_list_page(self.request.user)


class GalleryView(ListView):
    """Public decks of every user; anyone may browse, a signed-in user may copy."""

    template_name = "decks/gallery.html"
    context_object_name = "decks"
    paginate_by = 30

    def get_queryset(self) -> QuerySet[Deck]:
        return selectors.gallery_decks()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.is_authenticated:
            # Decks this user already copied say so, and offer to update the copy instead.
            shown = [deck.pk for deck in context["decks"]]
            copies = selectors.deck_copies_by_origin(user, shown)
            for deck in context["decks"]:
                deck.my_copy_id = copies.get(deck.pk)
        return context


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
        user = self.request.user
        if user.is_authenticated and not context["is_owner"]:
            context["my_copy"] = services.copy_of(deck=deck, owner=user)
        if context["is_owner"] and deck.copied_from_id is not None:
            context["origin"] = selectors.deck_origin(user, deck)
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
        return selectors.decks_to_copy(self.request.user)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        deck = self.get_object()
        try:
            copy = services.deck_copy(deck=deck, owner=request.user)
        except services.AlreadyCopied as exc:
            # No second copy: the one they have can be brought up to date from its page.
            messages.info(
                request,
                "You already have a copy of this deck: “Update my copy” brings the "
                "author's changes into it.",
            )
            return HttpResponseRedirect(exc.copy.get_absolute_url())
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(deck.get_absolute_url())
        messages.success(request, f"“{deck.title}” copied to your decks.")
        return HttpResponseRedirect(copy.get_absolute_url())


class DeckCopyUpdateView(LoginRequiredMixin, SingleObjectMixin, View):
    """POST on one's copy of a deck: bring the author's changes in, keeping one's reviews."""

    def get_queryset(self) -> QuerySet[Deck]:
        return selectors.own_copies(self.request.user)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        copy = self.get_object()
        try:
            result = services.deck_copy_update(copy=copy, user=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message[:1].upper() + exc.message[1:])
        else:
            messages.success(request, result.message)
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
            self.deck = get_object_or_404(selectors.decks_owned_by(request.user), pk=kwargs["pk"])
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
        count = selectors.note_cards_count(note)
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

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "owner": self.request.user}

    def form_valid(self, form: NoteForm) -> HttpResponse:
        note = selectors.note_fresh(self.object.pk)
        data = form.cleaned_data
        services.note_edit(
            user=self.request.user,
            note=note,
            kind=data["kind"] or None,
            question=data["question"],
            answer=data["answer"],
            tags=data["tags"],
            deck=data.get("deck"),
        )
        messages.success(self.request, "Card saved.")
        return HttpResponseRedirect(note.get_absolute_url())


class NoteDeleteView(LoginRequiredMixin, DeleteView):
    """Delete a note of one's own deck (its cards go with it), after a confirmation page."""

    template_name = "decks/note_confirm_delete.html"
    context_object_name = "note"

    def get_queryset(self) -> QuerySet[Note]:
        return selectors.notes_owned_by(self.request.user)

    def form_valid(self, form: Any) -> HttpResponse:
        deck = self.object.deck
        services.note_delete(note=self.object)
        messages.success(self.request, "Note deleted.")
        return HttpResponseRedirect(deck.get_absolute_url())


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
        context["recent_jobs"] = jobs_listed_for(self.request.user)[:5]
        preview_job = self._preview_job()
        if preview_job is not None:
            context["preview_job"] = preview_job
            context["preview"] = (preview_job.result or {}).get("preview") or {}
        return context

    def _preview_job(self) -> Job | None:
        """The upload being previewed (``?preview=<job>``): the user's, not yet confirmed."""
        raw = self.request.GET.get("preview", "")
        if not raw.isdigit():
            return None
        return job_previewed(self.request.user, int(raw))

    def form_valid(self, form: ImportForm) -> HttpResponse:
        # "Preview" (the first button, so also Enter) reads the file and shows what it gives;
        # "Import now" (or a post without a button) queues the import at once.
        preview = self.request.POST.get("action") == "preview"
        try:
            job = services.job_create_import(
                owner=self.request.user,
                uploaded_file=form.cleaned_data["file"],
                deck_slug=form.cleaned_data["deck_slug"] or "",
                options=form.import_options(),
                preview=preview,
            )
        except ApplicationError as exc:
            # A preview reads the file now: what the import would refuse is shown on the form.
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        if preview:
            return HttpResponseRedirect(f"{reverse('decks:import')}?preview={job.pk}#preview")
        return HttpResponseRedirect(job.get_absolute_url())


class _OwnPreviewMixin(LoginRequiredMixin, View):
    def preview_job(self, pk: int) -> Job:
        return get_object_or_404(jobs_owned_by(self.request.user), pk=pk, status=JobStatus.PREVIEW)


class ImportConfirmView(_OwnPreviewMixin):
    """POST: import a previewed upload (the stored file the preview read)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = get_object_or_404(jobs_owned_by(request.user), pk=pk)
        # A second click finds it already queued: it just follows the same job.
        job = services.job_confirm_import(job=job)
        return HttpResponseRedirect(job.get_absolute_url())


class ImportDiscardView(_OwnPreviewMixin):
    """POST: forget a previewed upload without importing it."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = self.preview_job(pk)
        services.job_discard_preview(job=job)
        messages.info(request, f"{job.filename} was not imported.")
        return HttpResponseRedirect(reverse("decks:import"))


class JobDetailView(LoginRequiredMixin, DetailView):
    template_name = "decks/job_detail.html"
    context_object_name = "job"

    def get_queryset(self) -> QuerySet[Job]:
        return jobs_owned_by(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job = self.object
        context["finished"] = job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
        context["result_decks"] = selectors.decks_owned_among(
            self.request.user, (job.result or {}).get("deck_ids") or []
        )
        context["skipped_files"] = selectors.skipped_lines_by_file(job.result)
        return context


class JobStatusView(LoginRequiredMixin, View):
    """The job's state as JSON: the polling fallback of the job page."""

    def get(self, request: HttpRequest, pk: int) -> JsonResponse:
        job = get_object_or_404(jobs_owned_by(request.user), pk=pk)
        return JsonResponse(job_snapshot(job))

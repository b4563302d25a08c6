"""Web pages of sources: list, add, detail with sync history, "sync now", and a card's patch."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy
from django.utils.http import content_disposition_header
from django.views import View
from django.views.generic import DetailView, FormView, ListView
from django.views.generic.detail import SingleObjectMixin

from recall.core.exceptions import ApplicationError

from . import selectors, services
from .forms import SourceEditForm, SourceForm
from .models import Source


class SourceListView(LoginRequiredMixin, ListView):
    template_name = "sources/source_list.html"
    context_object_name = "sources"

    def get_queryset(self) -> QuerySet[Source]:
        return selectors.sources_for(self.request.user)


class SourceCreateView(LoginRequiredMixin, FormView):
    template_name = "sources/source_form.html"
    form_class = SourceForm

    def form_valid(self, form: SourceForm) -> HttpResponse:
        try:
            source = services.source_create(owner=self.request.user, **form.source_fields())
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        # The first sync starts at once: the decks appear without waiting for the schedule.
        services.sync_request(source=source)
        messages.success(self.request, f"Source “{source.name}” added; its first sync started.")
        return HttpResponseRedirect(source.get_absolute_url())


class _OwnSourceMixin(LoginRequiredMixin):
    request: HttpRequest

    def get_queryset(self) -> QuerySet[Source]:
        return selectors.sources_for(self.request.user)


class SourceDetailView(_OwnSourceMixin, DetailView):
    template_name = "sources/source_detail.html"
    context_object_name = "source"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["files"] = selectors.source_files(self.object)
        context["runs"] = selectors.source_runs(self.object)[:20]
        return context


class SourceUpdateView(_OwnSourceMixin, SingleObjectMixin, FormView):
    template_name = "sources/source_form.html"
    form_class = SourceEditForm
    context_object_name = "source"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        source = self.object
        fields = [*SourceEditForm.base_fields]
        initial = {f: getattr(source, f) for f in fields if hasattr(source, f) and f != "secret"}
        return {**initial, **SourceEditForm.initial_options(source.import_options)}

    def form_valid(self, form: SourceEditForm) -> HttpResponse:
        data = form.source_fields()
        secret = data.pop("secret") or None
        if data.pop("forget_secret"):
            secret = ""
        try:
            services.source_update(source=self.object, secret=secret, **data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, "Source saved.")
        return HttpResponseRedirect(self.object.get_absolute_url())


class SourceSyncView(_OwnSourceMixin, View):
    """POST: sync now (a second click while it runs joins the same sync)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        source = get_object_or_404(self.get_queryset(), pk=pk)
        run = services.sync_request(source=source)
        run.refresh_from_db()
        if run.is_active:
            messages.info(request, "Sync started.")
        elif run.status == "failed":
            messages.error(request, f"Sync failed: {run.error}")
        else:
            messages.success(request, f"Synced to {run.commit[:10]}.")
        return HttpResponseRedirect(source.get_absolute_url())


class SourceDeleteView(_OwnSourceMixin, View):
    """POST: forget the source; its decks stay as ordinary decks."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        source = get_object_or_404(self.get_queryset(), pk=pk)
        services.source_delete(source=source)
        messages.success(request, f"Source “{source.name}” removed; its decks were kept.")
        return HttpResponseRedirect(reverse_lazy("sources:source-list"))


class CardPatchView(LoginRequiredMixin, View):
    """GET: the card's edits as a unified diff against its notes file, to apply there."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        card = get_object_or_404(selectors.own_notes(request.user), pk=pk)
        patch = selectors.card_patch(card)
        if not patch:
            raise Http404("this card matches its notes file")
        response = HttpResponse(patch, content_type="text/x-diff; charset=utf-8")
        response["Content-Disposition"] = (
            content_disposition_header(as_attachment=True, filename=f"card-{card.pk}.patch") or ""
        )
        return response

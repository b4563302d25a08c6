"""The search page: a GET form, highlighted hits, page links."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from django.views.generic import TemplateView

from .forms import SearchForm
from .query import QueryError
from .selectors import MODE_LABELS, SearchResults, default_mode, hits_label_decks, search_cards

PAGE_SIZE = 20


class SearchView(TemplateView):
    template_name = "search/search.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = SearchForm(self.request.GET or None)
        results: SearchResults | None = None
        error = ""
        if (
            form.is_bound
            and form.is_valid()
            and any(form.cleaned_data[name].strip() for name in ("q", "deck", "tag"))
        ):
            try:
                page = int(self.request.GET.get("page", "1"))
            except ValueError:
                page = 1
            try:
                results = search_cards(
                    user=self.request.user,
                    query=form.cleaned_data["q"],
                    page=page,
                    page_size=PAGE_SIZE,
                    deck_slug=form.cleaned_data["deck"] or None,
                    tag=form.cleaned_data["tag"] or None,
                    mode=form.cleaned_data["mode"] or None,
                )
            except QueryError as exc:
                error = exc.message
            else:
                hits_label_decks(results.hits, user=self.request.user)
        elif form.is_bound and not form.is_valid():
            error = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        context.update(
            form=form,
            modes=MODE_LABELS,
            default_mode=default_mode(),
            results=results,
            error=error,
            previous_url=self._page_url(results, -1),
            next_url=self._page_url(results, +1),
        )
        return context

    def _page_url(self, results: SearchResults | None, step: int) -> str:
        if results is None:
            return ""
        page = results.page + step
        if page < 1 or page > results.num_pages:
            return ""
        params: QueryDict = self.request.GET.copy()
        params["page"] = str(page)
        return f"?{params.urlencode()}"

"""Web pages of the study app: the dashboard (home), the study session, grade and undo.

The session page is server-rendered; grading and undo are plain form POSTs answered with
a redirect (post/redirect/get), so the page works without JavaScript and, with it, every
key press is just a click on a real button. Scheduling is the study services' business.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import ListView, TemplateView

from recall.core.exceptions import ApplicationError, NotFoundError
from recall.core.ids import is_id
from recall.decks import selectors as deck_selectors
from recall.decks import services as deck_services
from recall.decks.models import Card, Deck

from . import selectors, services
from .browser import card_browser
from .forms import GRADE_CHOICES, CardBrowserFilterForm, CardBulkForm, GradeForm
from .models import State

SESSION_KEY = "study_session"


def _session_done(request: HttpRequest) -> int:
    """Cards graded in this browser session today (for the session's progress bar)."""
    state = request.session.get(SESSION_KEY) or {}
    if state.get("day") != timezone.localdate().isoformat():
        return 0
    return int(state.get("done", 0))


def _bump_session(request: HttpRequest, delta: int) -> None:
    done = max(0, _session_done(request) + delta)
    request.session[SESSION_KEY] = {"day": timezone.localdate().isoformat(), "done": done}


def _day_counts(rows: list[dict[str, Any]]) -> dict[Any, int]:
    return {row["day"]: row["count"] for row in rows}


class HomeView(TemplateView):
    """Dashboard for a signed-in user; a short landing page for everyone else."""

    def get_template_names(self) -> list[str]:
        if self.request.user.is_authenticated:
            return ["study/dashboard.html"]
        return ["landing.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if not user.is_authenticated:
            context["public_count"] = deck_selectors.public_decks().count()
            return context
        stats = selectors.study_stats(user)
        context.update(
            stats=stats,
            today=stats["day"],
            deck_counts=stats["decks"],
            today_stats=stats["today"],
            due_now=selectors.queue_counts(user=user).total,
            reviews_per_day=_day_counts(stats["reviews_per_day"]),
            due_forecast=_day_counts(stats["due_forecast"]),
            streaks=stats["streaks"],
            retention=stats["true_retention"]["retention"],
        )
        return context


class StudyView(LoginRequiredMixin, TemplateView):
    """One card at a time: the question, the hidden answer, four grade buttons."""

    template_name = "study/session.html"

    def get_deck(self) -> Deck | None:
        pk = self.kwargs.get("deck_pk")
        if pk is None:
            return None
        try:
            return selectors.deck_for_study(self.request.user, pk)
        except NotFoundError:
            raise Http404("No such deck.") from None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        deck = self.get_deck()
        now = timezone.now()
        cards, counts = selectors.study_session(user=user, deck=deck, now=now, limit=1)
        card = cards[0] if cards else None
        done = _session_done(self.request)
        previews: list[dict[str, Any]] = []
        version = 0
        if card is not None:
            next_due = selectors.grade_previews(user=user, card=card, now=now)
            previews = [
                {"grade": grade, "label": label, "due": next_due.get(grade)}
                for grade, label in GRADE_CHOICES
            ]
            state = getattr(card, "study_state", None)
            version = state.version if state is not None else 0
        context.update(
            deck=deck,
            card=card,
            version=version,
            previews=previews,
            counts=counts,
            remaining=counts.total,
            done=done,
            total=done + counts.total,
            now=now,
            next_due=None if card else selectors.next_due_at(user, deck=deck),
            can_undo=selectors.can_undo(user),
        )
        return context


def _back_to_study(request: HttpRequest) -> str:
    deck_pk = request.POST.get("deck", "")
    # ASCII digits of an id only: int() refuses other Unicode digits and very long numbers.
    if deck_pk.isascii() and deck_pk.isdigit() and len(deck_pk) <= 19 and is_id(int(deck_pk)):
        return reverse("study:deck", kwargs={"deck_pk": int(deck_pk)})
    return reverse("study:session")


def record_grade(request: HttpRequest) -> bool:
    """Record the grade a study page posted (``GradeForm``); say why on the next page if not."""
    form = GradeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That grade could not be recorded: " + form.errors.as_text())
        return False
    try:
        services.card_grade(
            user=request.user,
            card_id=form.cleaned_data["card_id"],
            grade=form.cleaned_data["grade"],
            duration_ms=form.cleaned_data["duration_ms"],
            expected_version=form.cleaned_data["version"],
        )
    except ApplicationError as exc:
        # A double submit or a grade from another tab: say so and show the next card.
        messages.error(request, exc.message)
        return False
    return True


class GradeView(LoginRequiredMixin, View):
    """POST a grade for the shown card, then show the next one."""

    def post(self, request: HttpRequest) -> HttpResponse:
        if record_grade(request):
            _bump_session(request, +1)
        return HttpResponseRedirect(_back_to_study(request))


class UndoView(LoginRequiredMixin, View):
    """POST: take back the last grade; its card comes back to the front of the queue."""

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            services.review_undo(user=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            _bump_session(request, -1)
            messages.info(request, "Last grade undone.")
        return HttpResponseRedirect(_back_to_study(request))


class CardActionView(LoginRequiredMixin, View):
    """POST: suspend, bury (until the next study day) or flag the shown card, then go on.

    The deck's owner only, as in the API; the next card of the queue is then shown.
    """

    ACTIONS = ("suspend", "bury", "flag", "unflag")

    def post(self, request: HttpRequest) -> HttpResponse:
        action = request.POST.get("action", "")
        card_id = request.POST.get("card_id", "")
        valid_id = card_id.isascii() and card_id.isdigit() and len(card_id) <= 19
        card = (
            deck_selectors.own_card(request.user, int(card_id))
            if valid_id and is_id(int(card_id))
            else None
        )
        if action not in self.ACTIONS or card is None:
            messages.error(request, "That card cannot be changed.")
            return HttpResponseRedirect(_back_to_study(request))
        if action == "bury":
            services.card_bury(user=request.user, card=card)
            messages.info(request, "Card buried until tomorrow.")
        elif action == "suspend":
            deck_services.card_set_flags(card=card, suspended=True)
            messages.info(request, "Card suspended.")
        else:
            deck_services.card_set_flags(card=card, flagged=action == "flag")
            messages.info(request, "Card flagged." if action == "flag" else "Flag removed.")
        return HttpResponseRedirect(_back_to_study(request))


class CardBrowserView(LoginRequiredMixin, ListView):
    """``/cards/``: the user's cards, filtered (deck, tag, kind, state, due range, lapses,
    suspended, flagged, text), sorted by a column, a page at a time, with bulk actions on
    the ticked ones (``recall.decks.services.cards_bulk``; deleting asks first)."""

    template_name = "study/card_browser.html"
    context_object_name = "cards"
    paginate_by = 50
    COLUMNS = [
        ("deck", "Deck"),
        ("kind", "Kind"),
        ("state", "State"),
        ("due", "Due"),
        ("interval", "Interval"),
        ("stability", "Stability"),
        ("difficulty", "Difficulty"),
        ("lapses", "Lapses"),
        ("created", "Created"),
    ]

    def own_decks(self) -> list[tuple[int, str]]:
        return deck_selectors.own_deck_choices(self.request.user)

    def get_queryset(self) -> Any:
        self.decks = self.own_decks()
        self.filter_form = CardBrowserFilterForm(self.request.GET or None, decks=self.decks)
        if self.filter_form.is_bound and not self.filter_form.is_valid():
            return Card.objects.none()
        return card_browser(user=self.request.user, query=self.filter_form.query())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context["bulk_form"] = CardBulkForm(decks=self.decks)
        current = self.filter_form.query().sort
        params = self.request.GET.copy()
        params.pop("page", None)
        columns = []
        for name, label in self.COLUMNS:
            column: dict[str, Any] = {"name": name, "label": label, "url": "", "sort": ""}
            if name in CardBrowserFilterForm.SORT_LABELS:
                # A click on the column sorts by it; a second click reverses the order.
                params["sort"] = f"-{name}" if current == name else name
                column["url"] = "?" + params.urlencode()
                column["sort"] = {name: "ascending", f"-{name}": "descending"}.get(current, "")
            columns.append(column)
        context["columns"] = columns
        for card in context["cards"]:
            value = card.study_state_value
            card.state_label = State.NEW.label if value is None else State(value).label
        return context

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)
        if self.filter_form.is_bound and not self.filter_form.is_valid():
            response.status_code = 400  # the filters are shown with their errors
        return response

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CardBulkForm(request.POST, decks=self.own_decks())
        back = reverse("card-browser") + ("?" + request.GET.urlencode() if request.GET else "")
        if not form.is_valid():
            if "cards" in form.errors or "action" in form.errors:
                problem = "Tick at least one card and choose an action."
            else:
                problem = " ".join(str(e) for errors in form.errors.values() for e in errors)
            messages.error(request, problem)
            return HttpResponseRedirect(back)
        data = form.cleaned_data
        if data["action"] == "delete" and not data["confirm"]:
            notes, cards = deck_selectors.cards_notes_count(
                user=request.user, card_ids=data["cards"]
            )
            context = {"card_ids": data["cards"], "notes": notes, "cards": cards, "back": back}
            return render(request, "study/card_bulk_delete.html", context)
        try:
            result = deck_services.cards_bulk(
                user=request.user,
                card_ids=data["cards"],
                action=data["action"],
                tags=data.get("tag_names", ()),
                deck_id=data["target_deck"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message[:1].upper() + exc.message[1:])
        else:
            messages.success(request, result.message)
        return HttpResponseRedirect(back)

"""Web pages of custom study: the menu, review ahead, cram, and exam plans.

Review ahead and cram show their cards with the study page's template (same keys); review
ahead grades for real (``services.card_grade``), cram only moves through the user's
session (``custom_study.CramSession``) and writes nothing else.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views import View
from django.views.generic import TemplateView

from recall.core import svg
from recall.core.exceptions import ApplicationError
from recall.decks import selectors as deck_selectors
from recall.decks.models import Deck

from . import custom_study, exam_plan, exams, scheduling, selectors
from .forms import GRADE_CHOICES
from .forms_custom import CramAnswerForm, CramForm, ExamForm, ReviewAheadForm
from .views import record_grade

CRAM_KEY = "study_cram"
# Exam plans up to this many days list every day in their table.
TABLE_EVERY_DAY = 60


def _decks(user: Any) -> list[tuple[int, str]]:
    return list(selectors.study_decks(user).values_list("pk", "title"))


def _menu(request: HttpRequest, status: int = 200, **forms: Any) -> HttpResponse:
    """The custom study page, with the forms given (bound, showing their errors) or fresh."""
    user = request.user
    decks = _decks(user)
    deck = request.GET.get("deck", "")
    initial = {"deck": int(deck)} if deck.isascii() and deck.isdigit() and len(deck) < 19 else {}
    context = {
        "ahead_form": forms.get("ahead_form") or ReviewAheadForm(decks=decks, initial=initial),
        "cram_form": forms.get("cram_form") or CramForm(decks=decks, initial=initial),
        "exam_form": forms.get("exam_form") or ExamForm(decks=decks, initial=initial),
        "exams": exams.exams_of(user),
        "today": scheduling.study_day(user, timezone.now()),
    }
    return render(request, "study/custom.html", context, status=status)


class CustomStudyView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return _menu(request)


def _ahead_url(days: int, deck_id: int | None) -> str:
    query = {"days": days, **({"deck": deck_id} if deck_id else {})}
    return reverse("study:ahead") + "?" + urlencode(query)


def _deck_or_404(user: Any, deck_id: int | None) -> Deck | None:
    if deck_id is None:
        return None
    try:
        return selectors.deck_for_study(user, deck_id)
    except ApplicationError:
        raise Http404("No such deck.") from None


class ReviewAheadView(LoginRequiredMixin, View):
    """``/study/ahead/?days=N[&deck=id]``: the next card due in the next N days, graded for real."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        form = ReviewAheadForm(request.GET, decks=_decks(user))
        if not form.is_valid():
            return _menu(request, status=400, ahead_form=form)
        days, deck = form.cleaned_data["days"], _deck_or_404(user, form.cleaned_data["deck"])
        now = timezone.now()
        cards = custom_study.review_ahead(user=user, days=days, deck=deck, now=now, limit=1)
        left = custom_study.review_ahead_count(user=user, days=days, deck=deck, now=now)
        card = cards[0] if cards else None
        previews: list[dict[str, Any]] = []
        if card is not None:
            due = selectors.grade_previews(user=user, card=card, now=now)
            previews = [{"grade": g, "label": label, "due": due[g]} for g, label in GRADE_CHOICES]
        return render(
            request,
            "study/session.html",
            {
                "mode": "ahead",
                "mode_title": f"Review ahead: the next {days} day{'s' if days != 1 else ''}",
                "mode_note": (
                    f"{left} card{'s' if left != 1 else ''} due in the next {days} days. "
                    "These are real reviews: FSRS schedules each card from today."
                ),
                "grade_url": reverse("study:custom-grade"),
                "extra_fields": [("days", days)],
                "deck": deck,
                "card": card,
                "version": card.study_state.version if card is not None else 0,  # type: ignore[attr-defined]
                "previews": previews,
                "remaining": left,
                "done": 0,
                "total": left,
                "now": now,
                "ahead_days": days,
            },
        )


class CustomGradeView(LoginRequiredMixin, View):
    """POST a review-ahead grade (a real one), then show the next card due ahead."""

    def post(self, request: HttpRequest) -> HttpResponse:
        days_raw = request.POST.get("days", "")
        days = (
            int(days_raw) if days_raw.isascii() and days_raw.isdigit() and len(days_raw) < 4 else 7
        )
        days = min(max(days, 1), custom_study.MAX_AHEAD_DAYS)
        deck_raw = request.POST.get("deck", "")
        deck_id = (
            int(deck_raw)
            if deck_raw.isascii() and deck_raw.isdigit() and len(deck_raw) < 19
            else None
        )
        record_grade(request)
        return HttpResponseRedirect(_ahead_url(days, deck_id))


# Cram -----------------------------------------------------------------------------------


def _cram_label(user: Any, deck_id: int | None, tag: str, query: str) -> str:
    parts = []
    if deck_id is not None:
        title = deck_selectors.deck_title(deck_id)
        parts.append(f"“{title}”")
    if tag:
        parts.append(f"tag {tag}")
    if query:
        parts.append(f"search “{query}”")
    return ", ".join(parts)


class CramView(LoginRequiredMixin, View):
    """GET: the cram's current card (or its end); POST: start cramming a deck, tag or search."""

    def get(self, request: HttpRequest) -> HttpResponse:
        cram = custom_study.CramSession.from_dict(request.session.get(CRAM_KEY))
        if cram is None:
            return HttpResponseRedirect(reverse("study:custom"))
        card = None
        if cram.current is not None:
            card = deck_selectors.card_with_note(cram.current)
            if card is None:  # deleted meanwhile: skip it
                cram.ids.pop(0)
                request.session[CRAM_KEY] = cram.as_dict()
                return HttpResponseRedirect(reverse("study:cram"))
        left = len(cram.ids)
        notes = {1: "again soon", 2: "done", 3: "done", 4: "done"}
        return render(
            request,
            "study/session.html",
            {
                "mode": "cram",
                "mode_title": f"Cram {cram.label}",
                "mode_note": (
                    f"{cram.done} done · {left} left · {cram.again} again. "
                    "Cramming never changes your schedule or statistics."
                ),
                "grade_url": reverse("study:cram-answer"),
                "extra_fields": [],
                "card": card,
                "version": 0,
                "previews": [
                    {"grade": g, "label": label, "note": notes[g]} for g, label in GRADE_CHOICES
                ],
                "remaining": left,
                "done": cram.done,
                "total": cram.done + left,
                "now": timezone.now(),
                "cram": cram,
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CramForm(request.POST, decks=_decks(request.user))
        if not form.is_valid():
            return _menu(request, status=400, cram_form=form)
        deck_id, tag, query = (
            form.cleaned_data["deck"],
            form.cleaned_data["tag"],
            form.cleaned_data["q"],
        )
        try:
            cards = custom_study.cram_cards(
                user=request.user, deck_id=deck_id, tag=tag, query=query
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return _menu(request, status=400 if exc.status_code == 400 else 404, cram_form=form)
        if not cards:
            form.add_error(None, "No cards to cram there.")
            return _menu(request, status=400, cram_form=form)
        label = _cram_label(request.user, deck_id, tag, query)
        request.session[CRAM_KEY] = custom_study.CramSession.start(label, cards).as_dict()
        return HttpResponseRedirect(reverse("study:cram"))


class CramAnswerView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        cram = custom_study.CramSession.from_dict(request.session.get(CRAM_KEY))
        form = CramAnswerForm(request.POST)
        if cram is None:
            messages.error(request, "No cram is in progress.")
            return HttpResponseRedirect(reverse("study:custom"))
        if not form.is_valid() or not cram.answer(
            form.cleaned_data["card_id"], form.cleaned_data["grade"]
        ):
            messages.error(request, "That answer was for another card; here is the current one.")
        else:
            request.session[CRAM_KEY] = cram.as_dict()
        return HttpResponseRedirect(reverse("study:cram"))


# Exams ----------------------------------------------------------------------------------


class ExamCreateView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        form = ExamForm(request.POST, decks=_decks(request.user))
        if not form.is_valid():
            return _menu(request, status=400, exam_form=form)
        try:
            exam = exams.exam_set(
                user=request.user,
                deck_id=form.cleaned_data["deck"],
                day=form.cleaned_data["date"],
                target_retention=form.cleaned_data["target_retention"],
            )
        except ApplicationError as exc:
            for name, errors in exc.extra.get("fields", {}).items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
            if not exc.extra.get("fields"):
                form.add_error(None, exc.message)
            return _menu(request, status=exc.status_code, exam_form=form)
        messages.success(request, "Exam date set: here is the plan.")
        return HttpResponseRedirect(reverse("study:exam", kwargs={"pk": exam.pk}))


class ExamPlanView(LoginRequiredMixin, TemplateView):
    template_name = "study/exam_plan.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user: Any = self.request.user
        try:
            exam = exams.exam_for(user, self.kwargs["pk"])
        except ApplicationError:
            raise Http404("No such exam.") from None
        now = timezone.now()
        plan = exam_plan.cached_plan(
            user=user, exam=exam, now=now, version=selectors.stats_version(user.pk)
        )
        per_day = plan.per_day
        chart = ""
        if plan.days:
            chart = svg.forecast_svg(
                per_day,
                start=plan.today,
                days=len(plan.days),
                label=f"Exam plan: {plan.reviews} reviews over {len(plan.days)} days",
                unit="review",
            )
        context.update(
            exam=exam,
            plan=plan,
            # Every day of a short plan; on a long one, the days with reviews.
            rows=[
                {"day": day, "count": n}
                for day, n in per_day.items()
                if n or len(per_day) <= TABLE_EVERY_DAY
            ],
            every_day=len(per_day) <= TABLE_EVERY_DAY,
            # svg.forecast_svg escapes every piece of text it writes.
            chart=mark_safe(chart),  # noqa: S308
            today_count=per_day.get(plan.today, 0),
        )
        return context


class ExamDeleteView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            exams.exam_delete(user=request.user, exam_id=pk)
        except ApplicationError:
            raise Http404("No such exam.") from None
        messages.info(request, "Exam removed; its plan no longer adds cards to your queue.")
        return HttpResponseRedirect(reverse("study:custom"))

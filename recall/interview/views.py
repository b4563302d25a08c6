"""Web pages of interview mode: start a mock interview, answer, confirm, read the report.

Server-rendered with plain form POSTs answered by redirects (post/redirect/get), so the
pages work without JavaScript; ``interview.js`` adds the keys (Ctrl+Enter submits, 1-4
pick a grade, Enter goes on) and the countdown of a timed question.
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

from recall.core.exceptions import ApplicationError, NotFoundError

from . import scoring, selectors, services
from .forms import AnswerForm, ConfirmForm, StartForm
from .models import InterviewSession


def _session(request: HttpRequest, pk: int) -> InterviewSession:
    try:
        return selectors.session_for(request.user, pk)
    except NotFoundError:
        raise Http404("No such interview.") from None


def _to_session(session: InterviewSession) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("interview:session", kwargs={"pk": session.pk}))


class StartView(LoginRequiredMixin, View):
    """Pick decks, the number of questions and a time limit."""

    template_name = "interview/start.html"

    def _decks(self, request: HttpRequest) -> list[Any]:
        return selectors.interview_decks(request.user, None)

    def _render(self, request: HttpRequest, form: StartForm) -> HttpResponse:
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "semantic": scoring.semantic_available(),
                "recent": selectors.sessions_for(request.user)[:5],
            },
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        initial: dict[str, Any] = {"questions": 5}
        deck = request.GET.get("deck", "")
        if deck.isdigit():
            initial["decks"] = [int(deck)]
        return self._render(request, StartForm(initial=initial, decks=self._decks(request)))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = StartForm(request.POST, decks=self._decks(request))
        if not form.is_valid():
            return self._render(request, form)
        decks = form.cleaned_data["decks"]
        try:
            session = services.session_start(
                user=request.user,
                deck_ids=[d.pk for d in decks] or None,
                count=form.cleaned_data["questions"],
                time_limit_seconds=form.cleaned_data["time_limit"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return self._render(request, form)
        return _to_session(session)


class SessionView(LoginRequiredMixin, View):
    """The current question: the answer box, or once answered its score and the grades."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        session = _session(request, pk)
        question = selectors.question_current(session)
        if question is None:
            return HttpResponseRedirect(reverse("interview:report", kwargs={"pk": session.pk}))
        services.question_show(question=question)
        seconds_left = None
        if session.time_limit_seconds and question.shown_at and not question.answered:
            used = (timezone.now() - question.shown_at).total_seconds()
            seconds_left = max(0, int(session.time_limit_seconds - used))
        suggested = question.suggested_grade or 1
        context = {
            "session": session,
            "question": question,
            "total": selectors.session_question_count(session),
            "seconds_left": seconds_left,
            "answer_form": AnswerForm(initial={"position": question.position}),
            "suggested": suggested,
            "suggested_label": scoring.GRADE_LABELS[suggested],
            "grades": list(scoring.GRADE_LABELS.items()),
            "covered": [p for p in question.points if p["covered"]],
            "missed": [p for p in question.points if not p["covered"] and p["scored"]],
            "method_label": "by meaning" if question.method == scoring.SEMANTIC else "by words",
        }
        return render(request, "interview/question.html", context)


class AnswerView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        session = _session(request, pk)
        form = AnswerForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
            return _to_session(session)
        try:
            services.question_answer(
                session=session,
                position=form.cleaned_data["position"],
                answer=form.cleaned_data["answer"],
                duration_ms=form.cleaned_data.get("duration_ms"),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return _to_session(session)


class ConfirmView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        session = _session(request, pk)
        form = ConfirmForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Pick a grade: 1 Again, 2 Hard, 3 Good or 4 Easy.")
            return _to_session(session)
        try:
            services.question_confirm(
                session=session,
                position=form.cleaned_data["position"],
                grade=form.cleaned_data["grade"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return _to_session(session)


class ReportView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        session = _session(request, pk)
        report = selectors.session_report(session)
        for row in report["questions"]:
            row["grade_label"] = scoring.GRADE_LABELS.get(row["grade"] or 0, "")
        return render(request, "interview/report.html", {"session": session, "report": report})

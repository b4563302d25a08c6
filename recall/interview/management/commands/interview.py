"""manage.py interview DECK --user NAME: a mock interview in the terminal.

Asks N questions from the deck (weak cards first), reads each typed answer from standard
input (finish it with an empty line), shows what it covered and missed, and records the
grade you confirm (Enter) or type (1-4). Ends with the report. The same services as the
web page and the API do the work.
"""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from recall.core.exceptions import ApplicationError
from recall.core.text import markdown_plain_text
from recall.decks.models import Deck
from recall.decks.selectors import deck_readable_q
from recall.interview import scoring, selectors, services
from recall.interview.models import InterviewSession

METHOD_NOTE = {
    scoring.SEMANTIC: "key points are matched by meaning",
    scoring.LEXICAL: (
        "key points are matched by words (lexical): install the semantic extra, "
        "pip install -e '.[semantic]', to match them by meaning"
    ),
}


class Command(BaseCommand):
    help = "A mock interview in the terminal: type answers, get them graded against your notes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("deck", help="the deck: its id, or the slug of one of your decks")
        parser.add_argument("--user", required=True, help="who is interviewed (user name)")
        parser.add_argument("--questions", type=int, default=5, help="how many (default 5)")
        parser.add_argument(
            "--time-limit", type=int, default=None, help="seconds per question (default: none)"
        )
        parser.add_argument(
            "--lexical", action="store_true", help="match by words even if the extra is installed"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user named {options['user']!r}")
        previous = os.environ.get("RECALL_SEMANTIC")
        if options["lexical"]:
            os.environ["RECALL_SEMANTIC"] = "0"
        try:
            self._interview(user, options)
        finally:
            if previous is None:
                os.environ.pop("RECALL_SEMANTIC", None)
            else:
                os.environ["RECALL_SEMANTIC"] = previous

    def _interview(self, user: Any, options: dict[str, Any]) -> None:
        deck = self._deck(user, options["deck"])
        try:
            session = services.session_start(
                user=user,
                deck_ids=[deck.pk],
                count=options["questions"],
                time_limit_seconds=options["time_limit"],
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        method = scoring.SEMANTIC if scoring.semantic_available() else scoring.LEXICAL
        total = session.questions.count()
        self.stdout.write(f"Interview on “{deck.title}”: {total} questions; {METHOD_NOTE[method]}.")
        if session.time_limit_seconds:
            self.stdout.write(f"You have {session.time_limit_seconds} s per question.")
        try:
            while (question := selectors.question_current(session)) is not None:
                self._ask(session, question.position, total)
        except EOFError:
            self.stdout.write("\nInput ended: the interview stops here.")
        self._report(session)

    def _deck(self, user: Any, ref: str) -> Deck:
        readable = Deck.objects.filter(deck_readable_q(user))
        deck = readable.filter(pk=int(ref)).first() if ref.isdigit() else None
        deck = deck or readable.filter(owner=user, slug=ref).first()
        if deck is None:
            raise CommandError(f"no deck {ref!r} that {user.username} may read")
        return deck

    def _read_answer(self) -> str:
        self.stdout.write("Your answer (finish with an empty line):")
        lines: list[str] = []
        while True:
            try:
                line = input()
            except EOFError:
                if lines:
                    break
                raise
            if not line.strip():
                break
            lines.append(line)
        return "\n".join(lines)

    def _ask(self, session: InterviewSession, position: int, total: int) -> None:
        question = selectors.question_current(session)
        assert question is not None
        services.question_show(question=question)
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(f"Question {position}/{total}: ")
            + markdown_plain_text(question.question)
        )
        answer = self._read_answer()
        question = services.question_answer(session=session, position=position, answer=answer)
        self.stdout.write(f"Score {question.score}/100 ({question.method}).")
        if question.overtime:
            self.stdout.write(self.style.WARNING("Answered after the time limit."))
        for point in question.points:
            if point["covered"]:
                self.stdout.write(self.style.SUCCESS(f"  + {point['text']}"))
            elif point["scored"]:
                self.stdout.write(self.style.ERROR(f"  - {point['text']}"))
        suggested = question.suggested_grade or 1
        label = scoring.GRADE_LABELS[suggested]
        while True:
            self.stdout.write(f"Grade: 1 Again, 2 Hard, 3 Good, 4 Easy [Enter: {label}]")
            typed = input().strip()
            if typed in ("", "1", "2", "3", "4"):
                break
            self.stdout.write("Type 1, 2, 3 or 4, or Enter for the suggested grade.")
        grade = int(typed) if typed else None
        confirmed = services.question_confirm(session=session, position=position, grade=grade)
        self.stdout.write(f"Recorded: {scoring.GRADE_LABELS[confirmed.grade or suggested]}.")

    def _report(self, session: InterviewSession) -> None:
        report = selectors.session_report(session)
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Report"))
        for row in report["questions"]:
            score = "-" if row["score"] is None else f"{row['score']:>3}"
            grade = scoring.GRADE_LABELS.get(row["grade"] or 0, "not graded")
            self.stdout.write(f"{row['position']:>2}. {score}  {grade:10} {row['question']}")
            for missed in row["missed"]:
                self.stdout.write(f"      missed: {missed}")
        if report["average_score"] is not None:
            self.stdout.write(f"Average score: {report['average_score']}/100")
        if report["reread"]:
            self.stdout.write("Reread:")
            for item in report["reread"]:
                self.stdout.write(f"  {item['question']}  {item['url']}")

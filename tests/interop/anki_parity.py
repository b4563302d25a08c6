"""A harness that gives the same grade sequences to Recall and to the official anki package.

Anki's Rust backend reads the system clock and cannot be told another time, so the harness
moves the card instead of the clock: before each grade it sets Anki's day rollover hour so
that the real "now" falls in the wanted hour of Anki's study day, and sets the card's last
review time back by exactly the gap the sequence asks for. Recall is graded at a simulated
moment in the same position of its own study day (UTC, day starting at 4 a.m.), so both
count the same study days between the reviews. Anki's fuzz is off in its test mode
(``ANKI_TEST_MODE``, read once by the backend: set before its first grade in the process).
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("ANKI_TEST_MODE", "1")

DAY = 86_400
# Recall's side: a user in UTC whose study day starts at 4 a.m.
RECALL_ROLLOVER = 4
EPOCH = datetime(2030, 1, 7, RECALL_ROLLOVER, tzinfo=UTC)  # the start of study day 0
GRADE_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


@dataclass(frozen=True)
class Step:
    """One grade: ``day`` study days after the previous one, in ``hour`` of that study day
    (0 is the hour after the rollover), and the grade."""

    day: int
    hour: int
    grade: int


Interval = tuple[str, int]  # ("d", days) or ("s", seconds)


@dataclass
class Comparison:
    sequence: str
    index: int
    what: str  # "grade" or "preview <button>"
    recall: Interval
    anki: Interval
    context: str
    anki_stability: float | None = None  # Anki's stability after this button

    @property
    def equal(self) -> bool:
        return self.recall == self.anki

    def explanation(self) -> str | None:
        """Why the two differ, when the reason is a known one; None: unexplained.

        With retention 0.9 FSRS' interval is the stability itself, rounded to whole days:
        a stability within 0.01 of a half day rounds either way between Anki's 32-bit
        arithmetic and the 64-bit one of the ``fsrs`` package Recall uses.
        """
        (kind, ours), (their_kind, theirs) = self.recall, self.anki
        stability = self.anki_stability
        if (
            kind == their_kind == "d"
            and abs(ours - theirs) == 1
            and stability is not None
            and abs(stability % 1 - 0.5) < 0.01
        ):
            return f"a half-day rounding boundary (Anki's stability {stability:.4f})"
        return None


@dataclass
class Report:
    comparisons: list[Comparison] = field(default_factory=list)
    # After each grade: (sequence, index, Recall's (stability, difficulty), Anki's).
    memory: list[tuple[str, int, tuple[float, float], tuple[float, float]]] = field(
        default_factory=list
    )

    def of(self, kind: str) -> list[Comparison]:
        return [c for c in self.comparisons if c.what.startswith(kind)]

    def differences(self) -> list[Comparison]:
        return [c for c in self.comparisons if not c.equal]


def fmt(interval: Interval) -> str:
    kind, value = interval
    return f"{value}d" if kind == "d" else f"{value}s"


# Sequences --------------------------------------------------------------------------------


def fixed_sequences() -> dict[str, list[Step]]:
    """Hand-written cases: the situations where counting days goes wrong most easily."""
    s = Step
    return {
        # A review earlier in the day than the one before (12:00, then 08:00 days later).
        "earlier-in-the-day": [s(0, 8, 3), s(0, 8, 3), s(1, 8, 3), s(3, 4, 3), s(12, 4, 3)],
        # Learning steps at 23:00 and 05:00: one study day apart, 6 hours later.
        "learning-across-the-rollover": [s(0, 19, 1), s(0, 19, 3), s(1, 1, 3), s(2, 1, 3)],
        # The last hour of a study day, then the first of the next.
        "last-then-first-hour": [s(0, 23, 3), s(0, 23, 3), s(1, 0, 3), s(3, 23, 3), s(1, 0, 3)],
        "straight-to-easy": [s(0, 6, 4), s(8, 6, 4), s(30, 6, 4), s(90, 6, 4)],
        "hard-every-time": [s(0, 6, 2), s(0, 6, 2), s(0, 7, 3), s(1, 6, 2), s(2, 9, 2)],
        "lapse-and-relearn": [
            s(0, 5, 3),
            s(0, 5, 3),
            s(2, 5, 3),
            s(9, 5, 1),
            s(0, 5, 3),
            s(3, 20, 3),
            s(0, 21, 1),
            s(0, 22, 2),
            s(1, 2, 3),
        ],
        "early-reviews": [s(0, 3, 3), s(0, 3, 3), s(1, 3, 3), s(1, 3, 3), s(2, 3, 4), s(1, 3, 2)],
        "very-late-reviews": [s(0, 10, 3), s(0, 10, 3), s(40, 10, 3), s(300, 10, 2)],
        "relearning-easy": [s(0, 12, 4), s(5, 12, 1), s(0, 12, 4), s(4, 12, 1), s(0, 13, 2)],
        "same-day-reviews": [s(0, 1, 3), s(0, 1, 3), s(0, 2, 3), s(0, 9, 3), s(0, 15, 4)],
    }


def random_sequences(count: int, *, seed: int, vary_hours: bool) -> dict[str, list[Step]]:
    """Random grades and hours; each gap (``day`` -1 here) is chosen by ``plan`` as the
    sequence runs, from the interval the card has: early, on time or late."""
    rng = random.Random(seed)
    out: dict[str, list[Step]] = {}
    for number in range(count):
        hour = rng.randrange(24)
        steps = []
        for _ in range(rng.randint(6, 10)):
            grade = rng.choices([1, 2, 3, 4], weights=[2, 2, 6, 1])[0]
            # day: a marker for "choose from the interval" (-1), filled in by plan().
            steps.append(Step(-1, rng.randrange(24) if vary_hours else hour, grade))
        kind = "varying-hours" if vary_hours else "same-hour"
        out[f"random-{kind}-{seed}-{number}"] = steps
    return out


def plan(
    step: Step, last_interval: Interval | None, rng: random.Random, previous_hour: int
) -> Step:
    """A random step's gap: same day in learning, else early / on time / late in review."""
    if step.day >= 0:
        return step
    if last_interval is None:
        return Step(0, step.hour, step.grade)
    kind, value = last_interval
    if kind == "s":
        # (Re)learning: mostly the same study day, sometimes the next.
        if rng.random() < 0.75:
            return Step(0, max(step.hour, previous_hour), step.grade)
        return Step(1, step.hour, step.grade)
    factor = rng.choice([0.3, 0.6, 1.0, 1.0, 1.0, 1.4, 2.5])
    return Step(
        max(0 if step.hour >= previous_hour else 1, round(value * factor)), step.hour, step.grade
    )


# Anki's side ------------------------------------------------------------------------------


def _zone_at_noon(utc_hour: int) -> str:
    """A fixed-offset zone in which it is now noon (tz database signs are inverted)."""
    east = 12 - utc_hour  # from +12 down to -11 hours, all in the Etc/GMT range
    return f"Etc/GMT{-east:+d}" if east else "Etc/GMT"


class AnkiSide:
    """One collection, FSRS on with Anki's defaults (steps 1m 10m, relearning 10m, 0.9)."""

    def __init__(self, directory: Path) -> None:
        from anki.collection import Collection

        # Anki reckons its day in the process's local zone, and when the local clock reads
        # between 2 and 4 in the morning (measured with anki 26.09) it reports a rollover an
        # hour or two ago as still to come, so some hours of its day cannot be reached. Its
        # side runs in a fixed zone where it is now about noon, far from that window for
        # the length of a run.
        self._zone_before = os.environ.get("TZ")
        os.environ["TZ"] = _zone_at_noon(datetime.now(UTC).hour)
        self._collection_class = Collection
        directory.mkdir(parents=True, exist_ok=True)
        self.path = str(directory / "collection.anki2")
        self.col = Collection(self.path)
        self.col.set_config("fsrs", True)
        self.col._backend.set_load_balancer_enabled(False)
        self.rollover = 4
        self.answered_at = 0

    def close(self) -> None:
        self.col.close()
        if self._zone_before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = self._zone_before

    def new_card(self) -> int:
        from anki.decks import DeckId

        basic = self.col.models.by_name("Basic")
        assert basic is not None
        note = self.col.new_note(basic)
        note["Front"] = "question"
        note["Back"] = "answer"
        self.col.add_note(note, DeckId(1))
        [card_id] = note.card_ids()
        return int(card_id)

    def _card(self, card_id: int) -> Any:
        from anki.cards import CardId

        return self.col.get_card(CardId(card_id))

    def _reopen(self, rollover: int) -> None:
        # The backend caches today's timing until the day ends: reopening drops the cache.
        self.col.set_config("rollover", rollover)
        self.col.close()
        self.col = self._collection_class(self.path)
        self.rollover = rollover

    def day_start(self) -> int:
        return int(self.col._backend.sched_timing_today().next_day_at) - DAY

    def place_now(self, hour: int) -> int:
        """Set the rollover so that now is in ``hour`` of Anki's study day; now (seconds).

        Never within 10 seconds of the end of an hour of Anki's day (zones may be off by
        half hours), so the grade that follows stays in the hour, and the day, chosen.
        """
        for _ in range(5):
            now = int(time.time())
            position = (now - self.day_start()) % DAY
            if position % 3600 > 3590:
                time.sleep(3601 - position % 3600)
                continue
            shift = (position // 3600 - hour) % 24
            if shift:
                self._reopen((self.rollover + shift) % 24)
            position = now - self.day_start()
            if 0 <= position < DAY and position // 3600 == hour:
                return now
        raise AssertionError(f"Anki's day cannot be placed at hour {hour} (now {now})")

    def set_last_review(self, card_id: int, moment: int) -> None:
        card = self._card(card_id)
        card.last_review_time = moment
        self.col.update_card(card)

    def states(self, card_id: int) -> Any:
        return self.col._backend.get_scheduling_states(card_id)

    def answer(self, card_id: int, states: Any, grade: int, now: int) -> None:
        from anki.scheduler_pb2 import CardAnswer

        card = self._card(card_id)
        card.start_timer()
        answer = self.col.sched.build_answer(
            card=card, states=states, rating=CardAnswer.Rating.ValueType(grade - 1)
        )
        answer.answered_at_millis = now * 1000
        answer.milliseconds_taken = 1000
        while True:
            before = int(time.time())
            self.col.sched.answer_card(answer)
            if int(time.time()) == before:
                self.answered_at = before
                return
            # The second changed during the answer: undo it and answer again.
            self.col.undo()

    def stored_interval(self, card_id: int, now: int, answered: Any) -> Interval:
        """The interval the card was given, from the card as stored (not the previews)."""
        card = self._card(card_id)
        if card.queue == 3:
            # A learning step that ends past Anki's next rollover is stored as a day number
            # (queue 3); its interval is the one the answered state scheduled. This happens
            # only when the grade falls in the last minutes of Anki's study day.
            return anki_interval(answered)
        if card.queue == 2:  # review
            return ("d", int(card.ivl))
        if card.queue == 1:  # (re)learning within the day: due is a timestamp
            # Anki dates it from the real time of the answer, a moment after ``now``.
            return ("s", int(card.due) - self.answered_at)
        raise ValueError(f"unexpected Anki queue {card.queue}")

    def memory(self, card_id: int) -> tuple[float, float] | None:
        """The card's FSRS memory state as Anki stored it."""
        card = self._card(card_id)
        if card.memory_state is None:
            return None
        return card.memory_state.stability, card.memory_state.difficulty


def anki_interval(state: Any) -> Interval:
    normal = state.normal if state.WhichOneof("kind") == "normal" else None
    if normal is None:
        raise ValueError(f"unexpected Anki state {state}")
    kind = normal.WhichOneof("kind")
    if kind == "review":
        return ("d", int(normal.review.scheduled_days))
    if kind == "learning":
        return ("s", int(normal.learning.scheduled_secs))
    if kind == "relearning":
        return ("s", int(normal.relearning.learning.scheduled_secs))
    raise ValueError(f"unexpected Anki state {kind}")


BUTTONS = ("again", "hard", "good", "easy")


def anki_buttons(states: Any) -> dict[int, Interval]:
    return {grade: anki_interval(getattr(states, name)) for grade, name in enumerate(BUTTONS, 1)}


def anki_stability(state: Any) -> float | None:
    normal = state.normal
    kind = normal.WhichOneof("kind")
    inner = normal.relearning.learning if kind == "relearning" else getattr(normal, kind)
    if not inner.HasField("memory_state"):
        return None
    return float(inner.memory_state.stability)


def recall_interval(due: datetime, now: datetime) -> Interval:
    seconds = round((due - now).total_seconds())
    if seconds >= DAY and seconds % DAY == 0:
        return ("d", seconds // DAY)
    return ("s", seconds)


# Running both -----------------------------------------------------------------------------


def run(sequences: dict[str, list[Step]], anki: AnkiSide, recall: Any, *, seed: int = 7) -> Report:
    """Grade every sequence on both sides; ``recall`` has ``new_card() -> id``,
    ``previews(card_id, now) -> {grade: due}`` and ``grade(card_id, grade, now) -> (due,
    (stability, difficulty))``."""
    report = Report()
    rng = random.Random(seed)
    for name, steps in sequences.items():
        anki_card = anki.new_card()
        recall_card = recall.new_card()
        previous: datetime | None = None
        previous_day = 0
        previous_hour = 0
        last: Interval | None = None
        for index, raw in enumerate(steps):
            step = plan(raw, last, rng, previous_hour)
            day = previous_day + step.day
            if previous is not None and step.day == 0 and step.hour < previous_hour:
                step = Step(0, previous_hour, step.grade)  # never back in time
            now = anki.place_now(step.hour)
            position = now - anki.day_start()
            moment = EPOCH + timedelta(days=day, seconds=position)
            if previous is not None:
                gap = int((moment - previous).total_seconds())
                anki.set_last_review(anki_card, now - gap)
            clock = (step.hour + RECALL_ROLLOVER) % 24
            context = f"day {day}, {clock:02d}h, {GRADE_NAMES[step.grade]}"
            states = anki.states(anki_card)
            theirs = anki_buttons(states)
            ours = {
                g: recall_interval(d, moment)
                for g, d in recall.previews(recall_card, moment).items()
            }
            for grade in (1, 2, 3, 4):
                report.comparisons.append(
                    Comparison(
                        name,
                        index,
                        f"preview {GRADE_NAMES[grade]}",
                        ours[grade],
                        theirs[grade],
                        context,
                        anki_stability(getattr(states, BUTTONS[grade - 1])),
                    )
                )
            due, memory = recall.grade(recall_card, step.grade, moment)
            anki.answer(anki_card, states, step.grade, now)
            last = recall_interval(due, moment)
            chosen = anki_stability(getattr(states, BUTTONS[step.grade - 1]))
            stored = anki.stored_interval(anki_card, now, getattr(states, BUTTONS[step.grade - 1]))
            report.comparisons.append(
                Comparison(name, index, "grade", last, stored, context, chosen)
            )
            theirs_memory = anki.memory(anki_card)
            if theirs_memory is not None:
                report.memory.append((name, index, memory, theirs_memory))
            previous, previous_day, previous_hour = moment, day, step.hour
    return report

"""Property-based fuzzing of the whole /api/v1/ schema with schemathesis.

Every operation of the live schema is called through the WSGI application with
an authenticated user's token and seeded data, with generated valid (positive)
and invalid (negative) input, and with the ids of real objects. Every check of
``schemathesis run --checks all`` runs on every response: no server error, a
documented status code, content type and body, invalid input refused, valid input
accepted. Valid input may still break a business rule the schema cannot express (a
slug already in use): such a 400 passes only when the operation documents that rule
(an example named ``rule ...`` of its 400, see ``recall.core.schema.business_rules``)
and the answer's error is that rule's field or code. Seeds are fixed (derandomised),
so a failure reproduces.
"""

from __future__ import annotations

import traceback
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS as CHECK_REGISTRY
from schemathesis.checks import load_all_checks, positive_data_acceptance

from recall.accounts.tokens import api_token_create
from recall.core.schema import RULE_EXAMPLE_PREFIX
from recall.decks.models import Visibility
from recall.jobs.models import Job
from recall.study.models import CardState, State
from tests.factories import CardFactory, DeckFactory, NoteFactory, TagFactory, UserFactory

# Every built-in check, as `schemathesis run --checks all` runs them.
load_all_checks()


def _documented_rules(operation: Any) -> set[str]:
    """Fields (and codes, for whole-request rules) of the operation's documented rules."""
    response = operation.definition.raw.get("responses", {}).get("400", {})
    examples = response.get("content", {}).get("application/json", {}).get("examples", {})
    rules: set[str] = set()
    for name, example in examples.items():
        if not name.lower().startswith(RULE_EXAMPLE_PREFIX):
            continue
        error = example["value"]["error"]
        rules.update(error.get("fields") or {error["code"]})
    return rules


def positive_data_acceptance_or_documented_rule(ctx: Any, response: Any, case: Any) -> Any:
    """Valid input is accepted, or refused (400) by a rule its operation documents."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except Exception:
        if response.status_code == 400:
            error = response.json()["error"]
            broken = set(error.get("fields") or {error["code"]})
            if broken <= _documented_rules(case.operation):
                return None
        raise


CHECKS = [check for check in CHECK_REGISTRY.get_all() if check is not positive_data_acceptance] + [
    positive_data_acceptance_or_documented_rule
]
MIN_CASES = 1000
# Generated cases per operation: valid input, invalid input, and valid input with real ids.
EXAMPLES = {"positive": 20, "negative": 10, "real_ids": 12}


def _seed() -> tuple[str, dict[str, list[int]]]:
    """A user with decks of every visibility, cards, tags, a job, and someone else's decks."""
    user: Any = UserFactory(username="fuzzer")
    stranger: Any = UserFactory(username="stranger")
    ids: dict[str, list[int]] = {
        "decks": [],
        "notes": [],
        "cards": [],
        "tags": [],
        "jobs": [],
        "tokens": [],
    }
    tag = TagFactory(owner=user, name="django")
    ids["tags"].append(tag.pk)
    for owner in (user, stranger):
        for visibility in Visibility.values:
            deck = DeckFactory(owner=owner, visibility=visibility)
            ids["decks"].append(deck.pk)
            for _ in range(3):
                note = NoteFactory(deck=deck, kind="reversed", answer="```python\nprint('hi')\n```")
                if owner == user:
                    note.tags.add(tag)
                ids["notes"].append(note.pk)
                ids["cards"].extend(note.cards.values_list("pk", flat=True))
    ids["jobs"].append(
        Job.objects.create(owner=user, filename="notes.md", finished_at=timezone.now()).pk
    )
    first: Any = CardFactory(deck_id=ids["decks"][0])
    CardState.objects.create(
        user=user,
        card=first,
        deck_id=first.deck_id,
        state=State.REVIEW,
        due=timezone.now() - timedelta(days=1),
        stability=3.0,
        difficulty=5.0,
        last_review=timezone.now() - timedelta(days=4),
        reps=2,
    )
    # A second token, the target of revocations; the first one keeps authenticating.
    _, key = api_token_create(user=user, name="fuzzing")
    spare, _ = api_token_create(user=user, name="spare")
    ids["tokens"].append(spare.pk)
    return key, ids


@pytest.fixture
def keep_test_connection():
    """Like Django's test client: requests must not close the connection the test holds.

    The WSGI handler closes "obsolete" connections around each request, and inside the
    test's transaction PostgreSQL's would count as one.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _real_ids(path: str, ids: dict[str, list[int]]) -> list[int]:
    for resource, values in ids.items():
        if path.startswith(f"/api/v1/{resource}/"):
            return values
    return []


def _order(operation: Any) -> tuple[int, str]:
    # Deletes last, so the objects the other operations read are still there.
    return (1 if operation.method.upper() == "DELETE" else 0, operation.label)


@pytest.mark.slow
@pytest.mark.django_db
def test_schemathesis_finds_no_failures_in_the_api(keep_test_connection):
    key, ids = _seed()
    headers = {"Authorization": f"Token {key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())
    operations = sorted(
        (r.ok() for r in schema.get_all_operations()),
        key=_order,
    )
    operations = [op for op in operations if op.path.startswith("/api/v1/")]
    assert len(operations) >= 20

    cases = 0
    failures: list[str] = []

    def run(operation: Any, mode: GenerationMode, examples: int, **kwargs: Any) -> None:
        strategy = operation.as_strategy(mode, **kwargs)
        nonlocal cases

        @given(case=strategy)
        @settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            nonlocal cases
            cases += 1
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)

        try:
            check()
        except Unsatisfiable:
            # Nothing to make invalid (no parameters, no body): no negative cases exist.
            if mode is not GenerationMode.NEGATIVE:
                failures.append(f"{operation.label}: no cases could be generated")
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(
                f"{operation.label}: {exc}\n{''.join(traceback.format_exception_only(exc))}"
            )

    for operation in operations:
        run(operation, GenerationMode.POSITIVE, EXAMPLES["positive"])
        run(operation, GenerationMode.NEGATIVE, EXAMPLES["negative"])
        real = _real_ids(operation.path, ids)
        if "{id}" in operation.path and real:
            for pk in real[:3]:
                run(
                    operation,
                    GenerationMode.POSITIVE,
                    EXAMPLES["real_ids"] // 3,
                    path_parameters={"id": pk},
                )

    print(f"schemathesis: {cases} cases over {len(operations)} operations")
    assert failures == [], "\n\n".join(failures)
    assert cases >= MIN_CASES, cases

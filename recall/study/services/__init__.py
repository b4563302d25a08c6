"""Writes of the study app, one module per concern; every public name is re-exported here.

``grading`` (``card_grade``: one grade, exactly once), ``undo`` (``review_undo``), ``bury``
(``card_bury``) and ``parameters`` (fitting a user's FSRS parameters). ``study_queue`` and
``grade_previews`` are reads; they live in ``selectors`` and are re-exported here for callers
that only import services.
"""

from __future__ import annotations

from ..selectors import grade_previews, study_queue
from .bury import card_bury
from .grading import ALREADY_GRADED, MAX_DURATION_MS, GradeResult, card_grade
from .parameters import (
    fit_parameters,
    parameters_optimize,
    parameters_optimize_request,
    review_count,
    training_items,
)
from .undo import UndoResult, review_undo

__all__ = [
    "ALREADY_GRADED",
    "MAX_DURATION_MS",
    "GradeResult",
    "UndoResult",
    "card_bury",
    "card_grade",
    "fit_parameters",
    "grade_previews",
    "parameters_optimize",
    "parameters_optimize_request",
    "review_count",
    "review_undo",
    "study_queue",
    "training_items",
]

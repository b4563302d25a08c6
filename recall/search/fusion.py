"""Reciprocal rank fusion: one ranking from several, by rank alone (scores are not comparable)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

# The constant of Cormack, Clarke and Büttcher (2009): it damps the weight of the very top
# ranks so that one list cannot outvote agreement between the others.
RRF_K = 60


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[K]],
    *,
    k: int = RRF_K,
    weights: Sequence[float] | None = None,
) -> list[tuple[K, float]]:
    """Items of all rankings (each best first), by the sum of weight / (k + rank) over the
    rankings that hold them (every weight 1 unless given), best first; ties keep the order
    of first appearance."""
    if weights is None:
        weights = [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[K, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    order = {item: i for i, item in enumerate(scores)}
    return sorted(scores.items(), key=lambda pair: (-pair[1], order[pair[0]]))

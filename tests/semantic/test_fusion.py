"""Reciprocal rank fusion (recall/search/fusion.py)."""

from __future__ import annotations

import pytest

from recall.search.fusion import RRF_K, reciprocal_rank_fusion


def test_an_item_in_both_rankings_beats_one_at_the_top_of_only_one():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["d", "b", "e"]])
    assert [item for item, _ in fused][:1] == ["b"]
    assert dict(fused)["b"] == pytest.approx(2 / (RRF_K + 2))
    assert dict(fused)["a"] == pytest.approx(1 / (RRF_K + 1))


def test_every_item_appears_once_best_first():
    fused = reciprocal_rank_fusion([["a", "b"], ["c", "a"]], k=1)
    assert [item for item, _ in fused] == ["a", "c", "b"]
    assert len(fused) == 3


def test_an_empty_ranking_leaves_the_other_in_order():
    assert [i for i, _ in reciprocal_rank_fusion([[3, 1, 2], []])] == [3, 1, 2]


def test_weights_scale_each_rankings_votes():
    fused = dict(reciprocal_rank_fusion([["a", "b"], ["b", "a"]], weights=[0.25, 1.0]))
    assert fused["b"] == pytest.approx(0.25 / (RRF_K + 2) + 1 / (RRF_K + 1))
    assert fused["b"] > fused["a"]
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"], ["b"]], weights=[1.0])

"""Issue 19, item 1: no regular expression run on user text backtracks catastrophically.

Two kinds of proof. The structural one (regex_audit) holds for every pattern in recall/:
no unbounded repeat nested in another, no ambiguous alternation inside one. The inputs of
the issue, and pumped inputs for the patterns that were quadratic or cubic, are then run
at a size where the old patterns would take hours to years; the timeout is only a safety
net so that a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import recall
from recall.decks.exporters import markdown as markdown_exporter
from recall.decks.importers import (
    bold_questions,
    cloze,
    html_to_markdown,
    inline_separators,
    markdown_blocks,
)
from recall.decks.rendering import CLOZE_RE, render_full, render_markdown
from recall.search import query

from .regex_audit import patterns_in, problems

RECALL_DIR = Path(recall.__file__).resolve().parent
# The pattern the issue reproduced, as it was.
OLD_PLAIN_TEXT = r"[^\W\d_][^\W_]*(?:[ ,.;:?'\"()/@$%+-]+[^\W_]*)*[ ,.;:?'\"()/@$%+-]*"
COLOURS = (
    "Name the colours: red, green, blue, yellow, orange, purple, pink, brown, black, white, "
    "grey, cyan, magenta, lime, olive, navy, teal, maroon, silver, gold, beige - all of them!"
)


def _module_patterns() -> dict[str, re.Pattern[str]]:
    """Compiled patterns held by recall's modules (those built from imported names too)."""
    found = {}
    for info in pkgutil.walk_packages([str(RECALL_DIR)], "recall."):
        if ".migrations" in info.name:
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                found[f"{info.name}.{name}"] = value
    return found


def test_no_pattern_in_recall_nests_quantifiers_or_ambiguous_alternatives():
    from_source = dict(patterns_in(RECALL_DIR))
    compiled = _module_patterns()
    assert len(from_source) > 50 and len(compiled) > 40  # the walk did find the code
    bad = {
        where: found
        for where, pattern in [*from_source.items(), *compiled.items()]
        if (found := problems(pattern))
    }
    assert bad == {}


@pytest.mark.parametrize(
    "pattern",
    # The last one: a possessive loop gives nothing back, but its body alone can backtrack.
    [OLD_PLAIN_TEXT, r"(a+)+b", r"(?:a|ab)*c", r"(?:\w|\d\d)+!", r"(?:x*y?)*z", r"(?:(?:a+)+b)*+"],
)
def test_the_audit_finds_catastrophic_patterns(pattern):
    assert problems(pattern)


@pytest.mark.parametrize(
    "pattern",
    [r"(?:a|b)*c", r"\w+(?:\.\w++)*+", r"[^\W\d_](?:[^\W_]|[ ,.])*+", r"a*b*", r"(?:a+b)*+"],
)
def test_the_audit_accepts_patterns_that_match_in_one_way(pattern):
    assert problems(pattern) == []


@pytest.mark.timeout(10)
@pytest.mark.parametrize("n", [20, 26, 27, 40, 5_000, 50_000])
def test_a_word_then_spaces_then_a_stray_character_renders_in_one_pass(n):
    # 2**n backtracking steps before: 7 s at n=26 in the issue, the age of the universe here.
    text = "a" + " " * n + "!"
    assert render_markdown(text) == render_full(text) == "<p>a" + " " * n + "!</p>\n"


@pytest.mark.timeout(10)
@pytest.mark.parametrize("repeat", [1, 2_000])
def test_the_colours_sentence_of_the_issue_renders_in_one_pass(repeat):
    text = " ".join([COLOURS] * repeat)
    assert render_markdown(text) == render_full(text) == f"<p>{text}</p>\n"


N = 200_000  # quadratic: 10**10 steps or more; linear: milliseconds


@pytest.mark.timeout(10)
def test_cloze_markers_are_found_in_one_pass():
    text = "{{c1::" + ":" * N + "!"
    assert not CLOZE_RE.search(text)
    assert "<mark" not in render_markdown(text)
    many = "{{c1::a::" * (N // 9) + "{{c2::b::hint}}"
    assert [m.group(2, 3) for m in CLOZE_RE.finditer(many)] == [("b", "hint")]


@pytest.mark.timeout(10)
def test_import_patterns_stay_linear_on_long_runs():
    spaces = " " * N
    assert markdown_blocks._ATX.match(f"# a{spaces}b").group(2) == f"a{spaces}b"
    assert markdown_blocks.heading_text(f"a{spaces}b") == f"a{spaces}b"
    assert not markdown_blocks.is_tag_line("#a" + " #a" * (N // 3) + " !")
    assert bold_questions._Q_LABEL.match(f"**Q1:** a{spaces}b").group(1) == f"a{spaces}b"
    assert len(list(cloze._CODE_SPAN.finditer("`" * N))) == 0
    assert len(list(inline_separators._CODE_SPAN.finditer("`" * N + "a"))) == 0
    assert cloze._HIGHLIGHT.sub("", "==a " * (N // 4)) == "==a " * (N // 4)
    newlines = "\n" * N + "#"
    assert html_to_markdown._LINE_START_RE.sub(r"\1\\\2", newlines) == "\n" * N + "\\#"
    assert html_to_markdown._LINE_START_NUMBER_RE.search(newlines) is None
    assert markdown_exporter._one_line(f"a{spaces}b") == f"a{spaces}b"
    assert len(query.TOKEN_RE.findall("a." * N)) == 1

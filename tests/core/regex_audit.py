"""A structural check for regular expressions that could backtrack catastrophically.

Python's ``re`` backtracks: a quantified group whose body can itself repeat, or can match
the same text through two branches, may try exponentially many ways to split a text before
failing. The check walks the parsed pattern (``re._parser``, the module ``re`` itself uses)
and reports every unbounded greedy or lazy repeat nested in another one, and every
alternation inside one whose branches may begin with the same character. Possessive
repeats (``*+``, ``++``) and atomic groups never give back what they matched, so a repeat
inside them starts a fresh scope; lookarounds, which Python runs atomically, too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

# Characters tried when deciding whether two branches can start alike: ASCII, Latin-1,
# and a few letters, digits and spaces from further away.
_PROBES = [chr(c) for c in range(0x250)] + list("\u0391\u0436\u4e2d\u0661\u2028\u3000\uff10")

_CATEGORIES = {
    sre.CATEGORY_DIGIT: lambda ch: ch.isdecimal(),
    sre.CATEGORY_NOT_DIGIT: lambda ch: not ch.isdecimal(),
    sre.CATEGORY_SPACE: lambda ch: ch.isspace(),
    sre.CATEGORY_NOT_SPACE: lambda ch: not ch.isspace(),
    sre.CATEGORY_WORD: lambda ch: ch.isalnum() or ch == "_",
    sre.CATEGORY_NOT_WORD: lambda ch: not (ch.isalnum() or ch == "_"),
}


def problems(pattern: str | re.Pattern[str]) -> list[str]:
    """What in ``pattern`` may backtrack exponentially; empty when nothing does."""
    source, flags = (
        (pattern.pattern, pattern.flags)
        if isinstance(pattern, re.Pattern)
        else (
            pattern,
            0,
        )
    )
    found: list[str] = []
    _walk(sre_parse.parse(source, flags), found, in_repeat=False)
    return found


def _walk(items: Any, found: list[str], *, in_repeat: bool) -> None:
    for op, av in items:
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            _low, high, body = av
            unbounded = high == sre.MAXREPEAT
            if unbounded and in_repeat:
                found.append("a repeat nested in a repeat")
            _walk(body, found, in_repeat=in_repeat or unbounded)
        elif op is sre.POSSESSIVE_REPEAT:
            _walk(av[2], found, in_repeat=False)
        elif op is sre.ATOMIC_GROUP:
            _walk(av, found, in_repeat=False)
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            _walk(av[1], found, in_repeat=False)
        elif op is sre.SUBPATTERN:
            _walk(av[-1], found, in_repeat=in_repeat)
        elif op is sre.BRANCH:
            branches = av[1]
            if in_repeat and not _disjoint_starts(branches):
                found.append("an alternation in a repeat whose branches may start alike")
            for branch in branches:
                _walk(branch, found, in_repeat=in_repeat)
        elif op is sre.GROUPREF_EXISTS:
            for branch in av[1:]:
                if branch is not None:
                    _walk(branch, found, in_repeat=in_repeat)


def _disjoint_starts(branches: list[Any]) -> bool:
    sets = [_first_chars(branch) for branch in branches]
    if any(s is None for s in sets):
        return False
    seen: set[str] = set()
    for chars in sets:
        assert chars is not None
        if seen & chars:
            return False
        seen |= chars
    return True


def _first_chars(items: Any) -> set[str] | None:
    """The probe characters a branch may start with; None when it may start with nothing."""
    for op, av in items:
        if op is sre.AT:
            continue  # an anchor consumes nothing; the next item decides
        if op is sre.SUBPATTERN:
            return _first_chars(av[-1])
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            return _first_chars(av[2]) if av[0] >= 1 else None
        if op in (sre.LITERAL, sre.NOT_LITERAL, sre.IN, sre.ANY):
            return {ch for ch in _PROBES if _matches(op, av, ch)}
        return None  # lookarounds, back-references, nested alternations: assume the worst
    return None


def _matches(op: Any, av: Any, ch: str) -> bool:
    if op is sre.LITERAL:
        return ord(ch) == av
    if op is sre.NOT_LITERAL:
        return ord(ch) != av
    if op is sre.ANY:
        return True
    negate = bool(av) and av[0][0] is sre.NEGATE
    hit = False
    for kind, value in av[1:] if negate else av:
        if kind is sre.LITERAL:
            hit = ord(ch) == value
        elif kind is sre.RANGE:
            hit = value[0] <= ord(ch) <= value[1]
        elif kind is sre.CATEGORY:
            hit = _CATEGORIES.get(value, lambda _ch: True)(ch)
        else:
            hit = True  # unknown member: assume it matches
        if hit:
            break
    return hit != negate


def patterns_in(package: Path) -> Iterator[tuple[str, str | re.Pattern[str]]]:
    """Every literal pattern given to re.compile / re.sub / re.match ... in a package's code.

    Read from the source (not by importing), so a pattern built in a function counts too;
    f-strings and names are resolved when they refer to module-level string constants.
    """
    for path in sorted(package.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _string_constants(tree)
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "re"
                and node.args
            ):
                continue
            source = _resolve(node.args[0], constants)
            if source is not None:
                verbose = any(
                    isinstance(n, ast.Attribute) and n.attr in ("X", "VERBOSE")
                    for arg in node.args[1:] + [k.value for k in node.keywords]
                    for n in ast.walk(arg)
                )
                where = f"{path.relative_to(package.parent)}:{node.lineno}"
                yield where, re.compile(source, re.VERBOSE) if verbose else source


def _string_constants(tree: ast.Module) -> dict[str, str]:
    constants: dict[str, str] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            value = _resolve(node.value, constants)
            if value is not None:
                constants[node.targets[0].id] = value
    return constants


def _resolve(node: ast.expr, constants: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                part = _resolve(value.value, constants)
                if part is None:
                    return None
                parts.append(part)
            else:
                parts.append(_resolve(value, constants) or "")
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _resolve(node.left, constants), _resolve(node.right, constants)
        return None if left is None or right is None else left + right
    return None

"""Helpers for management commands: a progress bar that long work reports to."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from django.core.management.base import BaseCommand
from tqdm import tqdm


@contextmanager
def progress_bar(
    command: BaseCommand, *, desc: str, unit: str = "card", disable: bool = False
) -> Iterator[Callable[[int, int], None]]:
    """A bar on the command's stderr, and the ``progress(done, total)`` callback that moves it."""
    bar = tqdm(
        total=0,
        unit=unit,
        desc=desc,
        disable=disable,
        # The raw stream: Django's wrapper would end every redraw with a newline.
        file=cast(Any, command.stderr)._out,
    )

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    with bar:
        yield progress

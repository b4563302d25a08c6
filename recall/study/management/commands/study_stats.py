"""manage.py study_stats USER: print a user's study statistics (as the dashboard shows them)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from recall.study import selectors


class Command(BaseCommand):
    help = "Print a user's study statistics: decks, reviews, retention, forecast, streaks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--json", action="store_true", help="print the statistics as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user named {options['username']!r}")
        stats = selectors.compute_stats(user)
        if options["json"]:
            self.stdout.write(json.dumps(stats, cls=DjangoJSONEncoder, indent=2))
            return
        self.stdout.write(self.render(user, stats))

    def render(self, user: Any, stats: dict[str, Any]) -> str:
        lines = [f"Study statistics of {user.username} (study day {stats['day']})", ""]
        lines.append(
            f"{'deck':40} {'new':>6} {'learn':>6} {'review':>7} {'due':>6} {'archived':>8}"
        )
        for d in stats["decks"]:
            lines.append(
                f"{d['title'][:40]:40} {d['new']:>6} {d['learning']:>6} {d['review']:>7} "
                f"{d['due_today']:>6} {d['archived']:>8}"
            )
        if not stats["decks"]:
            lines.append("(no decks)")
        today = stats["today"]
        per_day = stats["reviews_per_day"]
        retention = stats["true_retention"]
        avg = stats["average_time"]
        streaks = stats["streaks"]
        forecast = stats["due_forecast"]
        rate = retention["retention"]
        lines += [
            "",
            f"Today: {today['reviews']} reviews ({today['new']} new), "
            f"{today['time_ms'] / 60000:.1f} min",
            f"Last 365 days: {sum(r['count'] for r in per_day)} reviews on {len(per_day)} days",
            "True retention (30 days): "
            + (
                f"{rate:.1%} of {retention['reviews']} reviews"
                if rate is not None
                else "no reviews"
            ),
            f"Streak: {streaks['current']} days (longest {streaks['longest']})",
            "Average answer time: "
            + (f"{avg['average_ms'] / 1000:.1f} s" if avg["average_ms"] is not None else "-"),
            f"Due in the next 7 days: {sum(f['count'] for f in forecast[:7])}, "
            f"next 30 days: {sum(f['count'] for f in forecast)}",
        ]
        return "\n".join(lines)

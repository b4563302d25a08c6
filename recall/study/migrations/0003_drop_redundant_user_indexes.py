"""Drop the user foreign keys' own indexes on CardState and ReviewLog.

Each is the first column of a wider index already there (the unique (user, card)
constraint; (user, reviewed_at)), which serves the same lookups and cascades. Every
grade wrote both. Done as a plain DROP INDEX: Django's AlterField would rebuild both
tables on SQLite, copying the whole review log.
"""

from django.conf import settings
from django.db import migrations, models

# Django's own names for these indexes (the same on every database).
INDEXES = {
    "study_cardstate": "study_cardstate_user_id_febcdd03",
    "study_reviewlog": "study_reviewlog_user_id_cc72f2c7",
}


def _drop(table: str, name: str) -> migrations.RunSQL:
    return migrations.RunSQL(
        f'DROP INDEX IF EXISTS "{name}"',
        reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("user_id")',
    )


def _user_without_index(model_name: str, related_name: str) -> migrations.AlterField:
    return migrations.AlterField(
        model_name=model_name,
        name="user",
        field=models.ForeignKey(
            db_index=False,
            on_delete=models.deletion.CASCADE,
            related_name=related_name,
            to=settings.AUTH_USER_MODEL,
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("study", "0002_daily_review_count"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[_drop(table, name) for table, name in INDEXES.items()],
            state_operations=[
                _user_without_index("cardstate", "card_states"),
                _user_without_index("reviewlog", "review_logs"),
            ],
        )
    ]

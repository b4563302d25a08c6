"""Job now lives in the jobs app (jobs 0001 took its table over): drop it from decks' state."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("decks", "0009_note_context"),
        ("jobs", "0001_job_moves_from_decks"),
        ("sources", "0004_syncrun_job_in_jobs"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Job")],
            database_operations=[],
        ),
    ]

"""A sync run's job is now jobs.Job: state only, the foreign key already follows the table
renamed by jobs 0001 (decks_job -> jobs_job)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("sources", "0003_source_import_options"),
        ("jobs", "0001_job_moves_from_decks"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="syncrun",
                    name="job",
                    field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="sync_run", to="jobs.job"),
                ),
            ],
            database_operations=[],
        ),
    ]

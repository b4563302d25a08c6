"""Job moves from decks to jobs: same rows, same ids; the table is renamed, never copied.

1. jobs takes over the model as it was (state only, on decks' table decks_job).
2. The deck column loses its foreign key constraint (jobs sits below decks and knows no
   decks); decks clears the id when a deck is deleted (recall.decks.receivers).
3. The column becomes a plain id in the state (same column, deck_id).
4. The table is renamed decks_job -> jobs_job (foreign keys to it follow the rename).
decks drops the model from its state afterwards (decks 0010_job_moves_to_jobs).
"""

import django.db.models.deletion
import recall.core.storage
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        # After decks 0008, which gave decks.Job its import options, preview status and
        # source-sync kind: the state taken over below is the model as it was then.
        ("decks", "0008_import_options_preview_source_sync"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Job",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("kind", models.CharField(choices=[("import", "Import"), ("reindex", "Search reindex"), ("link_check", "Link check"), ("source_sync", "Source sync")], default="import", max_length=12)),
                        ("target_deck_slug", models.SlugField(blank=True, max_length=200)),
                        ("import_options", models.JSONField(blank=True, default=dict)),
                        ("upload", models.FileField(blank=True, storage=recall.core.storage.private_upload_storage, upload_to="imports/%Y/%m/")),
                        ("filename", models.CharField(blank=True, max_length=255)),
                        ("status", models.CharField(choices=[("pending", "Waiting"), ("running", "Running"), ("succeeded", "Done"), ("failed", "Failed"), ("preview", "Previewed")], db_index=True, default="pending", max_length=10)),
                        ("progress", models.PositiveIntegerField(default=0)),
                        ("total", models.PositiveIntegerField(default=0)),
                        ("message", models.TextField(blank=True)),
                        ("result", models.JSONField(blank=True, default=dict)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("deck", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="decks.deck")),
                        ("owner", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="jobs", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={"ordering": ["-created_at"], "db_table": "decks_job"},
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterField(
            model_name="job",
            name="deck",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="decks.deck"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="job", name="deck"),
                migrations.AddField(
                    model_name="job",
                    name="deck_id",
                    field=models.BigIntegerField(blank=True, db_index=True, null=True),
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="job", table=None),
    ]

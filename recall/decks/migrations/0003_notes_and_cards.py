"""Split the card into a note (the content) and its cards (the prompts that are studied).

This migration adds the note table and the card's new columns; 0004 moves the data and
0005 drops what the card no longer holds.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("decks", "0002_job_upload_private_storage")]

    operations = [
        migrations.AddField(
            model_name="deck",
            name="bury_siblings",
            field=models.BooleanField(default=True),
        ),
        migrations.CreateModel(
            name="Note",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("position", models.PositiveIntegerField(default=0)),
                ("kind", models.CharField(choices=[("basic", "Basic"), ("reversed", "Basic and reversed"), ("cloze", "Cloze")], default="basic", max_length=10)),
                ("question", models.TextField()),
                ("answer", models.TextField(blank=True)),
                ("question_html", models.TextField(blank=True, editable=False)),
                ("answer_html", models.TextField(blank=True, editable=False)),
                ("source_file", models.CharField(blank=True, max_length=500)),
                ("source_line", models.PositiveIntegerField(blank=True, null=True)),
                ("source_key", models.CharField(blank=True, db_index=True, max_length=64)),
                ("content_hash", models.CharField(blank=True, max_length=64)),
                ("is_archived", models.BooleanField(db_index=True, default=False)),
                ("deck", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="notes", to="decks.deck")),
                ("tags", models.ManyToManyField(blank=True, related_name="notes", to="decks.tag")),
            ],
            options={"ordering": ["deck_id", "position", "id"]},
        ),
        migrations.AddIndex(
            model_name="note",
            index=models.Index(fields=["deck", "is_archived", "position"], name="decks_note_deck_id_cdca74_idx"),
        ),
        migrations.AddField(
            model_name="card",
            name="note",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="cards", to="decks.note"),
        ),
        migrations.AddField(
            model_name="card",
            name="ordinal",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="card",
            name="suspended",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="card",
            name="flagged",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="link",
            name="notes",
            field=models.ManyToManyField(blank=True, related_name="links", to="decks.note"),
        ),
    ]

"""The card holds only its prompt now: the note is required, the content columns go.

Separate from 0004 so that these schema changes run in their own transaction after the data
moved (PostgreSQL refuses to alter a table with pending deferred-constraint checks).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("decks", "0004_split_cards")]

    operations = [
        migrations.AlterField(
            model_name="card",
            name="note",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="cards", to="decks.note"),
        ),
        migrations.RemoveField(model_name="link", name="cards"),
        migrations.RemoveField(model_name="card", name="tags"),
        migrations.RemoveField(model_name="card", name="kind"),
        migrations.RemoveField(model_name="card", name="source_file"),
        migrations.RemoveField(model_name="card", name="source_line"),
        migrations.RemoveField(model_name="card", name="source_key"),
        migrations.RemoveField(model_name="card", name="content_hash"),
        migrations.AlterModelOptions(
            name="card",
            options={"ordering": ["deck_id", "position", "ordinal", "id"]},
        ),
        migrations.AddConstraint(
            model_name="card",
            constraint=models.UniqueConstraint(fields=("note", "ordinal"), name="card_unique_ordinal"),
        ),
    ]

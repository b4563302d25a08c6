"""The meaning of each note as a vector, kept beside the hash of the text it was computed from."""

from __future__ import annotations

from django.db import models

from recall.decks.models import Note


class NoteEmbedding(models.Model):
    """One note's sentence embedding (float32, little-endian, unit length).

    ``text_hash`` covers the model name and the embedded text, so a note is encoded again
    only when its question or answer (or the model) changed. Archived notes have none.
    """

    note = models.OneToOneField(
        Note, primary_key=True, on_delete=models.CASCADE, related_name="embedding"
    )
    text_hash = models.CharField(max_length=64)
    # Raw float32 bytes: the format sqlite-vec reads, and numpy.frombuffer without a copy.
    vector = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return f"embedding of note {self.note_id}"

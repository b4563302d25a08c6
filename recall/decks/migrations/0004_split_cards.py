"""Each old card becomes a note and that note's first card; reversed and cloze notes gain
their other cards.

A note takes the id of the card it came from (so the search index, keyed by note, stays
valid), and the card keeps its own id and with it every CardState and ReviewLog row of every
user: no review is touched. A reversed note gains a backward card, a cloze note one card per
further deletion number; those start new. Tags and link rows move from the card to its note.
Alone in its migration: PostgreSQL builds the new foreign keys' indexes at the end of 0003,
which it refuses to do on a table with rows changed in the same transaction.
"""

from django.core.management.color import no_style
from django.db import migrations, models

BATCH = 500


def _prompts(kind, question, answer):
    # The application's rule for what a note generates; the HTML is a rendering cache that
    # ``manage.py rerender_cards`` can always bring up to date.
    from recall.decks.prompts import note_prompts

    return note_prompts(kind=kind, question=question, answer=answer)


def _render(text):
    from recall.decks.rendering import render_markdown

    return render_markdown(text)


def split_cards(apps, schema_editor):
    Card = apps.get_model("decks", "Card")
    Note = apps.get_model("decks", "Note")
    Link = apps.get_model("decks", "Link")
    db = schema_editor.connection.alias
    card_tags = Card.tags.through.objects.using(db)
    note_tags = Note.tags.through
    link_cards = Link.cards.through.objects.using(db)
    link_notes = Link.notes.through
    # Only the cards there before: the sibling cards made below get higher ids.
    end = Card.objects.using(db).aggregate(end=models.Max("pk"))["end"] or 0
    last = 0
    while True:
        batch = list(
            Card.objects.using(db).filter(pk__gt=last, pk__lte=end).order_by("pk")[:BATCH]
        )
        if not batch:
            break
        last = batch[-1].pk
        Note.objects.using(db).bulk_create(
            [
                Note(
                    id=c.pk,
                    created_at=c.created_at,
                    updated_at=c.updated_at,
                    deck_id=c.deck_id,
                    position=c.position,
                    kind=c.kind,
                    question=c.question,
                    answer=c.answer,
                    question_html=c.question_html,
                    answer_html=c.answer_html,
                    source_file=c.source_file,
                    source_line=c.source_line,
                    source_key=c.source_key,
                    content_hash=c.content_hash,
                    is_archived=c.is_archived,
                )
                for c in batch
            ]
        )
        ids = [c.pk for c in batch]
        note_tags.objects.using(db).bulk_create(
            [
                note_tags(note_id=row.card_id, tag_id=row.tag_id)
                for row in card_tags.filter(card_id__in=ids)
            ]
        )
        link_notes.objects.using(db).bulk_create(
            [
                link_notes(note_id=row.card_id, link_id=row.link_id)
                for row in link_cards.filter(card_id__in=ids)
            ]
        )
        changed, extra = [], []
        for card in batch:
            card.note_id = card.pk
            prompts = _prompts(card.kind, card.question, card.answer)
            first, rest = prompts[0], prompts[1:]
            card.ordinal = first.ordinal
            if card.kind == "cloze":
                card.question, card.answer = first.front, first.back
                card.question_html, card.answer_html = _render(first.front), _render(first.back)
            changed.append(card)
            extra.extend(
                Card(
                    note_id=card.pk,
                    ordinal=p.ordinal,
                    deck_id=card.deck_id,
                    position=card.position,
                    question=p.front,
                    answer=p.back,
                    question_html=_render(p.front),
                    answer_html=_render(p.back),
                    is_archived=card.is_archived,
                )
                for p in rest
            )
        Card.objects.using(db).bulk_update(
            changed, ["note", "ordinal", "question", "answer", "question_html", "answer_html"]
        )
        Card.objects.using(db).bulk_create(extra)
    _rekey_cloze_notes(Note, db)
    # Notes were written with explicit ids: move the id sequence past them (PostgreSQL).
    with schema_editor.connection.cursor() as cursor:
        for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), [Note]):
            cursor.execute(sql)


def _rekey_cloze_notes(Note, db):
    """A cloze note is now identified by its text without markers (see identity_text), so
    that re-importing it after a deletion changed edits it: recompute those keys, in file
    order per deck as an import does, so the next import finds every cloze note again."""
    from recall.decks.prompts import identity_text
    from recall.decks.services import note_source_keys

    deck_ids = Note.objects.using(db).filter(kind="cloze").values_list("deck_id", flat=True)
    for deck_id in sorted(set(deck_ids)):
        notes = list(
            Note.objects.using(db)
            .filter(deck_id=deck_id, is_archived=False)
            .order_by("position", "id")
            .only("id", "kind", "question", "source_key")
        )
        keys = note_source_keys(identity_text(n.kind, n.question) for n in notes)
        changed = []
        for note, key in zip(notes, keys):
            if note.kind == "cloze" and note.source_key != key:
                note.source_key = key
                changed.append(note)
        Note.objects.using(db).bulk_update(changed, ["source_key"], batch_size=BATCH)


def join_cards(apps, schema_editor):
    """Back to one card per note: each note's extra cards go (the first keeps its reviews)."""
    Card = apps.get_model("decks", "Card")
    Note = apps.get_model("decks", "Note")
    Link = apps.get_model("decks", "Link")
    db = schema_editor.connection.alias
    for note in Note.objects.using(db).order_by("pk").iterator():
        cards = list(Card.objects.using(db).filter(note_id=note.pk).order_by("id"))
        if not cards:
            continue
        first = cards[0]
        Card.objects.using(db).filter(pk__in=[c.pk for c in cards[1:]]).delete()
        first.kind, first.question, first.answer = note.kind, note.question, note.answer
        first.question_html, first.answer_html = note.question_html, note.answer_html
        first.source_file, first.source_line = note.source_file, note.source_line
        first.source_key, first.content_hash = note.source_key, note.content_hash
        first.save()
        first.tags.set(note.tags.all())
        for link in Link.objects.using(db).filter(notes=note):
            link.cards.add(first)


class Migration(migrations.Migration):
    dependencies = [("decks", "0003_notes_and_cards")]

    operations = [migrations.RunPython(split_cards, join_cards, elidable=False)]

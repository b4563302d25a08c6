"""Management commands of the decks app."""

"""import_notes, export_deck, load_sample_deck and friends."""

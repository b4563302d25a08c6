"""Meaning-aware matching: local sentence embeddings (optional ``semantic`` extra)."""

"""Recall: learn from your own technical notes."""

"""Support modules of bench/api.py (settings and URLs used only by the API benchmark)."""

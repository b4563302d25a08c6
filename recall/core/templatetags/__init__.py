"""Template tags of the Recall site."""

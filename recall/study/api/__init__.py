"""The study API under /api/v1/study/."""

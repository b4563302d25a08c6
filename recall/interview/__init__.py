"""Interview mode: answer in writing, get graded against your own notes (issue 18)."""

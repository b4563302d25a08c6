"""Steps the benchmark scripts share: a synthetic card corpus, throw-away PostgreSQL
databases, the Anki side of the peer benchmark and timing helpers."""

-- Case memory: resolved cases with an embedding of their text. Vector
-- search is done in Go over the float32 blobs.

CREATE TABLE case_memory (
	case_id     TEXT PRIMARY KEY,
	class       TEXT NOT NULL DEFAULT '',
	customer_id TEXT NOT NULL DEFAULT '',
	order_id    TEXT NOT NULL DEFAULT '',
	text        TEXT NOT NULL DEFAULT '',
	embedding   BLOB NOT NULL,
	resolution  TEXT NOT NULL DEFAULT '',
	resolved_by TEXT NOT NULL DEFAULT '',
	resolved_at INTEGER NOT NULL
);
CREATE INDEX case_memory_resolved_at ON case_memory (resolved_at);
CREATE INDEX case_memory_class ON case_memory (class);

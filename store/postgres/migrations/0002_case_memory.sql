-- Case memory: resolved cases with an embedding of their text in a
-- pgvector column (dimension = store.EmbeddingDim) under an HNSW index for
-- cosine distance. Needs pgvector >= 0.8 (iterative index scans).

CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;

CREATE TABLE case_memory (
	case_id     text PRIMARY KEY,
	class       text NOT NULL DEFAULT '',
	customer_id text NOT NULL DEFAULT '',
	order_id    text NOT NULL DEFAULT '',
	text        text NOT NULL DEFAULT '',
	embedding   vector(256) NOT NULL,
	resolution  text NOT NULL DEFAULT '',
	resolved_by text NOT NULL DEFAULT '',
	resolved_at timestamptz NOT NULL
);
CREATE INDEX case_memory_embedding ON case_memory USING hnsw (embedding vector_cosine_ops);
CREATE INDEX case_memory_class ON case_memory (class);
CREATE INDEX case_memory_customer ON case_memory (customer_id);
CREATE INDEX case_memory_resolved_at ON case_memory (resolved_at);

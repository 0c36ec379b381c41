-- Seed 004's embeddings for semantic search (1536 dimensions, OpenAI's): needs pgvector on the server,
-- and on the shadow server (the embedded PostgreSQL has it; Debian's PostgreSQL 15 packages do not).
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE embeddings (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    knowledge_base_id uuid NOT NULL REFERENCES knowledge_bases (id) ON DELETE CASCADE,
    chunk_index integer NOT NULL,
    content text NOT NULL,
    embedding vector(1536) NOT NULL,
    token_count integer,
    metadata jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (knowledge_base_id, chunk_index)
);
CREATE INDEX embeddings_hnsw ON embeddings USING hnsw (embedding vector_cosine_ops);
ALTER TABLE embeddings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON embeddings USING (tenant_id = current_tenant());
GRANT SELECT, INSERT, DELETE ON embeddings TO hot_app;

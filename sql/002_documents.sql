-- Documents: collections, uploaded documents and their versions, the original bytes, and chunks.
--
-- A document is what the tenant sees and addresses (doc_…). Each upload of its content is a
-- version: the first POST makes version 1, every PUT the next one. Versions carry the ingestion
-- state (queued → processing → ready | failed), the lease of the job processing them, and timings.
-- Chunks exist only for the version that answers (documents.active_version): a new version's
-- chunks and the switch to it commit in one transaction, which also deletes the old version's.

-- Keys may carry `internal`: they see internal collections (admin keys see everything).
ALTER TABLE api_keys DROP CONSTRAINT api_keys_scopes_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_check
    CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['query', 'ingest', 'admin', 'internal']);

-- The default plan accepts uploads up to 50 MB (the nginx site accepts the largest plan's limit;
-- Parley refuses what a tenant's plan does not allow).
UPDATE plans SET max_upload_bytes = 52428800 WHERE id = 'free' AND max_upload_bytes < 52428800;

CREATE TABLE collections (
    id          text PRIMARY KEY CHECK (id ~ '^col_[a-z0-9]{20}$'),
    tenant_id   text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    -- public: the widget and the channels may answer from it; internal: only keys with the
    -- internal (or admin) scope and signed-in users see it.
    visibility  text NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'internal')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, name)
);

CREATE TABLE documents (
    id             text PRIMARY KEY CHECK (id ~ '^doc_[a-z0-9]{20}$'),
    tenant_id      text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    collection_id  text NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    title          text CHECK (length(title) BETWEEN 1 AND 500),
    source_url     text CHECK (length(source_url) BETWEEN 1 AND 2000),
    metadata       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    -- The version whose chunks answer questions (NULL until one is ready) and the newest version.
    active_version integer,
    latest_version integer NOT NULL DEFAULT 1 CHECK (latest_version > 0),
    -- SHA-256 of the newest version's bytes. Unique per collection: uploading the same bytes again
    -- returns the existing document instead of a duplicate, even when two uploads race.
    content_sha256 bytea NOT NULL CHECK (length(content_sha256) = 32),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, collection_id, content_sha256)
);
CREATE INDEX documents_tenant_created ON documents (tenant_id, created_at DESC, id DESC);

CREATE TABLE document_versions (
    tenant_id        text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    document_id      text NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    version          integer NOT NULL CHECK (version > 0),
    filename         text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    format           text NOT NULL CHECK (format IN ('pdf', 'docx', 'text', 'markdown', 'html', 'csv', 'tsv', 'json', 'jsonl')),
    media_type       text NOT NULL,
    byte_size        bigint NOT NULL CHECK (byte_size > 0),
    sha256           bytea NOT NULL CHECK (length(sha256) = 32),
    status           text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'processing', 'ready', 'failed')),
    stage            text,
    progress         smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    attempts         smallint NOT NULL DEFAULT 0,
    error            text,
    lease_owner      text,
    lease_expires_at timestamptz,
    chunk_count      integer,
    pages            integer,
    -- Milliseconds per stage of the last attempt: parse, chunk, embed, store, total.
    timings          jsonb NOT NULL DEFAULT '{}',
    queued_at        timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    PRIMARY KEY (document_id, version),
    CHECK (status <> 'processing' OR (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL))
);
-- The job's queue: only unfinished versions are in this index, so it stays tiny.
CREATE INDEX document_versions_queue ON document_versions (queued_at, document_id) WHERE status IN ('queued', 'processing');
CREATE INDEX document_versions_tenant ON document_versions (tenant_id, document_id);

-- The uploaded bytes, in parts of at most 1 MiB, so the job can stream large files (a 200 MB CSV
-- is parsed part by part, never held whole). lz4 is cheap enough for the upload path.
CREATE TABLE document_parts (
    tenant_id   text NOT NULL,
    document_id text NOT NULL,
    version     integer NOT NULL,
    part        integer NOT NULL CHECK (part >= 0),
    bytes       bytea NOT NULL,
    PRIMARY KEY (document_id, version, part),
    FOREIGN KEY (document_id, version) REFERENCES document_versions (document_id, version) ON DELETE CASCADE
);
ALTER TABLE document_parts ALTER COLUMN bytes SET COMPRESSION lz4;

-- Chunks reference their document without a foreign key on purpose: the job inserts a version's
-- chunks inside one long transaction, and a foreign key would hold a lock on the document row for
-- all that time, so DELETE /v1/documents/{id} would wait for the job. Instead the job re-checks,
-- under a row lock at commit, that its version still exists and is still leased to it; and every
-- delete removes the chunks in the same transaction.
CREATE TABLE chunks (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id     text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    document_id   text NOT NULL,
    version       integer NOT NULL,
    collection_id text NOT NULL,
    ordinal       integer NOT NULL CHECK (ordinal >= 0),
    text          text NOT NULL,
    tsv           tsvector NOT NULL,
    embedding     real[] NOT NULL,
    model         text NOT NULL,
    page_start    integer,
    page_end      integer,
    heading_path  text[] NOT NULL DEFAULT '{}',
    char_start    integer NOT NULL,
    char_end      integer NOT NULL,
    token_count   integer NOT NULL,
    metadata      jsonb NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- A re-run of a version can never add a second copy of a chunk.
    UNIQUE (document_id, version, ordinal)
);
CREATE INDEX chunks_tenant_document ON chunks (tenant_id, document_id, ordinal);
CREATE INDEX chunks_tsv ON chunks USING gin (tsv);
-- The search index watermark: chunks committed after a tenant's index file are read by id.
CREATE INDEX chunks_tenant_id ON chunks (tenant_id, id);

ALTER TABLE collections       ENABLE ROW LEVEL SECURITY;
ALTER TABLE documents         ENABLE ROW LEVEL SECURITY;
ALTER TABLE document_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE document_parts    ENABLE ROW LEVEL SECURITY;
ALTER TABLE chunks            ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON collections       USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());
CREATE POLICY tenant_isolation ON documents         USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());
CREATE POLICY tenant_isolation ON document_versions USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());
CREATE POLICY tenant_isolation ON document_parts    USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());
CREATE POLICY tenant_isolation ON chunks            USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());

-- The ingest job works for every tenant, but as the service role RLS shows it no rows until it
-- knows the tenant. This function, owned by parley_owner, is its one door across tenants: it
-- claims the oldest claimable version (queued, or processing with an expired lease) with
-- FOR UPDATE SKIP LOCKED, so concurrent runs never take the same one, and returns its tenant.
-- Everything after the claim runs tenant-scoped. A version whose lease has expired after its
-- third attempt is failed instead of retried: a document that kills the job must not kill it forever.
CREATE FUNCTION parley_claim_document(p_owner text, p_lease_seconds integer, p_tenant text, p_document text)
RETURNS TABLE (tenant_id text, document_id text, version integer, attempts smallint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
#variable_conflict use_column
BEGIN
    UPDATE document_versions v
       SET status = 'failed', progress = 0, lease_owner = NULL, lease_expires_at = NULL, finished_at = now(),
           error = 'ingestion stopped before finishing ' || v.attempts || ' times (the job was killed or lost its lease)'
                   || coalesce('; last error: ' || v.error, '')
     WHERE v.status = 'processing' AND v.lease_expires_at < now() AND v.attempts >= 3
       AND (p_tenant IS NULL OR v.tenant_id = p_tenant) AND (p_document IS NULL OR v.document_id = p_document);

    RETURN QUERY
    WITH next AS (
        SELECT v.document_id AS d, v.version AS n
          FROM document_versions v
         WHERE (v.status = 'queued' OR (v.status = 'processing' AND v.lease_expires_at < now()))
           AND (p_tenant IS NULL OR v.tenant_id = p_tenant) AND (p_document IS NULL OR v.document_id = p_document)
         ORDER BY v.queued_at, v.document_id, v.version
         LIMIT 1
           FOR UPDATE SKIP LOCKED
    ), claimed AS (
        UPDATE document_versions v
           SET status = 'processing', stage = 'starting', progress = 0, attempts = v.attempts + 1,
               lease_owner = p_owner, lease_expires_at = now() + make_interval(secs => p_lease_seconds),
               started_at = now(), finished_at = NULL
          FROM next
         WHERE v.document_id = next.d AND v.version = next.n
        RETURNING v.tenant_id, v.document_id, v.version, v.attempts
    )
    SELECT * FROM claimed;
END
$$;
REVOKE ALL ON FUNCTION parley_claim_document(text, integer, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parley_claim_document(text, integer, text, text) TO parley_app;

-- Search: per-tenant settings and the record of each tenant's derived index file.
--
-- The index file (BM25 postings, vectors, chunk ids) is derived from `chunks` and can be rebuilt
-- from it at any time (`parley index --rebuild`). This table only says which generation of the
-- file is current and which chunks it covers: chunks with a higher id than `watermark` are read
-- straight from SQL at query time, so a chunk is searchable the moment its ingestion commits.

CREATE TABLE search_settings (
    tenant_id    text PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    -- A Snowball stemmer name (english, french, german, …): analysis of chunks and questions.
    language     text NOT NULL DEFAULT 'english' CHECK (language ~ '^[a-z_]{2,32}$'),
    bm25_k1      real NOT NULL DEFAULT 0.9 CHECK (bm25_k1 > 0 AND bm25_k1 <= 3),
    bm25_b       real NOT NULL DEFAULT 0.4 CHECK (bm25_b >= 0 AND bm25_b <= 1),
    -- Reciprocal rank fusion: score = Σ weight / (rrf_k + rank).
    weight_bm25  real NOT NULL DEFAULT 1 CHECK (weight_bm25 >= 0),
    weight_dense real NOT NULL DEFAULT 1 CHECK (weight_dense >= 0),
    rrf_k        real NOT NULL DEFAULT 60 CHECK (rrf_k > 0),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE search_indexes (
    tenant_id   text PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    -- Bumped by every rebuild; workers reopen their mapping when it changes.
    generation  bigint NOT NULL CHECK (generation > 0),
    -- The highest chunks.id the file contains.
    watermark   bigint NOT NULL,
    chunk_count integer NOT NULL CHECK (chunk_count >= 0),
    language    text NOT NULL,
    built_at    timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE search_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE search_indexes  ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON search_settings USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());
CREATE POLICY tenant_isolation ON search_indexes  USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());

-- The index builder needs every tenant that has chunks; like the ingest claim, this is the one
-- cross-tenant door for the service role, and it returns nothing but ids and counts.
CREATE FUNCTION parley_tenants_with_chunks()
RETURNS TABLE (tenant_id text, chunk_count bigint, fresh_count bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT c.tenant_id, count(*), count(*) FILTER (WHERE c.id > coalesce(s.watermark, 0))
      FROM chunks c LEFT JOIN search_indexes s ON s.tenant_id = c.tenant_id
     GROUP BY c.tenant_id
$$;
REVOKE ALL ON FUNCTION parley_tenants_with_chunks() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parley_tenants_with_chunks() TO parley_app;

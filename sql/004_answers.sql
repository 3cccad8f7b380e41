-- Answers: which generator answers for whom, what models cost, conversations and their messages,
-- usage per day, and the answer cache with the knowledge generation it keys on.
--
-- Operator-level tables (providers, plan_generators, model_prices) are configuration like `plans`:
-- the service role reads them, only the owner (`parley provider …`, SQL) edits them. Everything
-- else is tenant-owned and walled by RLS on parley.tenant_id, as in 001–003.

-- An LLM endpoint the operator has configured. The key itself is never stored: `api_key_env` names
-- the environment variable of the serving processes that holds it (NULL: the endpoint needs none,
-- e.g. a local Ollama). Azure needs its api-version; its deployment defaults to the model name.
CREATE TABLE providers (
    name               text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    kind               text NOT NULL CHECK (kind IN ('openai', 'azure', 'anthropic')),
    base_url           text NOT NULL CHECK (base_url ~ '^https?://[^\s]+$' AND length(base_url) <= 2000),
    api_key_env        text CHECK (api_key_env ~ '^[A-Za-z_][A-Za-z0-9_]{0,127}$'),
    api_version        text CHECK (length(api_version) BETWEEN 1 AND 64),
    deployment         text CHECK (length(deployment) BETWEEN 1 AND 200),
    connect_timeout_ms integer NOT NULL DEFAULT 5000 CHECK (connect_timeout_ms BETWEEN 100 AND 120000),
    request_timeout_ms integer NOT NULL DEFAULT 60000 CHECK (request_timeout_ms BETWEEN 1000 AND 600000),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (kind <> 'azure' OR api_version IS NOT NULL)
);
REVOKE INSERT, UPDATE, DELETE ON providers FROM parley_app;

-- The generator a plan answers with unless the tenant overrides it. `extractive` needs no provider;
-- the LLM generators need both a provider and a model. Removing a provider that a plan or a tenant
-- still uses is refused by the foreign keys (no ON DELETE), so nothing silently falls back.
CREATE TABLE plan_generators (
    plan_id    text PRIMARY KEY REFERENCES plans (id) ON DELETE CASCADE,
    generator  text NOT NULL DEFAULT 'extractive' CHECK (generator IN ('extractive', 'openai', 'anthropic')),
    provider   text REFERENCES providers (name),
    model      text CHECK (length(model) BETWEEN 1 AND 200),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((generator = 'extractive') = (provider IS NULL AND model IS NULL))
);
REVOKE INSERT, UPDATE, DELETE ON plan_generators FROM parley_app;
INSERT INTO plan_generators (plan_id, generator) SELECT id, 'extractive' FROM plans;

-- USD per million tokens, by provider kind and model. A provider reports dated model names
-- (gpt-4o-mini-2024-07-18, claude-3-5-haiku-20241022): PriceTable matches the longest `model`
-- that equals the name or is followed in it by '-'. NULL cached/cache-write prices mean the prompt
-- price applies. The extractive generator has no row: it costs nothing.
CREATE TABLE model_prices (
    provider_kind     text NOT NULL CHECK (provider_kind IN ('openai', 'azure', 'anthropic')),
    model             text NOT NULL CHECK (length(model) BETWEEN 1 AND 200),
    prompt_usd        numeric(12, 6) NOT NULL CHECK (prompt_usd >= 0),
    completion_usd    numeric(12, 6) NOT NULL CHECK (completion_usd >= 0),
    cached_prompt_usd numeric(12, 6) CHECK (cached_prompt_usd >= 0),
    cache_write_usd   numeric(12, 6) CHECK (cache_write_usd >= 0),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_kind, model)
);
REVOKE INSERT, UPDATE, DELETE ON model_prices FROM parley_app;

-- Public list prices (openai.com/api/pricing, anthropic.com/pricing) when this file was written;
-- operators update them with SQL. Azure deployments are named by the operator, so they get rows
-- only when the operator adds them.
INSERT INTO model_prices (provider_kind, model, prompt_usd, completion_usd, cached_prompt_usd, cache_write_usd) VALUES
    ('openai',    'gpt-4o-mini',       0.15,   0.60,  0.075, NULL),
    ('openai',    'gpt-4o',            2.50,  10.00,  1.25,  NULL),
    ('openai',    'gpt-4.1-nano',      0.10,   0.40,  0.025, NULL),
    ('openai',    'gpt-4.1-mini',      0.40,   1.60,  0.10,  NULL),
    ('openai',    'gpt-4.1',           2.00,   8.00,  0.50,  NULL),
    ('anthropic', 'claude-3-5-haiku',  0.80,   4.00,  0.08,  1.00),
    ('anthropic', 'claude-haiku-4-5',  1.00,   5.00,  0.10,  1.25),
    ('anthropic', 'claude-3-5-sonnet', 3.00,  15.00,  0.30,  3.75),
    ('anthropic', 'claude-3-7-sonnet', 3.00,  15.00,  0.30,  3.75),
    ('anthropic', 'claude-sonnet-4',   3.00,  15.00,  0.30,  3.75),
    ('anthropic', 'claude-sonnet-4-5', 3.00,  15.00,  0.30,  3.75),
    ('anthropic', 'claude-opus-4',    15.00,  75.00,  1.50, 18.75);

-- A tenant's answer settings. The generator override is all or nothing: NULL keeps the plan's
-- generator, provider and model; `extractive` needs neither provider nor model; an LLM needs both.
CREATE TABLE answer_settings (
    tenant_id            text PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    generator            text CHECK (generator IN ('extractive', 'openai', 'anthropic')),
    provider             text REFERENCES providers (name),
    model                text CHECK (length(model) BETWEEN 1 AND 200),
    -- Below this confidence the answer is the refusal (and may escalate to a person).
    confidence_threshold real NOT NULL DEFAULT 0.7 CHECK (confidence_threshold >= 0 AND confidence_threshold <= 1),
    -- The tenant's own instructions (tone, language), appended to Parley's rules in the prompt.
    instructions         text NOT NULL DEFAULT '' CHECK (length(instructions) <= 4000),
    refusal_text         text NOT NULL DEFAULT 'I don''t know based on the available documents.'
                         CHECK (length(refusal_text) BETWEEN 1 AND 1000),
    history_token_budget integer NOT NULL DEFAULT 1500 CHECK (history_token_budget BETWEEN 0 AND 32000),
    -- Conversations idle for longer are deleted by `parley maintain`; NULL keeps them.
    retention_days       integer CHECK (retention_days BETWEEN 1 AND 3650),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (CASE WHEN generator IS NULL OR generator = 'extractive' THEN provider IS NULL AND model IS NULL
                ELSE provider IS NOT NULL AND model IS NOT NULL END)
);

CREATE TABLE conversations (
    id              text PRIMARY KEY CHECK (id ~ '^conv_[a-z0-9]{20}$'),
    tenant_id       text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- api, chat, widget, or a messaging channel's name.
    channel         text NOT NULL DEFAULT 'api' CHECK (channel ~ '^[a-z][a-z0-9_]{0,31}$'),
    -- Set once an answer asked for a person; stays set.
    escalated       boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    last_message_at timestamptz
);
-- The admin listing: newest first, keyset-paginated on (created_at, id).
CREATE INDEX conversations_tenant_created ON conversations (tenant_id, created_at DESC, id DESC);
-- Retention: idle conversations of a tenant.
CREATE INDEX conversations_tenant_last ON conversations (tenant_id, last_message_at);

-- `seq` orders a conversation's messages: an exchange is appended in one transaction under the
-- conversation's row lock, so a question is always followed by its own answer. It is internal;
-- the API shows msg_ ids and timestamps.
CREATE TABLE messages (
    seq               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                text NOT NULL UNIQUE CHECK (id ~ '^msg_[a-z0-9]{20}$'),
    tenant_id         text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    conversation_id   text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    role              text NOT NULL CHECK (role IN ('user', 'assistant')),
    text              text NOT NULL CHECK (length(text) <= 100000),
    -- [{n, document_id, chunk_id, title, page, snippet, url}] as the answer cited them.
    citations         jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(citations) = 'array'),
    confidence        real CHECK (confidence >= 0 AND confidence <= 1),
    escalate          boolean NOT NULL DEFAULT false,
    generator         text CHECK (generator IN ('extractive', 'openai', 'anthropic')),
    model             text,
    -- The configured LLM failed and the extractive generator answered instead.
    fallback          boolean NOT NULL DEFAULT false,
    cache_hit         boolean NOT NULL DEFAULT false,
    prompt_tokens     integer NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
    completion_tokens integer NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
    cached_tokens     integer NOT NULL DEFAULT 0 CHECK (cached_tokens >= 0),
    cache_write_tokens integer NOT NULL DEFAULT 0 CHECK (cache_write_tokens >= 0),
    cost              numeric NOT NULL DEFAULT 0 CHECK (cost >= 0),
    retrieve_ms       integer,
    generate_ms       integer,
    total_ms          integer,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_conversation ON messages (tenant_id, conversation_id, seq);

-- One row per tenant and UTC day, upserted in the transaction that stores the answer, so each
-- answer is counted exactly once (a rolled-back answer is not counted at all).
CREATE TABLE usage_daily (
    tenant_id         text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    day               date NOT NULL,
    questions         integer NOT NULL DEFAULT 0,
    answered_by_cache integer NOT NULL DEFAULT 0,
    escalations       integer NOT NULL DEFAULT 0,
    fallbacks         integer NOT NULL DEFAULT 0,
    prompt_tokens     bigint NOT NULL DEFAULT 0,
    completion_tokens bigint NOT NULL DEFAULT 0,
    cost              numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day)
);

-- A counter per tenant, bumped whenever what an answer could say changes: documents added or
-- deleted, a new version made active, a collection's visibility, the tenant's search or answer
-- settings. The answer cache stores the generation it was computed at and only hits while it is
-- still current, so no cache entry outlives the knowledge behind it. No row means generation 0.
-- Only the trigger writes it (the service role may read).
CREATE TABLE knowledge_generation (
    tenant_id  text PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    generation bigint NOT NULL DEFAULT 1 CHECK (generation > 0),
    changed_at timestamptz NOT NULL DEFAULT now()
);
REVOKE INSERT, UPDATE, DELETE ON knowledge_generation FROM parley_app;
INSERT INTO knowledge_generation (tenant_id) SELECT id FROM tenants;

CREATE TABLE answer_cache (
    tenant_id   text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- SHA-256 of the normalized question, the sorted collections and the audience (AnswerCache.key).
    key         bytea NOT NULL CHECK (length(key) = 32),
    generation  bigint NOT NULL,
    answer      jsonb NOT NULL,
    hits        integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    last_hit_at timestamptz,
    PRIMARY KEY (tenant_id, key)
);

ALTER TABLE answer_settings      ENABLE ROW LEVEL SECURITY;
ALTER TABLE conversations        ENABLE ROW LEVEL SECURITY;
ALTER TABLE messages             ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage_daily          ENABLE ROW LEVEL SECURITY;
ALTER TABLE knowledge_generation ENABLE ROW LEVEL SECURITY;
ALTER TABLE answer_cache         ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON answer_settings      USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());
CREATE POLICY tenant_isolation ON conversations        USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());
CREATE POLICY tenant_isolation ON messages             USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());
CREATE POLICY tenant_isolation ON usage_daily          USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());
CREATE POLICY tenant_isolation ON knowledge_generation USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());
CREATE POLICY tenant_isolation ON answer_cache         USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());

-- The bump. SECURITY DEFINER because the service role, whose statements fire it, may not write
-- knowledge_generation; the fixed search_path keeps a caller from substituting tables. A delete
-- only updates: every tenant with documents has a row (seeded above, or made by the insert that
-- added its first document), and inserting during a tenant's cascading delete would fail its
-- foreign key. Row-level, and the row lock it takes is held to commit: concurrent changes of one
-- tenant's knowledge serialise on it, which keeps the counter exact.
CREATE FUNCTION parley_bump_knowledge() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE knowledge_generation SET generation = generation + 1, changed_at = now() WHERE tenant_id = OLD.tenant_id;
    ELSE
        INSERT INTO knowledge_generation AS k (tenant_id) VALUES (NEW.tenant_id)
        ON CONFLICT (tenant_id) DO UPDATE SET generation = k.generation + 1, changed_at = now();
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION parley_bump_knowledge() FROM PUBLIC;

CREATE TRIGGER documents_knowledge_change AFTER INSERT OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION parley_bump_knowledge();
-- A document's title and URL are cited, so they count as knowledge too.
CREATE TRIGGER documents_knowledge_update AFTER UPDATE OF active_version, title, source_url, collection_id ON documents
    FOR EACH ROW WHEN (OLD.active_version IS DISTINCT FROM NEW.active_version OR OLD.title IS DISTINCT FROM NEW.title
                       OR OLD.source_url IS DISTINCT FROM NEW.source_url OR OLD.collection_id IS DISTINCT FROM NEW.collection_id)
    EXECUTE FUNCTION parley_bump_knowledge();
CREATE TRIGGER collections_knowledge_update AFTER UPDATE OF visibility, name ON collections
    FOR EACH ROW WHEN (OLD.visibility IS DISTINCT FROM NEW.visibility OR OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION parley_bump_knowledge();
CREATE TRIGGER search_settings_knowledge AFTER INSERT OR UPDATE ON search_settings
    FOR EACH ROW EXECUTE FUNCTION parley_bump_knowledge();
CREATE TRIGGER answer_settings_knowledge AFTER INSERT OR UPDATE ON answer_settings
    FOR EACH ROW EXECUTE FUNCTION parley_bump_knowledge();

-- Retention for `parley maintain`: deletes, across tenants, the conversations idle for longer
-- than their tenant's retention_days (messages go with them), and returns how many per tenant.
-- The one cross-tenant door into conversations; it returns only ids and counts.
CREATE FUNCTION parley_expire_conversations()
RETURNS TABLE (tenant_id text, deleted bigint)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    WITH gone AS (
        DELETE FROM conversations c
         USING answer_settings s
         WHERE s.tenant_id = c.tenant_id AND s.retention_days IS NOT NULL
           AND coalesce(c.last_message_at, c.created_at) < now() - make_interval(days => s.retention_days)
        RETURNING c.tenant_id
    )
    SELECT gone.tenant_id, count(*) FROM gone GROUP BY gone.tenant_id
$$;
REVOKE ALL ON FUNCTION parley_expire_conversations() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parley_expire_conversations() TO parley_app;

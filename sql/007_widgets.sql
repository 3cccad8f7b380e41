-- Widgets: the publishable chat widgets a tenant embeds on its own sites, the visitors'
-- conversations with them, feedback on answers, and the hand-off to a person.
--
-- A widget id (wid_…) is public: it sits in a <script> tag on the tenant's site. It grants only
-- what the public endpoints allow (public collections, rate limited by nginx, Origin checked
-- against allowed_origins). A visitor's conversation is guarded by a visitor token, random and
-- stored hashed like an API key, so knowing a conversation id is not enough to read it.

CREATE TABLE widgets (
    id              text PRIMARY KEY CHECK (id ~ '^wid_[a-z0-9]{20}$'),
    tenant_id       text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- Browser origins (scheme://host[:port], lower case, default port omitted) allowed to call the
    -- public endpoints; Parley's own pages are always allowed. WidgetValidation normalises them.
    allowed_origins text[] NOT NULL DEFAULT '{}' CHECK (cardinality(allowed_origins) <= 20),
    -- Collection names the widget answers from (public ones only, whatever is listed); NULL: every
    -- public collection.
    collections     text[] CHECK (cardinality(collections) <= 20),
    -- {primary_color, background_color, text_color, title, avatar_url, greeting,
    --  suggested_questions, position}, validated by WidgetValidation.
    theme           jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(theme) = 'object' AND length(theme::text) <= 16000),
    enabled         boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX widgets_tenant_created ON widgets (tenant_id, created_at DESC, id DESC);

-- A visitor's conversation carries the hash of its visitor token; an API conversation has none.
-- handoff_requested_at: the visitor (or an agent through the API) asked for a person.
ALTER TABLE conversations
    ADD COLUMN visitor_token_hash   bytea CHECK (length(visitor_token_hash) = 32),
    ADD COLUMN handoff_requested_at timestamptz;

-- One rating per answer; a later one replaces it (the visitor changed their mind).
CREATE TABLE message_feedback (
    message_id text PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    tenant_id  text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    rating     text NOT NULL CHECK (rating IN ('up', 'down')),
    comment    text CHECK (length(comment) BETWEEN 1 AND 2000),
    created_at timestamptz NOT NULL DEFAULT now()
);
-- Analytics counts feedback per day.
CREATE INDEX message_feedback_tenant_created ON message_feedback (tenant_id, created_at);
-- Analytics reads answers per day (latency percentiles, answered without a person, knowledge gaps).
CREATE INDEX messages_tenant_created ON messages (tenant_id, created_at) WHERE role = 'assistant';

ALTER TABLE widgets          ENABLE ROW LEVEL SECURITY;
ALTER TABLE message_feedback ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON widgets          USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());
CREATE POLICY tenant_isolation ON message_feedback USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());

-- The public endpoints know only the widget id, not the tenant, and RLS hides every widget until
-- the tenant is known. Like parley_authenticate for keys, this function is the one door: it finds
-- a widget by id and returns what the public side needs (tenant, origins, collections, theme) and
-- whether it may serve at all (the widget enabled and its tenant active). Only reads.
CREATE FUNCTION parley_public_widget(p_id text)
RETURNS TABLE (id text, tenant_id text, allowed_origins text[], collections text[], theme text, serving boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN QUERY
        SELECT w.id, w.tenant_id, w.allowed_origins, w.collections, w.theme::text, w.enabled AND t.status = 'active'
          FROM widgets w
          JOIN tenants t ON t.id = w.tenant_id
         WHERE w.id = p_id;
END
$$;
REVOKE ALL ON FUNCTION parley_public_widget(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parley_public_widget(text) TO parley_app;

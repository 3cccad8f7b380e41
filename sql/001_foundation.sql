-- Foundation: plans, tenants, API keys, admin users, and the two walls around tenant data.
--
-- Roles (created by scripts/dev, scripts/test and scripts/install, not here, because creating roles
-- needs a superuser and migrations run as the owner):
--   parley_owner  owns every table; `parley migrate` and the admin CLI connect as it.
--   parley_app    the service role. It owns nothing, so Row Level Security applies to it.
--
-- Every tenant-owned table carries tenant_id and a policy keyed on the per-transaction setting
-- parley.tenant_id (set with set_config(..., true) inside the request's transaction). A query that
-- forgets its WHERE tenant_id = … therefore still sees only the current tenant's rows, and with no
-- setting at all it sees nothing.

ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO parley_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO parley_app;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO parley_app;

CREATE FUNCTION parley_current_tenant() RETURNS text
    LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('parley.tenant_id', true), '') $$;

-- Plans are shared configuration, not tenant data: the service may read them, only the owner edits them.
CREATE TABLE plans (
    id                  text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_]{0,31}$'),
    requests_per_minute integer NOT NULL CHECK (requests_per_minute > 0),
    queries_per_month   integer NOT NULL CHECK (queries_per_month > 0),
    max_documents       integer NOT NULL CHECK (max_documents > 0),
    max_storage_bytes   bigint  NOT NULL CHECK (max_storage_bytes > 0),
    max_upload_bytes    bigint  NOT NULL CHECK (max_upload_bytes > 0),
    max_api_keys        integer NOT NULL CHECK (max_api_keys > 0),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
REVOKE INSERT, UPDATE, DELETE ON plans FROM parley_app;

INSERT INTO plans (id, requests_per_minute, queries_per_month, max_documents, max_storage_bytes, max_upload_bytes, max_api_keys) VALUES
    ('free',         60,     1000,     50,     52428800,   10485760,   3),
    ('pro',         600,    50000,   5000,   5368709120,   52428800,  25),
    ('enterprise', 6000,  1000000, 100000, 107374182400,  209715200, 200);

CREATE TABLE tenants (
    id          text PRIMARY KEY CHECK (id ~ '^ten_[a-z0-9]{20}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    plan_id     text NOT NULL REFERENCES plans (id),
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    disabled_at timestamptz
);

CREATE TABLE api_keys (
    id           text PRIMARY KEY CHECK (id ~ '^key_[a-z0-9]{20}$'),
    tenant_id    text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- The first characters of the key, shown in listings so people can tell keys apart.
    prefix       text NOT NULL,
    -- SHA-256 of the whole key. The key itself is shown once at creation and never stored.
    secret_hash  bytea NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
    scopes       text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['query', 'ingest', 'admin']),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_keys_tenant_created ON api_keys (tenant_id, created_at DESC);

CREATE TABLE users (
    id            text PRIMARY KEY CHECK (id ~ '^usr_[a-z0-9]{20}$'),
    tenant_id     text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email         text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    password_hash text NOT NULL,
    role          text NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'agent')),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_tenant_email ON users (tenant_id, lower(email));

ALTER TABLE tenants  ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE users    ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants  USING (id = parley_current_tenant()) WITH CHECK (id = parley_current_tenant());
CREATE POLICY tenant_isolation ON api_keys USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());
CREATE POLICY tenant_isolation ON users    USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());

-- Authentication has to find a key before it knows the tenant, which RLS forbids the service role.
-- This function, owned by parley_owner, is the only door: it finds a key by the hash of what the
-- client presented, and returns the key, its tenant and the plan's limits in one round trip.
-- It only reads (STABLE): refreshing last_used_at is a separate call the service makes when the
-- value it got back is over a minute old, so a busy key does not write per request and the hot
-- path executes no UPDATE at all.
CREATE FUNCTION parley_authenticate(p_secret_hash bytea)
RETURNS TABLE (
    key_id text, tenant_id text, secret_hash bytea, scopes text[], revoked boolean, last_used_at timestamptz,
    tenant_name text, tenant_status text, plan_id text,
    requests_per_minute integer, queries_per_month integer, max_documents integer,
    max_storage_bytes bigint, max_upload_bytes bigint, max_api_keys integer
)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    -- plpgsql rather than plain SQL: a SECURITY DEFINER SQL function is never inlined and is
    -- planned again on every call, while plpgsql caches the plan (measured: about 3x faster).
    RETURN QUERY
        SELECT k.id, k.tenant_id, k.secret_hash, k.scopes, k.revoked_at IS NOT NULL, k.last_used_at,
               t.name, t.status, t.plan_id,
               p.requests_per_minute, p.queries_per_month, p.max_documents,
               p.max_storage_bytes, p.max_upload_bytes, p.max_api_keys
          FROM api_keys k
          JOIN tenants t ON t.id = k.tenant_id
          JOIN plans p ON p.id = t.plan_id
         WHERE k.secret_hash = p_secret_hash;
END
$$;
REVOKE ALL ON FUNCTION parley_authenticate(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parley_authenticate(bytea) TO parley_app;

-- Records that a key was used, at most once a minute (concurrent callers are harmless: the
-- condition makes all but the first a no-op).
CREATE FUNCTION parley_touch_key(p_key_id text) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    UPDATE api_keys SET last_used_at = now()
     WHERE id = p_key_id AND revoked_at IS NULL
       AND (last_used_at IS NULL OR last_used_at < now() - interval '60 seconds')
$$;
REVOKE ALL ON FUNCTION parley_touch_key(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parley_touch_key(text) TO parley_app;

-- Workers cache authenticated keys for a few seconds. Any change that could turn a cached "yes"
-- into a "no" (a key revoked, deleted or re-scoped; a tenant disabled, re-planned or deleted; a
-- plan's limits edited) announces itself on channel parley_auth, and every worker drops its
-- cache. Statement-level triggers: one notification per statement, and `UPDATE OF` keeps the
-- once-a-minute last_used_at refresh from firing them. The payload (table and transaction id) is
-- for people and tests reading the channel; workers flush on any notification.
CREATE FUNCTION parley_notify_auth_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_notify('parley_auth', TG_TABLE_NAME || ' ' || txid_current());
    RETURN NULL;
END
$$;
CREATE TRIGGER api_keys_auth_change AFTER UPDATE OF revoked_at, scopes, secret_hash, tenant_id OR DELETE ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION parley_notify_auth_change();
CREATE TRIGGER tenants_auth_change AFTER UPDATE OF status, plan_id, name OR DELETE ON tenants
    FOR EACH STATEMENT EXECUTE FUNCTION parley_notify_auth_change();
CREATE TRIGGER plans_auth_change AFTER UPDATE OR DELETE ON plans
    FOR EACH STATEMENT EXECUTE FUNCTION parley_notify_auth_change();

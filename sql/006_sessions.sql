-- Admin-console sign-in: four roles, lockout after repeated failures, and server-side sessions.
--
-- A session is a random 32-byte token in an HttpOnly cookie; only its SHA-256 is stored, like API
-- keys, so a copy of this table signs nobody in. Sessions end after 12 hours without a request
-- (checked against last_seen_at), 7 days after sign-in at the latest (expires_at), at sign-out
-- (revoked_at), or with their user (ON DELETE CASCADE; a disabled user's are refused at lookup).
-- The CSRF token is derived from the session token (HMAC), so nothing else is stored for it.

-- owner: the tenant's first admin (same rights as admin, a label people asked for);
-- viewer: reads everything, changes nothing except asking questions.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('owner', 'admin', 'agent', 'viewer'));

-- Lockout: five consecutive failures lock the user for 15 minutes (the service counts; reaching
-- the threshold sets locked_until and starts the count again). A success resets both.
ALTER TABLE users
    ADD COLUMN failed_logins integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    ADD COLUMN locked_until  timestamptz,
    ADD COLUMN disabled_at   timestamptz;
-- Sign-in looks an email up across tenants before the tenant is known.
CREATE INDEX users_email ON users (lower(email));
-- Lets sessions name (tenant, user) as one foreign key, so a session can never pair a user with
-- another tenant.
ALTER TABLE users ADD CONSTRAINT users_tenant_id_id UNIQUE (tenant_id, id);

CREATE TABLE sessions (
    id           text PRIMARY KEY CHECK (id ~ '^ses_[a-z0-9]{20}$'),
    tenant_id    text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id      text NOT NULL,
    -- SHA-256 of the cookie's token; the token itself is never stored.
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    -- Refreshed at most once a minute; idle expiry is measured from it.
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    -- The absolute end, fixed at sign-in (the cookie's Max-Age matches it).
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
    CHECK (expires_at > created_at)
);
CREATE INDEX sessions_user ON sessions (tenant_id, user_id) WHERE revoked_at IS NULL;

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sessions USING (tenant_id = parley_current_tenant()) WITH CHECK (tenant_id = parley_current_tenant());

-- Sign-in knows an email, not a tenant, so like parley_authenticate this is a door past RLS: the
-- users with that email in any tenant, with what the service needs to verify the password, apply
-- the lockout and name the tenant. Disabled users are not returned (they cannot sign in), and
-- `checked_at` is the database's clock, which lockout and expiry are measured against.
CREATE FUNCTION parley_login_candidates(p_email text)
RETURNS TABLE (
    user_id text, tenant_id text, email text, password_hash text, role text, locked_until timestamptz,
    tenant_name text, tenant_status text, checked_at timestamptz
)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT u.id, u.tenant_id, u.email, u.password_hash, u.role, u.locked_until, t.name, t.status, now()
      FROM users u JOIN tenants t ON t.id = u.tenant_id
     WHERE lower(u.email) = lower(p_email) AND u.disabled_at IS NULL
     ORDER BY u.created_at, u.id
     LIMIT 20
$$;
REVOKE ALL ON FUNCTION parley_login_candidates(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parley_login_candidates(text) TO parley_app;

-- Finds a session by the hash of the cookie's token, with its user, tenant and plan, in one round
-- trip; the service decides whether it is still valid (revoked, expired, idle, user disabled,
-- tenant disabled) from what this returns. A valid session seen more than a minute ago gets
-- last_seen_at refreshed here, so a busy console writes at most once a minute per session and
-- an idle-expired session is never revived. `p_idle_seconds` is the service's idle timeout.
CREATE FUNCTION parley_session_lookup(p_token_hash bytea, p_idle_seconds integer)
RETURNS TABLE (
    session_id text, tenant_id text, token_hash bytea, user_id text, email text, role text, user_disabled boolean,
    last_seen_at timestamptz, expires_at timestamptz, revoked boolean, checked_at timestamptz,
    tenant_name text, tenant_status text, plan_id text,
    requests_per_minute integer, queries_per_month integer, max_documents integer,
    max_storage_bytes bigint, max_upload_bytes bigint, max_api_keys integer
)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN QUERY
        SELECT s.id, s.tenant_id, s.token_hash, u.id, u.email, u.role, u.disabled_at IS NOT NULL,
               s.last_seen_at, s.expires_at, s.revoked_at IS NOT NULL, now(),
               t.name, t.status, t.plan_id,
               p.requests_per_minute, p.queries_per_month, p.max_documents,
               p.max_storage_bytes, p.max_upload_bytes, p.max_api_keys
          FROM sessions s
          JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
          JOIN tenants t ON t.id = s.tenant_id
          JOIN plans p ON p.id = t.plan_id
         WHERE s.token_hash = p_token_hash;
    UPDATE sessions s SET last_seen_at = now()
     WHERE s.token_hash = p_token_hash AND s.revoked_at IS NULL AND s.expires_at > now()
       AND s.last_seen_at > now() - make_interval(secs => p_idle_seconds)
       AND s.last_seen_at < now() - interval '60 seconds';
END
$$;
REVOKE ALL ON FUNCTION parley_session_lookup(bytea, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION parley_session_lookup(bytea, integer) TO parley_app;

-- Parley's database roles and database. Run as a PostgreSQL superuser with psql, before
-- `parley migrate` (migration 001 grants to parley_app). Safe to run again: it only creates
-- what is missing and re-asserts the attributes that matter.
--
--   psql -v ON_ERROR_STOP=1 -d postgres -f roles.sql
--
-- parley_owner owns the database and every table; `parley migrate` and the admin commands use it.
-- parley_app is the service role: no superuser, no BYPASSRLS and it owns nothing, so Row Level
-- Security applies to every query it makes. Passwords (if the server needs them) are set separately,
-- e.g. `\password parley_app`, and never live in this file.

SELECT 'CREATE ROLE parley_owner LOGIN'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'parley_owner') \gexec

SELECT 'CREATE ROLE parley_app LOGIN'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'parley_app') \gexec

ALTER ROLE parley_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE parley_app   LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;

SELECT 'CREATE DATABASE parley OWNER parley_owner ENCODING ''UTF8'' TEMPLATE template0'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'parley') \gexec

ALTER DATABASE parley OWNER TO parley_owner;
-- Only Parley's roles may connect to its database.
REVOKE CONNECT ON DATABASE parley FROM PUBLIC;
GRANT CONNECT ON DATABASE parley TO parley_owner, parley_app;

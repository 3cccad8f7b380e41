-- Usage counters without a hot row.
--
-- usage_daily had one row per tenant and day, and every answer of the tenant added to it inside
-- the transaction that stores the answer. Concurrent answers of one tenant therefore queued on
-- that row's lock until each other's COMMIT: at 8 connections the upsert took 0.5 ms per answer,
-- almost all of it waiting (pg_stat_statements, scripts/bench answer --perf). Each database
-- connection now adds to its own slot (its backend pid modulo 16) and readers sum a day's slots
-- through usage_by_day, so an answer never waits for another one's transaction.

ALTER TABLE usage_daily ADD COLUMN slot smallint NOT NULL DEFAULT 0 CHECK (slot >= 0 AND slot < 16);
ALTER TABLE usage_daily DROP CONSTRAINT usage_daily_pkey;
ALTER TABLE usage_daily ADD PRIMARY KEY (tenant_id, day, slot);

-- security_invoker: the caller's row-level security applies, as on the table itself.
CREATE VIEW usage_by_day WITH (security_invoker = true) AS
SELECT tenant_id, day,
       sum(questions)::integer         AS questions,
       sum(answered_by_cache)::integer AS answered_by_cache,
       sum(escalations)::integer       AS escalations,
       sum(fallbacks)::integer         AS fallbacks,
       sum(prompt_tokens)::bigint      AS prompt_tokens,
       sum(completion_tokens)::bigint  AS completion_tokens,
       sum(cost)                       AS cost
  FROM usage_daily
 GROUP BY tenant_id, day;

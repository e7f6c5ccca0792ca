-- The indexes of projects (V7), built with CONCURRENTLY so that intake keeps writing emails while
-- they are built: each takes a SHARE UPDATE EXCLUSIVE lock, which blocks no insert, update or
-- read, and waits for the transactions already running when it starts. Flyway runs a migration of
-- only such statements outside a transaction.
--
-- If this migration fails half-way, an index it was building is left INVALID: drop it
-- (DROP INDEX CONCURRENTLY <name>), repair the schema history (flyway repair) and start again.

-- An Idempotency-Key is unique within its project: another project may use the same key. The new
-- index exists before the old one goes, so the keys are unique throughout.
CREATE UNIQUE INDEX CONCURRENTLY emails_project_idempotency_key_idx
    ON emails (project, idempotency_key) WHERE idempotency_key IS NOT NULL;
DROP INDEX CONCURRENTLY emails_idempotency_key_idx;

-- GET /emails searches within the key's project, newest first (see V5__email_search.sql): each
-- walk of one status or one template now runs within one project. emails_created_idx stays for an
-- admin key's search across every project, and its createdAfter/createdBefore ranges.
CREATE INDEX CONCURRENTLY emails_project_created_idx
    ON emails (project, created_at DESC, id DESC);
CREATE INDEX CONCURRENTLY emails_project_status_created_idx
    ON emails (project, status, created_at DESC, id DESC);
CREATE INDEX CONCURRENTLY emails_project_template_created_idx
    ON emails (project, template_name, created_at DESC, id DESC) WHERE template_name IS NOT NULL;
DROP INDEX CONCURRENTLY emails_status_created_idx;
DROP INDEX CONCURRENTLY emails_template_created_idx;

-- The due indexes, read only by statements that name a due time. They held the rows of the waiting
-- and sending statuses, so any statement naming one of those statuses could be served by them: the
-- result write's fence (id = ? AND claim_token = ? AND status = 'SENDING'), a renewal, a release, a
-- cancel, a search by status. A quiet outbox is often empty of due mail when a vacuum or an
-- ANALYZE visits it, and PostgreSQL then counts such an index as empty, whatever is queued after
-- the visit, until the next one; on a large table that can be a whole backlog later. An empty
-- index is the cheapest way to any row, so those statements walked the due index from end to end
-- instead of finding their row by its key: at a backlog of 50,000 emails, 23 ms per result write
-- against 0.05 ms for the same statement finding its row by key, and more as the backlog grows,
-- which made draining it quadratic. With "due_at IS NOT NULL" in its condition, an index serves
-- only a statement that names due_at (the claims, and the outbox metrics); every waiting or
-- sending row has a due time, so the indexes hold the same rows as before.
--
-- Each new index is built before the old one goes, with CONCURRENTLY, as in V8: no insert, update
-- or read waits for it, and the claims use the old index until the new one is valid. If this
-- migration fails half-way, an index it was building is left INVALID: drop it
-- (DROP INDEX CONCURRENTLY <name>), repair the schema history (flyway repair) and start again.
-- V56 gives the new indexes the old names.
CREATE INDEX CONCURRENTLY emails_due_at_idx ON emails (priority, due_at)
    WHERE status IN ('SCHEDULED', 'QUEUED', 'DEFERRED', 'SENDING') AND due_at IS NOT NULL;
DROP INDEX CONCURRENTLY emails_due_idx;

CREATE INDEX CONCURRENTLY webhook_deliveries_due_at_idx ON webhook_deliveries (due_at)
    WHERE status IN ('PENDING', 'SENDING') AND due_at IS NOT NULL;
DROP INDEX CONCURRENTLY webhook_deliveries_due_idx;

-- Scheduling, expiry and priority. send_at and expires_at are what the caller asked for; due_at
-- stays the one column the claim reads (a scheduled email is due at its send_at).
ALTER TABLE emails
    ADD COLUMN send_at    timestamptz,
    ADD COLUMN expires_at timestamptz,
    -- 0 high, 1 normal, 2 low: claims take lower values first.
    ADD COLUMN priority   smallint NOT NULL DEFAULT 1 CHECK (priority BETWEEN 0 AND 2);

-- Set with FAILED: EXPIRED joins REJECTED and RETRIES_EXHAUSTED as a failure_reason.

-- The claim walks due rows by priority, then due order. The claim names every priority
-- (priority IN (0, 1, 2)), so each is its own range scan bounded by due_at <= now(): rows
-- scheduled far ahead in a high priority are never read on the way to due rows of a lower one.
DROP INDEX emails_due_idx;
CREATE INDEX emails_due_idx ON emails (priority, due_at)
    WHERE status IN ('SCHEDULED', 'QUEUED', 'DEFERRED', 'SENDING');

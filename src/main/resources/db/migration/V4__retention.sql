-- Retention (dev.mailroom.retention): a settled email's stored message is purged once it has been
-- settled for mailroom.retention.body-age, and the email itself (with its recipients and attempts)
-- is deleted after delete-age. Both ages count from settlement, which is the last time the row
-- was updated: purging the message leaves updated_at alone.

-- The status API never reads mime, so a purged email still answers GET /emails/{id}.
ALTER TABLE emails ALTER COLUMN mime DROP NOT NULL;
ALTER TABLE emails ADD COLUMN purged_at timestamptz;

-- Only a settled email may lose its message: anything a dispatcher can still claim keeps it.
-- NOT VALID skips scanning existing rows (all of which hold a message); new writes are checked.
ALTER TABLE emails ADD CONSTRAINT emails_mime_kept_until_settled
    CHECK (mime IS NOT NULL OR status IN ('SENT', 'FAILED', 'CANCELLED')) NOT VALID;

-- Settled emails still holding their message, oldest first. A purged row leaves this index, so
-- each purge batch starts at the next message to purge rather than stepping over purged rows.
CREATE INDEX emails_body_retention_idx ON emails (updated_at)
    WHERE mime IS NOT NULL AND status IN ('SENT', 'FAILED', 'CANCELLED');

-- Settled emails, oldest first, for the deletion batches.
CREATE INDEX emails_settled_idx ON emails (updated_at)
    WHERE status IN ('SENT', 'FAILED', 'CANCELLED');

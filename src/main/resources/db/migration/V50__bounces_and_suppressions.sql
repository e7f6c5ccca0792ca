-- What became of a recipient after the relay's 250 (a bounce or a complaint came back), and the
-- suppressed state of a recipient that was never sent to because its address is suppressed.
--
-- Catalog-only on a large, live table: the new constraint is added NOT VALID (no scan under the
-- ACCESS EXCLUSIVE lock) and validated after, under a lock that blocks no write. The old check
-- accepts a subset of the new one, so every row passes.
SET LOCAL lock_timeout = '10s';

ALTER TABLE email_recipients DROP CONSTRAINT email_recipients_status_check;
ALTER TABLE email_recipients ADD CONSTRAINT email_recipients_status_check
    CHECK (status IN ('PENDING', 'ACCEPTED', 'DEFERRED', 'REJECTED',
                      'BOUNCED', 'COMPLAINED', 'SUPPRESSED')) NOT VALID;
ALTER TABLE email_recipients VALIDATE CONSTRAINT email_recipients_status_check;

-- The last bounce or complaint about the recipient: HARD, SOFT or COMPLAINT (inbound.Bounce.Kind),
-- its RFC 3463 status (5.1.1), what the remote side said, and when it arrived. NULL columns, no
-- default: nothing is rewritten.
ALTER TABLE email_recipients
    ADD COLUMN bounce_kind       text,
    ADD COLUMN bounce_status     text,
    ADD COLUMN bounce_diagnostic text,
    ADD COLUMN bounced_at        timestamptz;

-- Addresses a project never sends to again. The address is stored normalised (lower case, see
-- suppression.SuppressedAddress); intake looks up every recipient of an email in one query on the
-- primary key.
CREATE TABLE suppressions (
    project    text        NOT NULL,
    address    text        NOT NULL,
    reason     text        NOT NULL
        CHECK (reason IN ('HARD_BOUNCE', 'COMPLAINT', 'MAILBOX_UNKNOWN', 'MAILBOX_DISABLED',
                          'MANUAL')),
    -- The status and diagnostic that caused it, or the note given with PUT /suppressions.
    detail     text,
    -- The email whose bounce, complaint or rejection caused it; no foreign key, as retention
    -- deletes emails and the suppression outlives them.
    email_id   uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project, address)
);

-- GET /suppressions?reason=… pages through one reason in address order.
CREATE INDEX suppressions_project_reason_idx ON suppressions (project, reason, address);

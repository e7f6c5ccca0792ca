-- Every message the inbound SMTP listener accepted (bounces, complaints, and whatever else was
-- mailed to the bounce domain), with what became of it. The raw message is kept only when it was
-- not matched to an email, so that someone can see what arrived; every row is deleted after
-- mailroom.inbound.retention.
CREATE TABLE inbound_messages (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at         timestamptz NOT NULL DEFAULT now(),
    remote_address      text,
    helo                text,
    -- '' for the null sender (MAIL FROM:<>) that bounces are sent with.
    envelope_from       text        NOT NULL,
    envelope_to         text[]      NOT NULL,
    outcome             text        NOT NULL CHECK (outcome IN ('MATCHED', 'UNMATCHED', 'UNPARSEABLE')),
    format              text        NOT NULL
        CHECK (format IN ('DSN', 'ARF', 'NON_STANDARD', 'UNRECOGNIZED', 'MALFORMED')),
    -- The most severe kind the message reported, matched or not.
    kind                text CHECK (kind IN ('HARD', 'SOFT', 'DELAYED', 'COMPLAINT', 'UNKNOWN')),
    -- The (first) email it was matched to. No foreign key: bounces keep arriving for days and may
    -- outlive an email that retention deleted.
    email_id            uuid,
    original_message_id text,
    -- Each matched bounce: {kind, emailId, recipientPosition, recipientAddress, status, ...}.
    bounces             jsonb       NOT NULL DEFAULT '[]',
    detail              text,
    size                integer     NOT NULL,
    raw                 bytea
);

-- Retention deletes the oldest rows first.
CREATE INDEX inbound_messages_received_idx ON inbound_messages (received_at);

CREATE INDEX inbound_messages_email_idx ON inbound_messages (email_id) WHERE email_id IS NOT NULL;

-- The outbox: one row per accepted email, holding the exact bytes that every attempt sends.
CREATE TABLE emails (
    id               uuid PRIMARY KEY,
    status           text        NOT NULL
        CHECK (status IN ('SCHEDULED', 'QUEUED', 'SENDING', 'DEFERRED', 'SENT', 'FAILED', 'CANCELLED')),
    from_address     text        NOT NULL,
    envelope_from    text        NOT NULL,
    subject          text        NOT NULL,
    message_id       text        NOT NULL,
    mime             bytea       NOT NULL,
    template_name    text,
    template_version text,
    template_locale  text,
    tags             text[]      NOT NULL DEFAULT '{}',
    metadata         jsonb       NOT NULL DEFAULT '{}',
    idempotency_key  text,
    request_hash     bytea,
    attempts         integer     NOT NULL DEFAULT 0,
    -- When a dispatcher should next look at the row: the send time while QUEUED or DEFERRED,
    -- the lease expiry while SENDING. NULL once the email is settled.
    due_at           timestamptz,
    locked_by        text,
    claim_token      bigint      NOT NULL DEFAULT 0,
    -- Set with FAILED: a short code (REJECTED, RETRIES_EXHAUSTED) and what led to it.
    failure_reason   text,
    failure_detail   text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz
);

-- The claim query scans due rows in due order; settled rows never enter this index.
CREATE INDEX emails_due_idx ON emails (due_at)
    WHERE status IN ('SCHEDULED', 'QUEUED', 'DEFERRED', 'SENDING');

CREATE UNIQUE INDEX emails_idempotency_key_idx ON emails (idempotency_key)
    WHERE idempotency_key IS NOT NULL;

CREATE UNIQUE INDEX emails_message_id_idx ON emails (message_id);

CREATE TABLE email_recipients (
    email_id      uuid        NOT NULL REFERENCES emails (id) ON DELETE CASCADE,
    position      smallint    NOT NULL,
    kind          text        NOT NULL CHECK (kind IN ('TO', 'CC', 'BCC')),
    address       text        NOT NULL,
    display_name  text,
    status        text        NOT NULL DEFAULT 'PENDING'
        CHECK (status IN ('PENDING', 'ACCEPTED', 'DEFERRED', 'REJECTED')),
    reply_code    smallint,
    enhanced_code text,
    reply_text    text,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (email_id, position)
);

CREATE TABLE delivery_attempts (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email_id      uuid        NOT NULL REFERENCES emails (id) ON DELETE CASCADE,
    number        integer     NOT NULL,
    dispatcher    text        NOT NULL,
    relay         text        NOT NULL,
    started_at    timestamptz NOT NULL,
    duration_ms   integer     NOT NULL,
    outcome       text        NOT NULL CHECK (outcome IN ('SENT', 'DEFERRED', 'FAILED')),
    reply_code    smallint,
    enhanced_code text,
    reply_text    text
);

CREATE INDEX delivery_attempts_email_idx ON delivery_attempts (email_id, number);

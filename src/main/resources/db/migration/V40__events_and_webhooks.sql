-- Events: the facts of an email's life, written in the transaction of the state change they
-- record. GET /emails/{id} shows them as a timeline; webhooks deliver them.
CREATE TABLE email_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project     text        NOT NULL,
    email_id    uuid        NOT NULL REFERENCES emails (id) ON DELETE CASCADE,
    -- The recipient's position in email_recipients when the event is about one recipient.
    recipient   smallint,
    type        text        NOT NULL CHECK (type IN (
        'email.accepted', 'email.sent', 'email.deferred', 'email.failed', 'email.bounced',
        'email.complained', 'email.suppressed', 'email.cancelled', 'email.expired',
        'email.delivery_delayed')),
    occurred_at timestamptz NOT NULL DEFAULT now(),
    -- SMTP code, enhanced code and diagnostic, relay, attempt, reason: what the event knows.
    data        jsonb       NOT NULL DEFAULT '{}'
);

CREATE INDEX email_events_email_idx ON email_events (email_id, id);

-- Webhook endpoints: a plain aggregate per project, mapped by JPA (webhook.WebhookEndpoint).
CREATE TABLE webhook_endpoints (
    id                  uuid        PRIMARY KEY,
    project             text        NOT NULL,
    url                 text        NOT NULL,
    description         text,
    event_types         text[]      NOT NULL,
    enabled             boolean     NOT NULL DEFAULT true,
    disabled_reason     text,
    -- Set by the first failed try after a success, cleared by the next success: an endpoint
    -- failing for mailroom.webhooks.disable-after is disabled.
    failing_since       timestamptz,
    -- whsec_ + base64 of random bytes. The previous secret signs too until it expires (rotation).
    secret              text        NOT NULL,
    previous_secret     text,
    previous_expires_at timestamptz,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    version             bigint      NOT NULL DEFAULT 0
);

CREATE INDEX webhook_endpoints_project_idx ON webhook_endpoints (project, created_at, id);

-- Recording an event looks up the project's enabled endpoints in the same statement.
CREATE INDEX webhook_endpoints_enabled_idx ON webhook_endpoints (project) WHERE enabled;

-- The webhook outbox: one row per event and endpoint, claimed like emails (SKIP LOCKED, lease,
-- fencing token). Its id is the webhook-id of every try (msg_<id>), so receivers can deduplicate.
CREATE TABLE webhook_deliveries (
    id               uuid        PRIMARY KEY,
    endpoint_id      uuid        NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    project          text        NOT NULL,
    event_id         bigint      NOT NULL REFERENCES email_events (id) ON DELETE CASCADE,
    status           text        NOT NULL DEFAULT 'PENDING'
        CHECK (status IN ('PENDING', 'SENDING', 'DELIVERED', 'FAILED')),
    attempts         integer     NOT NULL DEFAULT 0,
    -- The next try while PENDING, the lease expiry while SENDING; NULL once settled.
    due_at           timestamptz,
    locked_by        text,
    claim_token      bigint      NOT NULL DEFAULT 0,
    -- Retries stop this long after it (about 3 days); a replay starts it again.
    retry_from       timestamptz NOT NULL DEFAULT now(),
    last_status_code smallint,
    last_error       text,
    last_attempt_at  timestamptz,
    delivered_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- The claim scans due rows in due order; settled rows never enter this index.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (due_at)
    WHERE status IN ('PENDING', 'SENDING');

-- The delivery log of an endpoint, newest first, paged by (created_at, id).
CREATE INDEX webhook_deliveries_endpoint_idx
    ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);

CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id);

-- Every try of a delivery: what the receiver answered, or why it could not.
CREATE TABLE webhook_attempts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id uuid        NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    number      integer     NOT NULL,
    dispatcher  text        NOT NULL,
    started_at  timestamptz NOT NULL,
    duration_ms integer     NOT NULL,
    status_code smallint,
    error       text
);

CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);

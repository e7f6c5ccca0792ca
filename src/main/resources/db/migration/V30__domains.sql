-- Sender domains (dev.mailroom.domain): one row per domain of a project, its DKIM keys, and what
-- the last check of its DNS records found. A plain aggregate, mapped by JPA; Flyway owns the schema
-- and Hibernate only validates it.
CREATE TABLE domains (
    id          uuid PRIMARY KEY,
    project     text        NOT NULL,
    -- Lower-case ASCII, A-labels for international names, no trailing dot.
    name        text        NOT NULL,
    created_at  timestamptz NOT NULL,
    checked_at  timestamptz,
    verified_at timestamptz,
    version     bigint      NOT NULL,
    UNIQUE (project, name)
);

-- The recheck takes the domains checked longest ago.
CREATE INDEX domains_checked_at ON domains (checked_at NULLS FIRST);

CREATE TABLE domain_keys (
    id          uuid PRIMARY KEY,
    domain_id   uuid        NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    selector    text        NOT NULL,
    algorithm   text        NOT NULL CHECK (algorithm IN ('rsa-sha256', 'ed25519-sha256')),
    -- The p= of the DNS record, base64.
    public_key  text        NOT NULL,
    -- Never the plain key: a version byte, a 96-bit nonce, then the AES-256-GCM ciphertext and tag
    -- of its PKCS #8 encoding, under mailroom.domains.encryption-key.
    private_key bytea       NOT NULL,
    state       text        NOT NULL CHECK (state IN ('ACTIVE', 'PENDING', 'RETIRED')),
    created_at  timestamptz NOT NULL,
    retired_at  timestamptz,
    UNIQUE (domain_id, selector)
);

CREATE INDEX domain_keys_domain ON domain_keys (domain_id);

CREATE TABLE domain_record_checks (
    domain_id  uuid        NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    type       text        NOT NULL,
    name       text        NOT NULL,
    state      text        NOT NULL CHECK (state IN ('PENDING', 'VERIFIED', 'MISSING', 'MISMATCH')),
    found      text,
    checked_at timestamptz NOT NULL
);

CREATE INDEX domain_record_checks_domain ON domain_record_checks (domain_id);

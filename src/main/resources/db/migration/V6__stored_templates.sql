-- Email templates as immutable, numbered versions. A template is created by its first version,
-- archived instead of deleted (emails keep pointing at the version they were rendered from), and
-- un-archived by a new version.
CREATE TABLE templates (
    name          text        PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$' AND name NOT LIKE '%..%'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- Set while no new email may use the template.
    archived_at   timestamptz,
    -- The content hash of the template's files (classpath or mailroom.templates.directory) when
    -- they were last imported at startup: unchanged files are not imported again, so a version
    -- made through the API since then stays the latest.
    imported_hash text
);

CREATE TABLE template_versions (
    name               text        NOT NULL REFERENCES templates (name),
    version            integer     NOT NULL CHECK (version > 0),
    subject            text        NOT NULL,
    html               text        NOT NULL,
    text               text,
    -- Per-locale variants: {"fr": {"subject": ..., "html": ..., "text": ...}, ...}
    locales            jsonb       NOT NULL DEFAULT '{}',
    required_variables text[]      NOT NULL DEFAULT '{}',
    -- SHA-256 of the normalised content: equal content, equal hash, from the API or from files.
    content_hash       text        NOT NULL,
    source             text        NOT NULL CHECK (source IN ('API', 'FILE')),
    created_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, version)
);

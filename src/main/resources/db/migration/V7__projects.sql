-- Projects. Every API key belongs to one (mailroom.api-keys[n].project), and so does everything a
-- key makes: emails with their idempotency keys, and stored templates. Rows from before projects
-- belong to the project 'default'; the README ("Projects") says how to move them to another.
--
-- Safe on a large, live emails table: nothing here rewrites or scans it. The indexes that lead
-- with the project are built without blocking writes by the next migration.

-- A bounded wait for the locks below: behind a long-running transaction the migration fails (and
-- the replica retries its startup) instead of queueing every request behind its lock.
SET LOCAL lock_timeout = '10s';

-- ACCESS EXCLUSIVE on emails for an instant, no rewrite: since PostgreSQL 11 a constant default
-- is kept in the catalog and existing rows read it without being touched, so every row written
-- before this migration reads 'default'. Dropping the default is catalog-only too, and leaves
-- those rows as they read: from now on every new email must name its project.
ALTER TABLE emails ADD COLUMN project text NOT NULL DEFAULT 'default';
ALTER TABLE emails ALTER COLUMN project DROP DEFAULT;

-- Templates are keyed by (project, name). Templates from files (classpath, or
-- mailroom.templates.directory) are shared by every project under the project '*', which no key
-- can have (project names are letters, digits, '_', '.' and '-'); only they are imported. A name
-- that was ever imported from files was a file template, its API versions included; every other
-- template was made through the API by the one project there was.
--
-- These tables hold one row per template and per version: they are rewritten here under ACCESS
-- EXCLUSIVE locks, which intake waits for (as a render reads them) only while this runs.
ALTER TABLE template_versions DROP CONSTRAINT template_versions_name_fkey;
ALTER TABLE template_versions DROP CONSTRAINT template_versions_pkey;
ALTER TABLE templates DROP CONSTRAINT templates_pkey;

ALTER TABLE templates ADD COLUMN project text;
UPDATE templates SET project = CASE WHEN imported_hash IS NULL THEN 'default' ELSE '*' END;
ALTER TABLE templates
    ALTER COLUMN project SET NOT NULL,
    ADD PRIMARY KEY (project, name),
    ADD CONSTRAINT templates_imported_are_shared CHECK (imported_hash IS NULL OR project = '*');

ALTER TABLE template_versions ADD COLUMN project text;
UPDATE template_versions v SET project = t.project FROM templates t WHERE t.name = v.name;
ALTER TABLE template_versions
    ALTER COLUMN project SET NOT NULL,
    ADD PRIMARY KEY (project, name, version),
    -- A template moved to another project (README, "Projects") takes its versions along.
    ADD FOREIGN KEY (project, name) REFERENCES templates (project, name) ON UPDATE CASCADE;

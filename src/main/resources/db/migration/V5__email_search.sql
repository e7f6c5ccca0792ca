-- GET /emails lists newest first and pages by (created_at, id). Each filter has an index that
-- yields its matches in that order, or few enough to sort, so a page never scans the table.

-- No filter, or only createdAfter/createdBefore: walk the newest rows, stop after one page.
CREATE INDEX emails_created_idx ON emails (created_at DESC, id DESC);

-- status=…: the same walk within one status.
CREATE INDEX emails_status_created_idx ON emails (status, created_at DESC, id DESC);

-- template=…: the same walk within one template; ready-made emails have none.
CREATE INDEX emails_template_created_idx ON emails (template_name, created_at DESC, id DESC)
    WHERE template_name IS NOT NULL;

-- tag=…: tags @> ARRAY[tag] through a GIN index, then the matches are sorted.
CREATE INDEX emails_tags_idx ON emails USING gin (tags);

-- recipient=… (case-insensitive): the emails of one address, then joined by primary key.
CREATE INDEX email_recipients_address_idx ON email_recipients (lower(address), email_id);

-- Every table is scoped to a project: an inbound message matched to an email belongs to that
-- email's project. An unmatched or unparseable message belongs to no project (NULL), and only an
-- operator looks at those.
ALTER TABLE inbound_messages ADD COLUMN project text;

-- Messages matched before this migration take their email's project, if retention left the email.
UPDATE inbound_messages m
   SET project = e.project
  FROM emails e
 WHERE e.id = m.email_id;

-- A project's inbound messages, newest first, without reading the other projects' rows.
CREATE INDEX inbound_messages_project_idx ON inbound_messages (project, received_at)
    WHERE project IS NOT NULL;

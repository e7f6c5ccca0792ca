-- Every table is scoped to a project: an inbound message matched to an email belongs to that
-- email's project. An unmatched or unparseable message belongs to no project (NULL), and only an
-- operator looks at those.
ALTER TABLE inbound_messages ADD COLUMN project text;

-- Messages matched before this migration take their email's project, if retention left the email.
UPDATE inbound_messages m
   SET project = e.project
  FROM emails e
 WHERE e.id = m.email_id;

-- No index on project: nothing queries inbound messages by project yet (retention goes by
-- received_at, matching by email_id, both indexed in V20). The query that needs one brings it,
-- built CONCURRENTLY like V8's.

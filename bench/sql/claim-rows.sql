-- Due rows for measuring the claim: emails :first .. :last, QUEUED and due for the last hour,
-- each carrying the project and stored message of a real email (bench_sample) so octet_length
-- sees real sizes. psql variables: first, last.
INSERT INTO emails (id, project, status, from_address, envelope_from, subject, message_id, mime,
                    due_at, created_at, updated_at, priority)
SELECT gen_random_uuid(), s.project, 'QUEUED', s.from_address, s.envelope_from, s.subject,
       '<claim-' || g || '@bench.example>', s.mime,
       now() - interval '1 hour' + (g % 3600000) * interval '1 millisecond',
       now(), now(), 1
  FROM generate_series(:first, :last) AS g, bench_sample AS s;

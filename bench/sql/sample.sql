-- Keeps one real stored message for the claim measurement, then empties the outbox.
DROP TABLE IF EXISTS bench_sample;
CREATE TABLE bench_sample AS
  SELECT project, from_address, envelope_from, subject, mime
    FROM emails WHERE mime IS NOT NULL ORDER BY created_at DESC LIMIT 1;
TRUNCATE emails CASCADE;

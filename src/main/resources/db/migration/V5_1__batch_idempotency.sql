-- POST /emails/batch keeps its Idempotency-Key and request hash on the batch's first email, in
-- the columns single sends use, so one key means one request across both endpoints and lives as
-- long as that email. This column holds the ids of the whole batch, in request order, for replays.
ALTER TABLE emails ADD COLUMN batch_ids uuid[];

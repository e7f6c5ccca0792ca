-- The indexes V55 built take the names of the ones they replace. A rename is a catalogue change
-- whose lock (SHARE UPDATE EXCLUSIVE) blocks no read or write; the wait for a vacuum or another
-- change of the table is bounded as in V53.
SET LOCAL lock_timeout = '10s';

ALTER INDEX emails_due_at_idx RENAME TO emails_due_idx;
ALTER INDEX webhook_deliveries_due_at_idx RENAME TO webhook_deliveries_due_idx;

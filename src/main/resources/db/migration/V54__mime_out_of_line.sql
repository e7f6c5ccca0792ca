-- Stored messages kept out of the email's row, in the table's TOAST storage: an email's row is
-- written three times (intake, the claim, the result), and each update of a row writes a whole new
-- version of it, indexes and WAL included. With the message inline (about 1.7 KB compressed for a
-- 3 KB message, the usual template's), each version copies it; out of line, a version carries an
-- 18-byte pointer to the message, which is written once at intake and shared by every version after
-- it. The row shrinks from about 2 KB to about 300 bytes, and the WAL of an update to less than
-- half (1.3 against 3.0 KB for the result). Under the service's load the CPU per email did not
-- measurably change (README, "Where the time goes").
--
-- PostgreSQL moves values out of line when a row exceeds toast_tuple_target after compression, but
-- only considers a row of more than about 2 KB before it: a smaller message stays inline, as
-- before. 1024 moves the message out and leaves the other columns (about 300 bytes together) in the
-- row. Only rows written from now on are affected; the ones already stored stay as they are until
-- they are next updated. A catalogue change only. Its lock (SHARE UPDATE EXCLUSIVE) blocks no read
-- or write, only another change of the table's definition or a vacuum of it; the wait for those is
-- bounded as in V53.
SET LOCAL lock_timeout = '10s';

ALTER TABLE emails SET (toast_tuple_target = 1024);

package dev.mailroom.delivery;

import dev.mailroom.support.StatementPlans;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A quiet outbox is often empty of due mail when a vacuum or an ANALYZE visits it. PostgreSQL then
 * counts {@code emails_due_idx} as empty, whatever is queued after the visit, until the next one;
 * on a large table that can be a whole backlog later. Every statement that finds an email by its
 * key must still find it by its key, not walk the due index from end to end for each email.
 */
class EmptiedQueuePlanTest extends HandBuiltDispatcherTest {

  private static final String ID = "'00000000-0000-0000-0000-000000000001'";

  @Autowired DataSource dataSource;

  @BeforeEach
  void settledMailVacuumedThenABacklog() {
    insert(2_000, "SENT", "NULL");
    StatementPlans.vacuumFindingEmpty(jdbc, "emails", "emails_due_idx");
    insert(20_000, "SENDING", "now() + interval '1 hour'");
  }

  @Test
  void theDispatchersWritesFindEachEmailByItsKey() throws SQLException {
    SoftAssertions soft = new SoftAssertions();
    var byKey =
        new StatementPlans.Requirement(
            soft, dataSource, "using emails_pkey on emails", "emails_due_idx");
    byKey.check(
        "a result of a batch",
        EmailClaims.RECORD,
        List.of(
            "uuid[]", "bigint[]", "text[]", "timestamptz[]", "timestamptz[]", "text[]", "text[]"),
        List.of(
            "ARRAY[" + ID + "]::uuid[]",
            "'{1}'",
            "'{SENT}'",
            "'{NULL}'",
            "ARRAY[now()]",
            "'{NULL}'",
            "'{NULL}'"));
    byKey.check(
        "a result alone",
        "WITH " + EmailClaims.RECORD_ONE + " SELECT count(*) FROM changed",
        RecordOneParameters.types(),
        List.of(
            "'SENT'",
            "NULL",
            "now()",
            "NULL",
            "NULL",
            ID,
            "1",
            "1",
            "'d'",
            "'r'",
            "now()",
            "5",
            "'SENT'",
            "250",
            "'2.0.0'",
            "'ok'",
            "NULL",
            "NULL",
            "true",
            "'{0}'",
            "'{SENT}'",
            "'{250}'",
            "'{2.0.0}'",
            "'{ok}'"));
    byKey.check(
        "a renewed lease",
        EmailClaims.RENEW,
        List.of("bigint", "uuid[]", "bigint[]"),
        List.of("60000", "ARRAY[" + ID + "]::uuid[]", "'{1}'"));
    byKey.check(
        "a released claim", EmailClaims.RELEASE, List.of("uuid", "bigint"), List.of(ID, "1"));
    soft.assertAll();
  }

  private void insert(int count, String status, String dueAt) {
    jdbc.sql(
            """
            INSERT INTO emails (id, project, status, from_address, envelope_from, subject,
                                message_id, mime, due_at, locked_by, claim_token)
            SELECT gen_random_uuid(), 'test', '%s', 'a@example.com', 'a@example.com', 's',
                   '<' || gen_random_uuid() || '@plan.test>', '\\x00', %s,
                   CASE WHEN '%s' = 'SENDING' THEN 'elsewhere' END, 1
              FROM generate_series(1, %d)
            """
                .formatted(status, dueAt, status, count))
        .update();
  }
}

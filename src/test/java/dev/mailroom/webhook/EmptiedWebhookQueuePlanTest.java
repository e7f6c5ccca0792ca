package dev.mailroom.webhook;

import dev.mailroom.support.ScriptedRelayTest;
import dev.mailroom.support.StatementPlans;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The webhook outbox after a vacuum that found nothing due, like the email outbox in {@code
 * EmptiedQueuePlanTest}: PostgreSQL counts {@code webhook_deliveries_due_idx} as empty until the
 * next visit, however many deliveries are claimed since. Writing a try back, or giving a claim
 * back, must still find the delivery by its key.
 */
class EmptiedWebhookQueuePlanTest extends ScriptedRelayTest {

  private static final String ID = "'00000000-0000-0000-0000-000000000001'";
  private static final String ENDPOINT = "00000000-0000-0000-0000-0000000000e1";

  @Autowired DataSource dataSource;

  @AfterEach
  void dropTheEndpoint() {
    jdbc.sql("DELETE FROM webhook_endpoints WHERE id = CAST(:endpoint AS uuid)")
        .param("endpoint", ENDPOINT)
        .update();
  }

  @Test
  void writingATryBackFindsTheDeliveryByItsKey() throws SQLException {
    jdbc.sql(
            """
            WITH email AS (
              INSERT INTO emails (id, project, status, from_address, envelope_from, subject,
                                  message_id, mime)
              VALUES (gen_random_uuid(), 'test', 'SENT', 'a@example.com', 'a@example.com', 's',
                      '<plan@webhook.test>', '\\x00')
              RETURNING id
            )
            INSERT INTO email_events (project, email_id, type)
            SELECT 'test', id, 'email.sent' FROM email
            """)
        .update();
    jdbc.sql(
            """
            INSERT INTO webhook_endpoints (id, project, url, event_types, secret, created_at,
                                           updated_at)
            VALUES (CAST(:endpoint AS uuid), 'test', 'https://hooks.example.com/',
                    '{email.sent}', 'whsec_plan', now(), now())
            """)
        .param("endpoint", ENDPOINT)
        .update();
    insert(2_000, "DELIVERED", "NULL");
    StatementPlans.vacuumFindingEmpty(jdbc, "webhook_deliveries", "webhook_deliveries_due_idx");
    insert(20_000, "SENDING", "now() + interval '1 hour'");

    SoftAssertions soft = new SoftAssertions();
    var byKey =
        new StatementPlans.Requirement(
            soft,
            dataSource,
            "using webhook_deliveries_pkey on webhook_deliveries",
            "webhook_deliveries_due_idx");
    byKey.check(
        "a try written back",
        WebhookDeliveries.RECORD,
        List.of(
            "text",
            "timestamptz",
            "boolean",
            "integer",
            "text",
            "timestamptz",
            "timestamptz",
            "uuid",
            "bigint"),
        List.of("'DELIVERED'", "NULL", "true", "200", "NULL", "now()", "now()", ID, "1"));
    byKey.check(
        "a claim given back",
        WebhookDeliveries.RELEASE,
        List.of("uuid", "bigint"),
        List.of(ID, "1"));
    soft.assertAll();
  }

  private void insert(int count, String status, String dueAt) {
    jdbc.sql(
            """
            INSERT INTO webhook_deliveries (id, endpoint_id, project, event_id, status, due_at,
                                            locked_by, claim_token)
            SELECT gen_random_uuid(), CAST(:endpoint AS uuid), 'test',
                   (SELECT e.id FROM email_events e JOIN emails m ON m.id = e.email_id
                     WHERE m.message_id = '<plan@webhook.test>'),
                   '%s', %s, CASE WHEN '%s' = 'SENDING' THEN 'elsewhere' END, 1
              FROM generate_series(1, %d)
            """
                .formatted(status, dueAt, status, count))
        .param("endpoint", ENDPOINT)
        .update();
  }
}

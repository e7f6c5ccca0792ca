package dev.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.StatementPlans;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The claim's plan over an outbox shaped like production: mostly settled mail, mail scheduled far
 * ahead in every priority, a little due mail.
 */
class ClaimPlanTest extends HandBuiltDispatcherTest {

  @Autowired DataSource dataSource;

  @Test
  void theClaimReadsDueRowsOnlyThroughTheIndexInPriorityOrderWithoutSorting() {
    jdbc.sql(
            """
            INSERT INTO emails (id, project, status, from_address, envelope_from, subject,
                                message_id, mime, priority, due_at)
            SELECT gen_random_uuid(), 'test',
                   CASE WHEN i % 10 = 0 THEN 'SCHEDULED' WHEN i % 100 = 1 THEN 'QUEUED' ELSE 'SENT' END,
                   'a@example.com', 'a@example.com', 's', 'plan-' || i, '\\x00', i % 3,
                   CASE WHEN i % 10 = 0 THEN now() + i * interval '1 second'
                        WHEN i % 100 = 1 THEN now() - i * interval '1 millisecond' END
              FROM generate_series(1, 30000) i
            """)
        .update();
    jdbc.sql("VACUUM ANALYZE emails").update();

    List<String> plan =
        jdbc.sql("EXPLAIN " + EmailClaims.CLAIM)
            .param("dispatcher", "planner")
            .param("lease", 1000)
            .param("limit", 20)
            .param("maxBytes", EmailClaims.MAX_BATCH_BYTES)
            .query(String.class)
            .list();

    String text = String.join("\n", plan);
    assertThat(text).contains("Index Scan using emails_due_idx on emails");
    // Due rows come from the index in order, straight into the LIMIT: nothing sorts them. The only
    // sort allowed is above the LIMIT, over the claimed batch itself (for the byte cap's running
    // sum), so at most `limit` rows.
    String belowLimit = text.substring(text.indexOf("->  Limit"));
    assertThat(belowLimit).doesNotContain("Sort");
    // Every priority is a range of its own, ending at the first row not yet due: rows scheduled
    // ahead are never read.
    assertThat(text)
        .containsPattern(
            "Index Cond: \\(\\(priority = ANY \\(.*\\)\\) AND \\(due_at <= now\\(\\)\\)\\)");
  }

  /**
   * The server plans a statement the driver runs often once, with its parameters left open, and
   * keeps that plan. A fresh outbox's tables are empty and never analyzed when that happens: the
   * plan must still look recipients up by their key, never scan the table (which grows under it
   * until the next ANALYZE).
   */
  @Test
  void theGenericPlanOfAFreshOutboxLooksRecipientsUpByTheirKey() throws SQLException {
    String generic =
        EmailClaims.CLAIM
            .replace(":dispatcher", "$1")
            .replace(":lease", "$2")
            .replace(":limit", "$3")
            .replace(":maxBytes", "$4");
    String text =
        freshGenericPlan(
            List.of("emails", "email_recipients"),
            "PREPARE fresh(text, bigint, bigint, bigint) AS " + generic,
            "EXPLAIN EXECUTE fresh('planner', 1000, 20, 1000000)");
    assertThat(text).contains("using email_recipients_pkey on email_recipients");
    assertThat(text).doesNotContain("Seq Scan on email_recipients");
  }

  /**
   * A result written alone ({@link EmailClaims#RECORD_ONE}) finds its email and its recipients by
   * their keys in the plan the server keeps, made while the tables were new and empty.
   */
  @Test
  void theGenericPlanOfOneResultFindsTheEmailAndItsRecipientsByTheirKeys() throws SQLException {
    String statement = "WITH " + EmailClaims.RECORD_ONE + " SELECT count(*) FROM changed";
    List<String> order = RecordOneParameters.names();
    assertThat(RecordOneParameters.known()).containsExactlyInAnyOrderElementsOf(order);

    String text =
        freshGenericPlanOf(
            List.of("emails", "email_recipients", "delivery_attempts"),
            statement,
            RecordOneParameters.types());
    assertThat(text).contains("using emails_pkey on emails");
    assertThat(text).contains("using email_recipients_pkey on email_recipients");
    assertThat(text).doesNotContain("Seq Scan on email");
  }

  /**
   * A batch of results ({@link EmailClaims#RECORD}, {@link EmailClaims#RECORD_RECIPIENTS}) and a
   * renewed lease ({@link EmailClaims#RENEW}) find each email and each recipient by its key in the
   * plan the server keeps, made while the tables were new and empty: never a scan of a table that
   * grows under the plan.
   */
  @Test
  void theGenericPlansOfABatchFindEmailsAndRecipientsByTheirKeys() throws SQLException {
    String emails =
        freshGenericPlanOf(
            List.of("emails"),
            EmailClaims.RECORD,
            List.of(
                "uuid[]",
                "bigint[]",
                "text[]",
                "timestamptz[]",
                "timestamptz[]",
                "text[]",
                "text[]"));
    String recipients =
        freshGenericPlanOf(
            List.of("email_recipients"),
            EmailClaims.RECORD_RECIPIENTS,
            List.of("uuid[]", "smallint[]", "text[]", "smallint[]", "text[]", "text[]"));
    String renewal =
        freshGenericPlanOf(
            List.of("emails"), EmailClaims.RENEW, List.of("bigint", "uuid[]", "bigint[]"));

    assertThat(emails).contains("using emails_pkey on emails").doesNotContain("Seq Scan");
    assertThat(renewal).contains("using emails_pkey on emails").doesNotContain("Seq Scan");
    assertThat(recipients)
        .contains("using email_recipients_pkey on email_recipients")
        .doesNotContain("Seq Scan");
  }

  /**
   * {@link #freshGenericPlan} of one of the service's statements, its parameters of the given types
   * in the order {@link StatementPlans} numbers them, explained with each of them NULL.
   */
  private String freshGenericPlanOf(List<String> tables, String sql, List<String> types)
      throws SQLException {
    return freshGenericPlan(
        tables,
        "PREPARE fresh(%s) AS %s"
            .formatted(String.join(", ", types), StatementPlans.positional(sql, types.size())),
        "EXPLAIN EXECUTE fresh(%s)"
            .formatted(String.join(", ", types.stream().map(t -> "NULL").toList())));
  }

  /**
   * The plan the server keeps for a prepared statement (generic, its parameters left open) over
   * empty, never-analyzed copies of the tables, in a schema of their own that is rolled back.
   */
  private String freshGenericPlan(List<String> tables, String prepare, String explain)
      throws SQLException {
    List<String> plan = new ArrayList<>();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        statement.execute("CREATE SCHEMA fresh_outbox");
        for (String table : tables) {
          statement.execute(
              "CREATE TABLE fresh_outbox.%s (LIKE public.%s INCLUDING ALL)"
                  .formatted(table, table));
        }
        statement.execute("SET LOCAL search_path = fresh_outbox");
        statement.execute("SET LOCAL plan_cache_mode = force_generic_plan");
        statement.execute(prepare);
        try (ResultSet rs = statement.executeQuery(explain)) {
          while (rs.next()) {
            plan.add(rs.getString(1));
          }
        }
        statement.execute("DEALLOCATE fresh");
      } finally {
        connection.rollback();
      }
    }
    return String.join("\n", plan);
  }
}

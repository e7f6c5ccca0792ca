package dev.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;

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
    List<String> plan = new ArrayList<>();
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        statement.execute("CREATE SCHEMA fresh_outbox");
        statement.execute("CREATE TABLE fresh_outbox.emails (LIKE public.emails INCLUDING ALL)");
        statement.execute(
            "CREATE TABLE fresh_outbox.email_recipients"
                + " (LIKE public.email_recipients INCLUDING ALL)");
        statement.execute("SET LOCAL search_path = fresh_outbox");
        statement.execute("SET LOCAL plan_cache_mode = force_generic_plan");
        statement.execute("PREPARE fresh_claim(text, bigint, bigint, bigint) AS " + generic);
        try (ResultSet rs =
            statement.executeQuery("EXPLAIN EXECUTE fresh_claim('planner', 1000, 20, 1000000)")) {
          while (rs.next()) {
            plan.add(rs.getString(1));
          }
        }
        statement.execute("DEALLOCATE fresh_claim");
      } finally {
        connection.rollback();
      }
    }

    String text = String.join("\n", plan);
    assertThat(text).contains("using email_recipients_pkey on email_recipients");
    assertThat(text).doesNotContain("Seq Scan on email_recipients");
  }
}

package dev.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The claim's plan over an outbox shaped like production: mostly settled mail, mail scheduled far
 * ahead in every priority, a little due mail.
 */
class ClaimPlanTest extends HandBuiltDispatcherTest {

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
}

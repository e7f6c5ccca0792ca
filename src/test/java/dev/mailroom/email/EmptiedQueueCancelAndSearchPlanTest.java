package dev.mailroom.email;

import dev.mailroom.apikey.ApiKey;
import dev.mailroom.apikey.ApiKeySettings;
import dev.mailroom.apikey.Scope;
import dev.mailroom.support.ScriptedRelayTest;
import dev.mailroom.support.StatementPlans;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.util.LinkedMultiValueMap;

/**
 * A cancel and a search by status over a backlog queued after a vacuum found nothing due (see
 * {@code EmptiedQueuePlanTest}): PostgreSQL then counts {@code emails_due_idx} as empty, and a
 * statement that index could serve walked it from end to end.
 */
class EmptiedQueueCancelAndSearchPlanTest extends ScriptedRelayTest {

  @Autowired DataSource dataSource;
  @Autowired EmailSearch search;

  @Test
  void aCancelFindsTheEmailByItsKeyAndASearchByStatusWalksTheProjectsStatusIndex()
      throws SQLException {
    insert(2_000, "SENT", "NULL");
    StatementPlans.vacuumFindingEmpty(jdbc, "emails", "emails_due_idx");
    insert(20_000, "QUEUED", "now() - interval '1 minute'");

    SoftAssertions soft = new SoftAssertions();
    new StatementPlans.Requirement(
            soft, dataSource, "using emails_pkey on emails", "emails_due_idx")
        .check(
            "a cancel",
            EmailRepository.CANCEL,
            List.of("text", "uuid", "text[]", "text"),
            List.of(
                "'CANCELLED'",
                "'00000000-0000-0000-0000-000000000001'",
                "'{SCHEDULED,QUEUED,DEFERRED}'",
                "'default'"));
    ApiKey key =
        new ApiKey(
            "default",
            "default",
            Set.of(Scope.READ),
            List.of(),
            new ApiKeySettings.RateLimit(null, null));
    for (String status : List.of("QUEUED", "SCHEDULED", "DEFERRED", "SENDING")) {
      var parameters = new LinkedMultiValueMap<String, String>();
      parameters.add("status", status);
      EmailSearch.Query query = search.query(EmailFilter.parse(parameters).within(key));
      var explain = jdbc.sql("EXPLAIN " + query.sql());
      query.parameters().forEach(explain::param);
      String plan = String.join("\n", explain.query(String.class).list());
      soft.assertThat(plan)
          .as("GET /emails?status=" + status)
          .contains("using emails_project_status_created_idx on emails")
          .doesNotContain("emails_due_idx");
    }
    soft.assertAll();
  }

  private void insert(int count, String status, String dueAt) {
    jdbc.sql(
            """
            INSERT INTO emails (id, project, status, from_address, envelope_from, subject,
                                message_id, mime, due_at)
            SELECT gen_random_uuid(), 'default', '%s', 'a@example.com', 'a@example.com', 's',
                   '<' || gen_random_uuid() || '@plan.test>', '\\x00', %s
              FROM generate_series(1, %d)
            """
                .formatted(status, dueAt, count))
        .update();
  }
}

package dev.mailroom.email;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.apikey.ApiKey;
import dev.mailroom.apikey.ApiKeySettings;
import dev.mailroom.apikey.Scope;
import dev.mailroom.support.ScriptedRelayTest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every filter of {@code GET /emails} is served by an index on a table of realistic size: 200,000
 * emails over 140 days, each with a recipient, in the statuses, templates and tags a busy sender
 * has, in two projects. The plans PostgreSQL chooses for the very statements the search runs, first
 * page and a later one, within the key's project and across projects for an admin key, must not
 * read the emails or recipients table from end to end.
 */
class EmailSearchPlanTest extends ScriptedRelayTest {

  private static final Logger log = LoggerFactory.getLogger(EmailSearchPlanTest.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Autowired EmailSearch search;

  @AfterEach
  void dropTheBulk() {
    jdbc.sql("TRUNCATE emails CASCADE").update();
  }

  /** A key of the project that holds nine emails in ten. */
  private static final ApiKey KEY = key("default", Scope.READ);

  /** A key of the project that holds one email in ten. */
  private static final ApiKey OTHER = key("other", Scope.READ);

  /** An operator's key, which searches every project. */
  private static final ApiKey ADMIN = key("ops", Scope.ADMIN);

  @Test
  void everyFilterIsServedByAnIndexWithinAProjectAndAcrossProjects() {
    fillWithTwoHundredThousandEmails();
    // query string → an index the plan must use (null: any index, as long as nothing is scanned)
    Map<String, String> queries = new LinkedHashMap<>();
    // Nine rows in ten are this project's: walking every project's newest rows is as good.
    queries.put("", null);
    queries.put("limit=100", null);
    queries.put("status=FAILED", null);
    queries.put("status=DEFERRED", null);
    queries.put("status=SENT", null);
    queries.put("recipient=user4242@example.com", "email_recipients_address_idx");
    queries.put("recipient=USER4242@Example.com&status=SENT", "email_recipients_address_idx");
    queries.put("tag=vip", "emails_tags_idx");
    queries.put("tag=newsletter", null);
    queries.put("template=password-reset", "emails_project_template_created_idx");
    queries.put("template=welcome", null);
    queries.put("createdAfter=" + daysAgo(1), null);
    queries.put("createdBefore=" + daysAgo(100), null);
    queries.put("createdAfter=" + daysAgo(31) + "&createdBefore=" + daysAgo(30), null);
    queries.put("status=FAILED&createdAfter=" + daysAgo(7), null);
    queries.put("template=password-reset&tag=vip", null);

    SoftAssertions soft = new SoftAssertions();
    for (var query : queries.entrySet()) {
      checkPages(soft, KEY, query.getKey(), query.getValue());
    }
    // The small project's rows come from the indexes that lead with the project.
    checkPages(soft, OTHER, "", "emails_project_created_idx");
    checkPages(soft, OTHER, "status=FAILED", "emails_project_status_created_idx");
    checkPages(soft, OTHER, "template=welcome", "emails_project_template_created_idx");
    // An admin key's search, across every project or within one.
    Map<String, String> admin = new LinkedHashMap<>();
    admin.put("", "emails_created_idx");
    admin.put("project=other", "emails_project_created_idx");
    admin.put("project=other&status=FAILED", "emails_project_status_created_idx");
    admin.put("status=FAILED", null);
    admin.put("recipient=user4242@example.com", "email_recipients_address_idx");
    admin.put("tag=vip", "emails_tags_idx");
    admin.put("createdAfter=" + daysAgo(1), "emails_created_idx");
    for (var query : admin.entrySet()) {
      checkPages(soft, ADMIN, query.getKey(), query.getValue());
    }
    soft.assertAll();
  }

  /** The plan of the first page, and of the next when there is one. */
  private void checkPages(SoftAssertions soft, ApiKey key, String query, String expectedIndex) {
    EmailFilter first = filter(query, key);
    checkPlan(soft, key.name() + ": " + query, first, expectedIndex);
    EmailPage page = search.search(first);
    if (page.next() != null) {
      String later = query + (query.isEmpty() ? "" : "&") + "cursor=" + page.next();
      checkPlan(soft, key.name() + ": " + later, filter(later, key), expectedIndex);
    }
  }

  private static ApiKey key(String project, Scope scope) {
    return new ApiKey(
        project, project, Set.of(scope), List.of(), new ApiKeySettings.RateLimit(null, null));
  }

  private void checkPlan(
      SoftAssertions soft, String query, EmailFilter filter, String expectedIndex) {
    EmailSearch.Query statement = search.query(filter);
    var explain = jdbc.sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement.sql());
    statement.parameters().forEach(explain::param);
    JsonNode plan = JSON.readTree(explain.query(String.class).single()).get(0);
    List<String> nodes = new ArrayList<>();
    collect(plan.path("Plan"), nodes);
    log.info(
        "GET /emails?{} ran in {} ms: {}",
        query,
        plan.path("Execution Time").asDouble(),
        String.join(" > ", nodes));
    soft.assertThat(nodes).as("plan of ?%s", query).noneMatch(node -> node.startsWith("Seq Scan"));
    if (expectedIndex != null) {
      soft.assertThat(nodes)
          .as("plan of ?%s", query)
          .anyMatch(node -> node.contains(" using " + expectedIndex));
    }
  }

  private static void collect(JsonNode node, List<String> into) {
    String type = node.path("Node Type").asString();
    String relation = node.path("Relation Name").asString("");
    String index = node.path("Index Name").asString("");
    into.add(
        type
            + (relation.isEmpty() ? "" : " on " + relation)
            + (index.isEmpty() ? "" : " using " + index));
    node.path("Plans").valueStream().forEach(child -> collect(child, into));
  }

  private static EmailFilter filter(String query, ApiKey key) {
    var parameters = UriComponentsBuilder.newInstance().query(query).build().getQueryParams();
    return EmailFilter.parse(new LinkedMultiValueMap<>(parameters)).within(key);
  }

  private String daysAgo(int days) {
    return jdbc.sql(
            "SELECT to_char((now() - make_interval(days => :days)) AT TIME ZONE 'UTC',"
                + " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
        .param("days", days)
        .query(String.class)
        .single();
  }

  /**
   * One email a minute for 140 days: 90 % SENT, 5 % FAILED, 3 % DEFERRED (due tomorrow, so no
   * dispatcher touches them), 2 % CANCELLED; a third ready-made, most from "welcome", 0.1 % from
   * "password-reset"; tags "newsletter" on half, "vip" on 0.05 %; 50,000 distinct recipients. One
   * email in ten is of the project "other", the rest of "default".
   */
  private void fillWithTwoHundredThousandEmails() {
    jdbc.sql(
            """
            INSERT INTO emails (id, project, status, from_address, envelope_from, subject,
                                message_id, mime, template_name, template_version, tags,
                                created_at, due_at)
            SELECT md5('plan' || n)::uuid,
                   CASE WHEN n % 10 = 3 THEN 'other' ELSE 'default' END,
                   CASE WHEN n % 100 < 90 THEN 'SENT' WHEN n % 100 < 95 THEN 'FAILED'
                        WHEN n % 100 < 98 THEN 'DEFERRED' ELSE 'CANCELLED' END,
                   'sender@mailroom.test', 'sender@mailroom.test', 'Subject ' || n,
                   '<' || n || '@plan.mailroom.test>', '\\x00'::bytea,
                   CASE WHEN n % 1000 = 7 THEN 'password-reset' WHEN n % 3 = 0 THEN NULL
                        ELSE 'welcome' END,
                   CASE WHEN n % 3 = 0 AND n % 1000 <> 7 THEN NULL ELSE 'v1' END,
                   CASE WHEN n % 2000 = 11 THEN ARRAY['vip', 'newsletter']
                        WHEN n % 2 = 0 THEN ARRAY['newsletter'] ELSE '{}' END,
                   now() - n * interval '1 minute',
                   CASE WHEN n % 100 BETWEEN 95 AND 97 THEN now() + interval '1 day' END
              FROM generate_series(1, 200000) AS n
            """)
        .update();
    // Fresh statistics first: planned against an "empty" emails table, the foreign key check of
    // each recipient row can scan it whole.
    jdbc.sql("ANALYZE emails").update();
    jdbc.sql(
            """
            INSERT INTO email_recipients (email_id, position, kind, address, status)
            SELECT md5('plan' || n)::uuid, 0, 'TO', 'user' || (n % 50000) || '@example.com',
                   'ACCEPTED'
              FROM generate_series(1, 200000) AS n
            """)
        .update();
    // As autovacuum would after a bulk load: fresh statistics, and the GIN index's pending list
    // merged (until then a tag lookup also reads every entry inserted since).
    jdbc.sql("VACUUM ANALYZE emails").update();
    jdbc.sql("VACUUM ANALYZE email_recipients").update();
    assertThat(count("emails")).isEqualTo(200_000);
  }
}

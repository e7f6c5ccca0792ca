package dev.mailroom.email;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/** {@code GET /emails}: newest first, filtered, paged by cursor. */
class EmailSearchTest extends ScriptedRelayTest {

  private String send(String json) {
    Api.Response response = api.post("/emails", json);
    assertThat(response.status()).as(response.body().toString()).isEqualTo(202);
    return response.body().path("id").asString();
  }

  private String sendTo(String to, String subject) {
    return send(
        """
        {"to": ["%s"], "subject": "%s", "text": "t"}"""
            .formatted(to, subject));
  }

  private List<String> batch(int size) {
    String emails =
        IntStream.range(0, size)
            .mapToObj(
                i ->
                    """
                    {"to": ["batch%d@example.com"], "subject": "Batch %d", "text": "t"}"""
                        .formatted(i, i))
            .collect(Collectors.joining(",", "{\"emails\": [", "]}"));
    Api.Response response = api.post("/emails/batch", emails);
    assertThat(response.status()).isEqualTo(202);
    return response.body().path("emails").valueStream().map(e -> e.path("id").asString()).toList();
  }

  private JsonNode list(String query) {
    Api.Response response = api.get("/emails" + query);
    assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
    return response.body();
  }

  private static List<String> ids(JsonNode page) {
    return page.path("emails").valueStream().map(e -> e.path("id").asString()).toList();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  @Test
  void listsNewestFirstWithASummaryOfEach() {
    String first = sendTo("ann@example.com", "First");
    String second =
        send(
            """
            {"from": "Shop <shop@example.com>", "to": ["bob@example.com", "Cy <cy@example.com>"],
             "cc": ["dee@example.com"], "template": "welcome", "tags": ["onboarding", "eu"],
             "variables": {"name": "Bob", "productName": "Acme", "actionUrl": "https://e.test"}}
            """);

    JsonNode page = list("");

    assertThat(ids(page)).containsExactly(second, first);
    assertThat(page.path("next").isNull()).isTrue();
    JsonNode summary = page.path("emails").get(0);
    assertThat(summary.path("status").asString()).isIn("QUEUED", "SENDING", "SENT");
    assertThat(summary.path("from").asString()).isEqualTo("Shop <shop@example.com>");
    assertThat(summary.path("subject").asString()).isEqualTo("Welcome to Acme, Bob!");
    assertThat(summary.path("to").valueStream().map(JsonNode::asString))
        .containsExactly("bob@example.com", "cy@example.com");
    assertThat(summary.path("template").asString()).isEqualTo("welcome");
    assertThat(summary.path("tags").valueStream().map(JsonNode::asString))
        .containsExactly("onboarding", "eu");
    assertThat(summary.path("createdAt").asString()).isNotBlank();
    assertThat(page.path("emails").get(1).has("template")).isFalse();
  }

  @Test
  void filtersByStatus() {
    relay.rejectRecipient("gone@example.com", "550 5.1.1 No such user");
    String failed = sendTo("gone@example.com", "Bounces");
    String sent = sendTo("here@example.com", "Arrives");
    api.awaitEmail(failed, Api.status("FAILED"), Duration.ofSeconds(20));
    api.awaitEmail(sent, Api.status("SENT"), Duration.ofSeconds(20));

    assertThat(ids(list("?status=FAILED"))).containsExactly(failed);
    assertThat(ids(list("?status=sent"))).containsExactly(sent);
    assertThat(ids(list("?status=QUEUED"))).isEmpty();
  }

  @Test
  void filtersByAnyRecipientIgnoringCase() {
    String to = sendTo("Alice.Smith@Example.COM", "To Alice");
    String cc =
        send(
            """
            {"to": ["bob@example.com"], "cc": ["alice.smith@example.com"], "subject": "Cc", "text": "t"}
            """);
    String bcc =
        send(
            """
            {"to": ["bob@example.com"], "bcc": ["ALICE.SMITH@example.com"], "subject": "Bcc", "text": "t"}
            """);
    sendTo("alice.smithson@example.com", "Someone else");

    assertThat(ids(list("?recipient=" + encode("alice.smith@EXAMPLE.com"))))
        .containsExactly(bcc, cc, to);
    assertThat(ids(list("?recipient=nobody@example.com"))).isEmpty();
  }

  @Test
  void filtersByTagAndTemplate() {
    String tagged =
        send(
            "{\"to\": [\"a@example.com\"], \"subject\": \"s\", \"text\": \"t\", \"tags\": [\"receipt\", \"eu\"]}");
    send("{\"to\": [\"a@example.com\"], \"subject\": \"s\", \"text\": \"t\", \"tags\": [\"eu\"]}");
    String welcome =
        send(
            """
            {"to": ["a@example.com"], "template": "welcome",
             "variables": {"name": "A", "productName": "P", "actionUrl": "https://e.test"}}
            """);

    assertThat(ids(list("?tag=receipt"))).containsExactly(tagged);
    assertThat(ids(list("?tag=eu"))).hasSize(2);
    assertThat(ids(list("?template=welcome"))).containsExactly(welcome);
    assertThat(ids(list("?template=order-confirmation"))).isEmpty();
    assertThat(ids(list("?tag=eu&template=welcome"))).isEmpty();
  }

  @Test
  void filtersByCreationTimeAsAHalfOpenInterval() {
    String older = sendTo("a@example.com", "Older");
    String newer = sendTo("a@example.com", "Newer");
    String newerCreatedAt = api.get("/emails/" + newer).body().path("createdAt").asString();

    assertThat(ids(list("?createdAfter=" + newerCreatedAt))).containsExactly(newer);
    assertThat(ids(list("?createdBefore=" + newerCreatedAt))).containsExactly(older);
    assertThat(ids(list("?createdAfter=2000-01-01T00:00:00Z&createdBefore=2000-01-02T00:00:00Z")))
        .isEmpty();
  }

  @Test
  void pagesAreStableWhileNewEmailsArrive() {
    for (int i = 0; i < 12; i++) {
      sendTo("reader" + i + "@example.com", "Single " + i);
    }
    batch(15); // one transaction: fifteen emails with the same created_at, ordered by id
    for (int i = 12; i < 20; i++) {
      sendTo("reader" + i + "@example.com", "Single " + i);
    }
    List<String> before = ids(list("?limit=100"));
    assertThat(before).hasSize(35);

    List<String> paged = new ArrayList<>();
    List<String> arrivedMeanwhile = new ArrayList<>();
    JsonNode page = list("?limit=7");
    int pages = 1;
    while (true) {
      paged.addAll(ids(page));
      arrivedMeanwhile.add(sendTo("late" + pages + "@example.com", "Late " + pages));
      arrivedMeanwhile.addAll(batch(2));
      String next = page.path("next").asString(null);
      if (next == null) {
        break;
      }
      page = list("?limit=7&cursor=" + next);
      pages++;
    }

    assertThat(pages).isEqualTo(5);
    assertThat(paged).containsExactlyElementsOf(before);
    assertThat(paged).doesNotContainAnyElementsOf(arrivedMeanwhile);
    assertThat(ids(list("?limit=100")))
        .hasSize(35 + arrivedMeanwhile.size())
        .endsWith(before.toArray(String[]::new));
  }

  @Test
  void filtersApplyOnEveryPage() {
    for (int i = 0; i < 5; i++) {
      send("{\"to\": [\"a@example.com\"], \"subject\": \"s\", \"text\": \"t\", \"tags\": [\"x\"]}");
      sendTo("a@example.com", "untagged");
    }

    JsonNode first = list("?tag=x&limit=3");
    JsonNode second = list("?tag=x&limit=3&cursor=" + first.path("next").asString());

    assertThat(ids(first)).hasSize(3);
    assertThat(ids(second)).hasSize(2);
    assertThat(second.path("next").isNull()).isTrue();
    assertThat(second.path("emails").valueStream().map(e -> e.path("tags").get(0).asString()))
        .containsOnly("x");
  }

  @Test
  void theDefaultPageHoldsTwentyEmails() {
    batch(21);

    JsonNode page = list("");

    assertThat(ids(page)).hasSize(20);
    assertThat(page.path("next").asString()).isNotBlank();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "status=BOGUS | status",
        "status= | status",
        "limit=0 | limit",
        "limit=101 | limit",
        "limit=ten | limit",
        "limit=99999999999999999999 | limit",
        "cursor=not-a-cursor! | cursor",
        "cursor=AAAA | cursor",
        "cursor=__________________________________________ | cursor",
        "createdAfter=yesterday | createdAfter",
        "createdBefore=2026-13-01T00:00:00Z | createdBefore",
        "createdAfter=+100000-01-01T00:00:00Z | createdAfter",
        "createdAfter=2026-02-01T00:00:00Z&createdBefore=2026-01-01T00:00:00Z | createdBefore",
        "recipient=not-an-address | recipient",
        "recipient=a%0D%0Ab@example.com | recipient",
        "tag=has%20space | tag",
        "template=..%2F..%2Fetc | template",
        "stauts=SENT | stauts",
        "status=SENT&status=FAILED | status",
      })
  void anInvalidParameterIs400NamingIt(String query, String parameter) {
    Api.Response response = api.get("/emails?" + query);

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(
            response.body().path("errors").valueStream().map(e -> e.path("parameter").asString()))
        .contains(parameter);
  }
}

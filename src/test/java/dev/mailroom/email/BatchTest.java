package dev.mailroom.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.event.ApplicationEvents;
import org.springframework.test.context.event.RecordApplicationEvents;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code POST /emails/batch}: all emails or none, in one transaction, in request order. */
@RecordApplicationEvents
class BatchTest extends ScriptedRelayTest {

  @Autowired TransactionTemplate transaction;
  @Autowired EmailIntake intake;
  @Autowired JsonMapper json;
  @Autowired ApplicationEvents events;
  @Autowired MeterRegistry meters;

  static String email(int i) {
    return """
        {"to": ["reader%d@example.com"], "subject": "Issue %d", "text": "Hello reader %d"}"""
        .formatted(i, i, i);
  }

  static String batch(int size) {
    return batch(size, BatchTest::email);
  }

  static String batch(int size, IntFunction<String> email) {
    return IntStream.range(0, size)
        .mapToObj(email)
        .collect(Collectors.joining(",", "{\"emails\": [", "]}"));
  }

  static List<String> ids(Api.Response response) {
    return response.body().path("emails").valueStream().map(e -> e.path("id").asString()).toList();
  }

  @Test
  void fiveHundredEmailsAreAcceptedInOneCallInOrderAndAllSent() {
    Api.Response response = api.post("/emails/batch", batch(500));

    assertThat(response.status()).isEqualTo(202);
    List<String> ids = ids(response);
    assertThat(ids).hasSize(500).doesNotHaveDuplicates();
    assertThat(response.body().path("emails").valueStream().map(e -> e.path("status").asString()))
        .containsOnly("QUEUED");
    Map<String, String> subjects = new HashMap<>();
    jdbc.sql("SELECT id::text AS id, subject FROM emails")
        .query(
            rs -> {
              subjects.put(rs.getString("id"), rs.getString("subject"));
            });
    for (int i = 0; i < 500; i++) {
      assertThat(subjects.get(ids.get(i))).as("email %d", i).isEqualTo("Issue " + i);
    }
    assertThat(count("email_recipients")).isEqualTo(500);

    assertThat(relay.awaitReceived(500, Duration.ofSeconds(120))).hasSize(500);
    awaitSent(500, Duration.ofSeconds(30));
    JsonNode last = api.get("/emails/" + ids.get(499)).body();
    assertThat(last.path("recipients").get(0).path("email").asString())
        .isEqualTo("reader499@example.com");
  }

  @Test
  void oneBadEmailAmongFiveHundredRejectsTheWholeBatchNamingItsIndex() {
    Api.Response response =
        api.post(
            "/emails/batch",
            batch(
                500,
                i ->
                    i == 317
                        ? "{\"to\": [\"not-an-address\"], \"subject\": \"s\", \"text\": \"t\"}"
                        : email(i)));

    assertThat(response.status()).isEqualTo(422);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.body().path("errors").valueStream().map(e -> e.path("pointer").asString()))
        .containsExactly("/emails/317/to/0/email");
    assertThat(count("emails")).isZero();
    assertThat(count("email_recipients")).isZero();
    relay.assertNothingReceivedFor(Duration.ofMillis(300));
  }

  @Test
  void everyBadEmailIsNamedUnderItsOwnIndex() {
    Api.Response response =
        api.post(
            "/emails/batch",
            """
            {"emails": [
              {"to": ["a@example.com"], "subject": "ok", "text": "ok"},
              {"to": ["b@example.com"], "subject": "Hi\\r\\nBcc: x@evil.test", "text": "t"},
              null,
              {"to": ["c@example.com"], "text": "no subject", "tags": ["bad tag"]}
            ]}
            """);

    assertThat(response.status()).isEqualTo(422);
    assertThat(response.body().path("errors").valueStream().map(e -> e.path("pointer").asString()))
        .containsExactly("/emails/1/subject", "/emails/2", "/emails/3/subject", "/emails/3/tags/0");
    assertThat(count("emails")).isZero();
  }

  @Test
  void aTemplateProblemIsNamedUnderItsIndexAndNothingIsStored() {
    Api.Response response =
        api.post(
            "/emails/batch",
            """
            {"emails": [
              {"to": ["a@example.com"], "subject": "ok", "text": "ok"},
              {"to": ["b@example.com"], "template": "welcome", "variables": {"name": "Bo"}},
              {"to": ["c@example.com"], "template": "no-such-template"}
            ]}
            """);

    assertThat(response.status()).isEqualTo(422);
    assertThat(response.body().path("errors").valueStream().map(e -> e.path("pointer").asString()))
        .contains("/emails/1/variables/productName", "/emails/1/variables/actionUrl")
        .contains("/emails/2/template");
    assertThat(count("emails")).isZero();
  }

  @Test
  void theSameKeyAndBatchReplayTheSameIdsInOrder() {
    String body = batch(5);
    Api.Response first = api.post("/emails/batch", body, "Idempotency-Key", "newsletter-7");
    Api.Response replay =
        api.post("/emails/batch", body.replace(", ", ",  "), "Idempotency-Key", "newsletter-7");

    assertThat(first.status()).isEqualTo(202);
    assertThat(first.header("Idempotent-Replayed")).isNull();
    assertThat(replay.status()).isEqualTo(202);
    assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(ids(replay)).hasSize(5).containsExactlyElementsOf(ids(first));
    assertThat(count("emails")).isEqualTo(5);
  }

  @Test
  void theSameKeyWithAnotherBatchIs422() {
    api.post("/emails/batch", batch(3), "Idempotency-Key", "newsletter-8");
    Api.Response other = api.post("/emails/batch", batch(4), "Idempotency-Key", "newsletter-8");

    assertThat(other.status()).isEqualTo(422);
    assertThat(other.body().path("errors").get(0).path("header").asString())
        .isEqualTo("Idempotency-Key");
    assertThat(other.body().path("errors").get(0).path("detail").asString())
        .contains("a batch of 3 emails");
    assertThat(count("emails")).isEqualTo(3);
  }

  @Test
  void aKeyUsedForOneEndpointIsRefusedByTheOther() {
    Api.Response single = api.post("/emails", email(1), "Idempotency-Key", "shared-key");
    Api.Response batch = api.post("/emails/batch", batch(1), "Idempotency-Key", "shared-key");
    Api.Response batchFirst = api.post("/emails/batch", batch(2), "Idempotency-Key", "batch-key");
    Api.Response singleAfter = api.post("/emails", email(0), "Idempotency-Key", "batch-key");

    assertThat(single.status()).isEqualTo(202);
    assertThat(batch.status()).isEqualTo(422);
    assertThat(batchFirst.status()).isEqualTo(202);
    assertThat(singleAfter.status()).isEqualTo(422);
    assertThat(count("emails")).isEqualTo(3);
  }

  @Test
  void aConcurrentBatchWithTheSameKeyIs409() {
    Api.Response[] duplicate = new Api.Response[1];
    transaction.executeWithoutResult(
        tx -> {
          jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended('test newsletter-9', 0))")
              .query()
              .singleRow();
          duplicate[0] = api.post("/emails/batch", batch(3), "Idempotency-Key", "newsletter-9");
        });

    assertThat(duplicate[0].status()).isEqualTo(409);
    assertThat(count("emails")).isZero();
  }

  @Test
  void aBatchOverTheMaximumSizeIs422() {
    Api.Response response = api.post("/emails/batch", batch(501));

    assertThat(response.status()).isEqualTo(422);
    assertThat(response.body().path("errors").get(0).path("pointer").asString())
        .isEqualTo("/emails");
    assertThat(response.body().path("errors").get(0).path("detail").asString())
        .contains("at most 500");
    assertThat(count("emails")).isZero();
  }

  @Test
  void anEmptyBatchIs422() {
    assertThat(api.post("/emails/batch", "{\"emails\": []}").status()).isEqualTo(422);
    assertThat(api.post("/emails/batch", "{}").status()).isEqualTo(422);
    assertThat(count("emails")).isZero();
  }

  @Test
  void aBatchMayBeLargerThanOneEmailRequestButNotUnbounded() {
    String html = "<p>" + "x".repeat(4_000_000) + "</p>";
    String big =
        batch(
            4,
            i ->
                "{\"to\": [\"r%d@example.com\"], \"subject\": \"s\", \"html\": \"%s\"}"
                    .formatted(i, html));
    Api.Response accepted = api.post("/emails/batch", big);
    Api.Response tooLarge =
        api.post(
            "/emails/batch",
            batch(
                1,
                i ->
                    "{\"to\": [\"r@example.com\"], \"subject\": \"s\", \"html\": \"%s\"}"
                        .formatted("x".repeat(21_000_000))));

    assertThat(big.length()).isGreaterThan(15 * 1024 * 1024);
    assertThat(accepted.status()).isEqualTo(202);
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.contentType()).startsWith("application/problem+json");
    assertThat(count("emails")).isEqualTo(4);
  }

  /**
   * Emails the dispatcher had room for are handed to it (one wake-up, see {@code HandoffTest}); the
   * rest are named in one event, which wakes it once.
   */
  @Test
  void aBatchWakesTheDispatcherOnce() {
    SendBatchRequest request = json.readValue(batch(20), SendBatchRequest.class);
    double handedOver = handedOver();

    EmailIntake.BatchAccepted accepted = intake.acceptBatch("test", request, null);

    List<UUID> ids = accepted.emails().stream().map(a -> a.id()).toList();
    List<EmailQueued> queued = events.stream(EmailQueued.class).toList();
    assertThat(queued).hasSizeLessThanOrEqualTo(1);
    List<UUID> named = queued.isEmpty() ? List.of() : queued.get(0).ids();
    assertThat(named).isSubsetOf(ids);
    assertThat(named.size() + (handedOver() - handedOver)).isEqualTo(20);
  }

  private double handedOver() {
    return meters.get("mailroom.delivery.handed.over").counter().count();
  }

  private void awaitSent(int expected, Duration timeout) {
    await("emails SENT")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                jdbc.sql("SELECT count(*) FROM emails WHERE status = 'SENT'")
                    .query(Long.class)
                    .single(),
            sent -> sent == expected);
  }
}

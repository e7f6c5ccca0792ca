package dev.mailroom.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalManagementPort;

/**
 * What Prometheus scrapes from the management port while email is accepted, delivered and rejected.
 * Counters are compared before and after, since the context (and its registry) is shared with other
 * tests.
 */
class MetricsTest extends ScriptedRelayTest {

  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @LocalManagementPort int managementPort;

  @Test
  void deliveredEmailMovesTheAcceptedAttemptAndSendCounters() {
    Scrape before = scrape();

    String id = send();
    api.awaitEmail(id, Api.status("SENT"), Duration.ofSeconds(10));

    Scrape after = scrape();
    assertThat(after.increase(before, "mailroom_emails_accepted_total", "project=test"))
        .as("counted for the project of the key that sent it")
        .isEqualTo(1);
    assertThat(
            after.increase(
                before, "mailroom_delivery_attempts_total", "outcome=SENT", "reply_class=2xx"))
        .isEqualTo(1);
    assertThat(
            after.increase(
                before, "mailroom_delivery_send_seconds_count", "outcome=SENT", "relay=test-relay"))
        .isEqualTo(1);
  }

  @Test
  void rejectedEmailCountsAsAFailedAttemptWithAPermanentReply() {
    relay.alwaysFailDataWith("554 5.7.1 no");
    Scrape before = scrape();

    String id = send();
    api.awaitEmail(id, Api.status("FAILED"), Duration.ofSeconds(10));

    Scrape after = scrape();
    assertThat(
            after.increase(
                before, "mailroom_delivery_attempts_total", "outcome=FAILED", "reply_class=5xx"))
        .isEqualTo(1);
    assertThat(
            after.increase(
                before,
                "mailroom_delivery_send_seconds_count",
                "outcome=FAILED",
                "relay=test-relay"))
        .isEqualTo(1);
    assertThat(
            after.increase(
                before, "mailroom_delivery_attempts_total", "outcome=SENT", "reply_class=2xx"))
        .isZero();
  }

  @Test
  void sendTimesArePublishedAsAHistogram() {
    String id = send();
    api.awaitEmail(id, Api.status("SENT"), Duration.ofSeconds(10));

    assertThat(scrape().lines("mailroom_delivery_send_seconds_bucket", "relay=test-relay"))
        .as("percentile histogram buckets, aggregatable across replicas")
        .hasSizeGreaterThan(10);
  }

  @Test
  void outboxGaugesArePublishedForEveryUnsettledStatus() {
    Scrape scrape = scrape();

    for (String status : new String[] {"SCHEDULED", "QUEUED", "DEFERRED", "SENDING"}) {
      assertThat(scrape.lines("mailroom_outbox_emails", "status=" + status)).as(status).hasSize(1);
    }
    assertThat(scrape.lines("mailroom_outbox_oldest_due_age_seconds")).hasSize(1);
  }

  @Test
  void sendsAreTimedUnderTheirRouteAcceptedOrRefused() {
    Scrape before = scrape();

    send();
    Api.Response refused = api.post("/emails", "{\"to\":[],\"subject\":\"s\",\"text\":\"t\"}");

    assertThat(refused.status()).isEqualTo(422);
    Scrape after = scrape();
    for (String[] answer : new String[][] {{"202", "SUCCESS"}, {"422", "CLIENT_ERROR"}}) {
      assertThat(
              after.increase(
                  before,
                  "http_server_requests_seconds_count",
                  "method=POST",
                  "uri=/emails",
                  "status=" + answer[0],
                  "outcome=" + answer[1]))
          .as("POST /emails answered %s", answer[0])
          .isEqualTo(1);
    }
  }

  @Test
  void metricsAreServedOnTheManagementPortOnly() {
    // The API port has no actuator endpoints: refused (401 without an API key) or not found.
    var onApiPort = get(port, "/actuator/prometheus");
    assertThat(onApiPort.statusCode()).isIn(401, 404);
    assertThat(onApiPort.body()).doesNotContain("mailroom_");
    assertThat(get(managementPort, "/actuator/prometheus").statusCode()).isEqualTo(200);
  }

  private String send() {
    Api.Response response =
        api.post(
            "/emails",
            """
            {"to": ["ann@example.com"], "subject": "Code", "text": "Your code is 123456"}
            """);
    assertThat(response.status()).isEqualTo(202);
    return response.body().path("id").asString();
  }

  private Scrape scrape() {
    HttpResponse<String> response = get(managementPort, "/actuator/prometheus");
    assertThat(response.statusCode()).isEqualTo(200);
    return new Scrape(response.body());
  }

  private static HttpResponse<String> get(int port, String path) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A Prometheus text exposition, looked up by series name and labels. */
  record Scrape(String text) {

    /** Sample lines of this series carrying every given {@code label=value}. */
    java.util.List<String> lines(String name, String... labels) {
      return text.lines()
          .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
          .filter(
              line ->
                  Arrays.stream(labels)
                      .allMatch(label -> line.contains(label.replaceFirst("=", "=\"") + "\"")))
          .toList();
    }

    /** The series' value, 0 when it does not exist yet (a counter never incremented). */
    double value(String name, String... labels) {
      java.util.List<String> found = lines(name, labels);
      assertThat(found).as("series %s %s", name, Arrays.toString(labels)).hasSizeLessThan(2);
      if (found.isEmpty()) {
        return 0;
      }
      String line = found.get(0);
      return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    double increase(Scrape before, String name, String... labels) {
      return value(name, labels) - before.value(name, labels);
    }
  }
}

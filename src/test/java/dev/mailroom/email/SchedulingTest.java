package dev.mailroom.email;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** {@code sendAt}, {@code expiresAt} and {@code priority} as a caller uses and sees them. */
class SchedulingTest extends ScriptedRelayTest {

  private Api.Response send(String extraFields) {
    return api.post(
        "/emails",
        """
        {"to": ["ann@example.com"], "subject": "Code", "text": "Your code is 123456", %s}
        """
            .formatted(extraFields));
  }

  private static Instant inMillis(long millis) {
    return Instant.now().plusMillis(millis).truncatedTo(ChronoUnit.MILLIS);
  }

  @Test
  void anEmailWithAFutureSendAtIsScheduledAndLeavesOnceDue() {
    Instant sendAt = inMillis(1500);

    Api.Response accepted = send("\"sendAt\": \"" + sendAt + "\"");

    assertThat(accepted.status()).isEqualTo(202);
    assertThat(accepted.body().path("status").asString()).isEqualTo("SCHEDULED");
    String id = accepted.body().path("id").asString();
    JsonNode scheduled = api.get("/emails/" + id).body();
    assertThat(scheduled.path("status").asString()).isEqualTo("SCHEDULED");
    assertThat(Instant.parse(scheduled.path("sendAt").asString())).isEqualTo(sendAt);
    assertThat(Instant.parse(scheduled.path("nextAttemptAt").asString())).isEqualTo(sendAt);

    JsonNode sent = api.awaitEmail(id, Api.status("SENT"), Duration.ofSeconds(10));
    assertThat(Instant.parse(sent.path("attempts").get(0).path("at").asString()))
        .isAfterOrEqualTo(sendAt);
    assertThat(relay.received()).hasSize(1);
  }

  @Test
  void aSendAtInThePastMeansNow() {
    Instant sendAt = Instant.parse("2020-01-01T09:00:00Z");

    Api.Response accepted = send("\"sendAt\": \"2020-01-01T11:00:00+02:00\"");

    assertThat(accepted.status()).isEqualTo(202);
    assertThat(accepted.body().path("status").asString()).isEqualTo("QUEUED");
    JsonNode sent =
        api.awaitEmail(
            accepted.body().path("id").asString(), Api.status("SENT"), Duration.ofSeconds(10));
    assertThat(Instant.parse(sent.path("sendAt").asString())).isEqualTo(sendAt);
  }

  @Test
  void priorityAndExpiryAreShownAsGiven() {
    Instant expiresAt = inMillis(Duration.ofMinutes(10).toMillis());

    Api.Response accepted = send("\"priority\": \"high\", \"expiresAt\": \"" + expiresAt + "\"");

    JsonNode email = api.get("/emails/" + accepted.body().path("id").asString()).body();
    assertThat(email.path("priority").asString()).isEqualTo("high");
    assertThat(Instant.parse(email.path("expiresAt").asString())).isEqualTo(expiresAt);
    assertThat(email.path("sendAt").isMissingNode()).isTrue();
  }

  @Test
  void priorityIsNormalUnlessGiven() {
    Api.Response accepted = send("\"tags\": []");

    JsonNode email = api.get("/emails/" + accepted.body().path("id").asString()).body();
    assertThat(email.path("priority").asString()).isEqualTo("normal");
  }

  static Stream<Arguments> badSchedules() {
    Instant tomorrow = Instant.now().plus(Duration.ofDays(1));
    return Stream.of(
        Arguments.of("sendAt not a date", "\"sendAt\": \"tomorrow\"", "/sendAt"),
        Arguments.of("sendAt without a zone", "\"sendAt\": \"2030-01-01T09:00:00\"", "/sendAt"),
        Arguments.of(
            "sendAt beyond 30 days",
            "\"sendAt\": \"" + Instant.now().plus(Duration.ofDays(31)) + "\"",
            "/sendAt"),
        Arguments.of(
            "expiresAt malformed", "\"expiresAt\": \"2030-13-01T00:00:00Z\"", "/expiresAt"),
        Arguments.of(
            "expiresAt in the past", "\"expiresAt\": \"2020-01-01T00:00:00Z\"", "/expiresAt"),
        Arguments.of(
            "expiresAt before sendAt",
            "\"sendAt\": \"%s\", \"expiresAt\": \"%s\""
                .formatted(tomorrow, tomorrow.minus(Duration.ofHours(1))),
            "/expiresAt"),
        Arguments.of(
            "expiresAt equal to sendAt",
            "\"sendAt\": \"%s\", \"expiresAt\": \"%s\"".formatted(tomorrow, tomorrow),
            "/expiresAt"),
        Arguments.of("unknown priority", "\"priority\": \"urgent\"", "/priority"),
        Arguments.of("priority in capitals", "\"priority\": \"HIGH\"", "/priority"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSchedules")
  void aBadScheduleIsA422NamingTheFieldAndStoresNothing(
      String name, String fields, String pointer) {
    Api.Response response = send(fields);

    assertThat(response.status()).isEqualTo(422);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.body().path("errors").valueStream().map(e -> e.path("pointer").asString()))
        .containsExactly(pointer);
    assertThat(count("emails")).isZero();
  }
}

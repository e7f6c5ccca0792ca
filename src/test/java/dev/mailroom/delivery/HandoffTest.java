package dev.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailroom.email.DeliveryHandoff;
import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Emails accepted while the service's own dispatcher has room are stored claimed by it and sent
 * without a claim from the outbox; from then on they are claims like any other. One worker, so that
 * a slow send keeps the next email waiting in its hands.
 */
@TestPropertySource(properties = "mailroom.delivery.concurrency=1")
class HandoffTest extends ScriptedRelayTest {

  @Autowired Dispatcher dispatcher;
  @Autowired MeterRegistry meters;

  @Test
  void anEmailAcceptedWhileTheDispatcherHasRoomIsStoredClaimedByItAndSent() {
    awaitRoom();
    double before = handedOver();
    relay.delayData(Duration.ofMillis(800));

    String id = send("first@example.com");

    // Stored SENDING by this dispatcher before the answer: its first attempt, the first token.
    assertThat(column(id, "status")).isEqualTo("SENDING");
    assertThat(column(id, "locked_by")).isEqualTo(dispatcher.id());
    assertThat(column(id, "claim_token")).isEqualTo("1");
    assertThat(column(id, "attempts")).isEqualTo("1");
    assertThat(handedOver() - before).isEqualTo(1);
    JsonNode sent = api.awaitEmail(id, Api.status("SENT"), Duration.ofSeconds(10));
    assertThat(relay.received()).hasSize(1);
    assertThat(relay.received().get(0).recipients()).containsExactly("first@example.com");
    assertThat(sent.path("attempts")).hasSize(1);
    assertThat(sent.path("events").get(0).path("data").path("status").asString())
        .isEqualTo("QUEUED");
    assertThat(column(id, "locked_by")).isNull();
  }

  @Test
  void aDeferredEmailHandedOverIsRetriedFromTheOutboxUnderTheNextToken() {
    awaitRoom();
    relay.failDataWith("451 4.3.0 Try again later");

    String id = send("later@example.com");

    JsonNode sent = api.awaitEmail(id, Api.status("SENT"), Duration.ofSeconds(10));
    assertThat(sent.path("attempts")).hasSize(2);
    assertThat(sent.path("attempts").get(0).path("outcome").asString()).isEqualTo("DEFERRED");
    assertThat(column(id, "claim_token")).isEqualTo("2");
    assertThat(relay.received()).hasSize(1);
  }

  @Test
  void aBatchWithAnIdempotencyKeyIsHandedOverOnceAndItsReplayIsNot() {
    awaitRoom();
    double before = handedOver();
    String body =
        """
        {"emails": [{"to": "ann@example.com", "subject": "One", "text": "1"},
                    {"to": "bob@example.com", "subject": "Two", "text": "2"},
                    {"to": "cat@example.com", "subject": "Three", "text": "3",
                     "sendAt": "%s"}]}
        """
            .formatted(Instant.now().plus(Duration.ofDays(1)));

    Api.Response accepted = api.post("/emails/batch", body, "Idempotency-Key", "batch-handoff");

    assertThat(accepted.status()).isEqualTo(202);
    assertThat(handedOver() - before).as("the two due now").isEqualTo(2);
    for (int i = 0; i < 2; i++) {
      api.awaitEmail(
          accepted.body().path("emails").get(i).path("id").asString(),
          Api.status("SENT"),
          Duration.ofSeconds(10));
    }
    String scheduled = accepted.body().path("emails").get(2).path("id").asString();
    assertThat(column(scheduled, "status")).isEqualTo("SCHEDULED");

    Api.Response replayed = api.post("/emails/batch", body, "Idempotency-Key", "batch-handoff");

    assertThat(replayed.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(handedOver() - before).isEqualTo(2);
    relay.assertNoFurtherDataFor(2, Duration.ofMillis(500));
    assertThat(relay.received())
        .extracting(r -> r.recipients().get(0))
        .containsExactlyInAnyOrder("ann@example.com", "bob@example.com");
  }

  @Test
  void aSingleSendWithAnIdempotencyKeyIsHandedOverOnce() {
    awaitRoom();
    double before = handedOver();
    String body =
        """
        {"to": "keyed@example.com", "subject": "Keyed", "text": "Once"}
        """;

    Api.Response accepted = api.post("/emails", body, "Idempotency-Key", "single-handoff");
    Api.Response replayed = api.post("/emails", body, "Idempotency-Key", "single-handoff");

    assertThat(accepted.status()).isEqualTo(202);
    assertThat(replayed.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(replayed.body().path("id").asString())
        .isEqualTo(accepted.body().path("id").asString());
    assertThat(handedOver() - before).isEqualTo(1);
    api.awaitEmail(
        accepted.body().path("id").asString(), Api.status("SENT"), Duration.ofSeconds(10));
    relay.assertNoFurtherDataFor(1, Duration.ofMillis(500));
  }

  @Test
  void aScheduledEmailIsNotHandedOver() {
    awaitRoom();
    double before = handedOver();

    Api.Response accepted =
        api.post(
            "/emails",
            """
            {"to": "later@example.com", "subject": "Later", "text": "Tomorrow",
             "sendAt": "%s"}
            """
                .formatted(Instant.now().plus(Duration.ofDays(1))));

    assertThat(accepted.status()).isEqualTo(202);
    String id = accepted.body().path("id").asString();
    assertThat(column(id, "status")).isEqualTo("SCHEDULED");
    assertThat(column(id, "locked_by")).isNull();
    assertThat(handedOver()).isEqualTo(before);
  }

  @Test
  void stoppingGivesBackAnEmailHandedOverAndNotYetStarted() {
    awaitRoom();
    relay.delayData(Duration.ofMillis(1500));
    String inHand = send("in-hand@example.com");
    relay.awaitDataSeen(1, Duration.ofSeconds(5));
    // The one worker is sending the first: the second waits in its hands.
    String waiting = send("waiting@example.com");
    assertThat(column(waiting, "status")).isEqualTo("SENDING");

    try {
      dispatcher.stop();

      assertThat(column(inHand, "status")).isEqualTo("SENT");
      assertThat(column(waiting, "status")).isEqualTo("QUEUED");
      assertThat(column(waiting, "attempts")).isEqualTo("0");
      assertThat(column(waiting, "locked_by")).isNull();
      assertThat(relay.dataSeen()).hasSize(1);
    } finally {
      dispatcher.start();
    }
    relay.reset();
    api.awaitEmail(waiting, Api.status("SENT"), Duration.ofSeconds(10));
    assertThat(relay.received()).hasSize(1);
    assertThat(relay.received().get(0).recipients()).containsExactly("waiting@example.com");
  }

  private String send(String to) {
    Api.Response accepted =
        api.post(
            "/emails",
            """
            {"to": "%s", "subject": "Hello", "text": "Body"}
            """
                .formatted(to));
    assertThat(accepted.status()).isEqualTo(202);
    assertThat(accepted.body().path("status").asString()).isEqualTo("QUEUED");
    return accepted.body().path("id").asString();
  }

  /**
   * Waits until the dispatcher gives room: it has claimed from the outbox since the outbox was
   * emptied for this test, and found it caught up.
   */
  private void awaitRoom() {
    await("room with the dispatcher")
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(10))
        .until(
            () -> {
              DeliveryHandoff.Reservation room = dispatcher.reserve(1, 1);
              if (room == null) {
                return false;
              }
              room.cancel();
              return true;
            });
  }

  private double handedOver() {
    return meters.get("mailroom.delivery.handed.over").counter().count();
  }

  private @Nullable String column(String id, String column) {
    java.util.List<@Nullable String> values =
        jdbc.sql("SELECT CAST(" + column + " AS text) FROM emails WHERE id = CAST(:id AS uuid)")
            .param("id", id)
            .query((rs, n) -> rs.getString(1))
            .list();
    assertThat(values).as("email " + id).hasSize(1);
    return values.get(0);
  }
}

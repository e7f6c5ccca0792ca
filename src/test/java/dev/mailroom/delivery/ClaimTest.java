package dev.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailroom.email.EmailStatus;
import dev.mailroom.email.RecipientStatus;
import dev.mailroom.relay.SendResult;
import dev.mailroom.relay.SendResult.Outcome;
import dev.mailroom.relay.SmtpReply;
import dev.mailroom.support.ScriptedSmtpServer.Received;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Dispatchers built by hand over one database (the application's own is switched off), to show what
 * concurrent claims, leases and fencing guarantee.
 */
class ClaimTest extends HandBuiltDispatcherTest {

  @Test
  void twoDispatchersDeliverEachOfFiveHundredEmailsExactlyOnce() {
    for (int i = 0; i < 500; i++) {
      accept("user" + i + "@example.com");
    }
    Dispatcher first = dispatcher("first");
    Dispatcher second = dispatcher("second");
    first.start();
    second.start();
    try {
      await("500 emails SENT")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> withStatus("SENT") == 500);
    } finally {
      first.stop();
      second.stop();
    }

    assertThat(withStatus("SENT")).isEqualTo(500);
    List<Received> received = relay.received();
    assertThat(received).hasSize(500);
    Set<String> messageIds =
        received.stream()
            .map(
                r ->
                    r.text()
                        .lines()
                        .filter(l -> l.startsWith("Message-ID:"))
                        .findFirst()
                        .orElseThrow())
            .collect(Collectors.toSet());
    assertThat(messageIds).hasSize(500);
    assertThat(jdbc.sql("SELECT count(*) FROM delivery_attempts").query(Long.class).single())
        .isEqualTo(500);
    assertThat(
            jdbc.sql("SELECT DISTINCT dispatcher FROM delivery_attempts")
                .query(String.class)
                .list())
        .containsExactlyInAnyOrder("first", "second");
  }

  @Test
  void anExpiredLeaseIsReclaimedAndTheOldClaimantCannotOverwriteIt() {
    UUID id = accept("lease@example.com");
    jdbc.sql(
            "UPDATE emails SET status = 'SENDING', locked_by = 'crashed', claim_token = 7, attempts = 1,"
                + " due_at = now() - interval '1 second' WHERE id = :id")
        .param("id", id)
        .update();

    int claimed = dispatcher("rescuer").runOnce();

    assertThat(claimed).isEqualTo(1);
    assertThat(withStatus("SENT")).isEqualTo(1);
    assertThat(relay.received()).hasSize(1);
    assertThat(
            jdbc.sql("SELECT dispatcher FROM delivery_attempts WHERE email_id = :id")
                .param("id", id)
                .query(String.class)
                .single())
        .isEqualTo("rescuer");

    ClaimedEmail stale = staleClaim(id, List.of());
    Settlement failed =
        new Settlement(EmailStatus.FAILED, null, null, "REJECTED", "late result", List.of());
    int written =
        claims.record(
            List.of(
                new EmailClaims.Recorded(stale, "crashed", java.time.Instant.now(), null, failed)));

    assertThat(written).isZero();
    assertThat(withStatus("SENT")).isEqualTo(1);
  }

  /**
   * A result written alone is one statement; fenced off, none of its parts may land: not the
   * attempt, not the recipient's outcome, not the event or its webhook delivery.
   */
  @Test
  void aLateResultWithAnAttemptLeavesNoTraceOnceAnotherDispatcherSentTheEmail() {
    UUID id = accept("late@example.com");
    UUID endpoint = UUID.randomUUID();
    jdbc.sql(
            "INSERT INTO webhook_endpoints (id, project, url, secret, event_types, enabled,"
                + " created_at, updated_at)"
                + " VALUES (:id, 'test', 'https://hooks.example.com/', 'secret',"
                + " ARRAY['email.deferred'], true, now(), now())")
        .param("id", endpoint)
        .update();
    try {
      lateResultLeavesNoTrace(id);
    } finally {
      jdbc.sql("DELETE FROM webhook_endpoints WHERE id = :id").param("id", endpoint).update();
    }
  }

  private void lateResultLeavesNoTrace(UUID id) {
    jdbc.sql(
            "UPDATE emails SET status = 'SENDING', locked_by = 'crashed', claim_token = 7, attempts = 1,"
                + " due_at = now() - interval '1 second' WHERE id = :id")
        .param("id", id)
        .update();
    assertThat(dispatcher("rescuer").runOnce()).isEqualTo(1);
    long eventsBefore = count("SELECT count(*) FROM email_events WHERE email_id = :id", id);

    ClaimedEmail stale =
        staleClaim(
            id,
            List.of(new ClaimedEmail.Recipient(0, "late@example.com", RecipientStatus.PENDING)));
    SmtpReply busy = new SmtpReply(451, "4.3.0", "try again later");
    Settlement deferred =
        new Settlement(
            EmailStatus.DEFERRED,
            java.time.Instant.now().plusSeconds(60),
            null,
            null,
            null,
            List.of(new Settlement.RecipientUpdate(0, RecipientStatus.DEFERRED, busy)));
    SendResult attempt =
        new SendResult(Outcome.DEFERRED, busy, Map.of(), "primary", Duration.ofMillis(3));
    int written =
        claims.record(
            List.of(
                new EmailClaims.Recorded(
                    stale, "crashed", java.time.Instant.now(), attempt, deferred)));

    assertThat(written).isZero();
    assertThat(withStatus("SENT")).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM delivery_attempts WHERE email_id = :id", id))
        .isEqualTo(1);
    assertThat(
            jdbc.sql("SELECT status FROM email_recipients WHERE email_id = :id")
                .param("id", id)
                .query(String.class)
                .single())
        .isEqualTo("ACCEPTED");
    assertThat(count("SELECT count(*) FROM email_events WHERE email_id = :id", id))
        .isEqualTo(eventsBefore);
    assertThat(count("SELECT count(*) FROM webhook_deliveries", id)).isZero();
  }

  /** The claim a crashed dispatcher held with token 7, before another took the email over. */
  private static ClaimedEmail staleClaim(UUID id, List<ClaimedEmail.Recipient> recipients) {
    java.time.Instant now = java.time.Instant.now();
    return new ClaimedEmail(
        id, "test", 7, "sender@mailroom.test", new byte[0], 1, now, null, now, recipients);
  }

  private long count(String sql, UUID id) {
    return jdbc.sql(sql).param("id", id).query(Long.class).single();
  }

  @Test
  void aLiveLeaseIsLeftAlone() {
    UUID id = accept("busy@example.com");
    jdbc.sql(
            "UPDATE emails SET status = 'SENDING', locked_by = 'busy', claim_token = 3,"
                + " due_at = now() + interval '1 minute' WHERE id = :id")
        .param("id", id)
        .update();

    assertThat(dispatcher("other").runOnce()).isZero();
    assertThat(relay.received()).isEmpty();
  }

  @Test
  void aClaimStopsAtSixteenMegabytesOfMessages() {
    List<UUID> ids =
        List.of(accept("big1@example.com"), accept("big2@example.com"), accept("big3@example.com"));
    // Ten megabytes each, as messages with attachments can be.
    jdbc.sql("UPDATE emails SET mime = decode(repeat('41', 10 * 1024 * 1024), 'hex')").update();

    List<ClaimedEmail> first = claims.claim("sized", 20, Duration.ofMinutes(5));
    List<ClaimedEmail> second = claims.claim("sized", 20, Duration.ofMinutes(5));

    assertThat(first).hasSize(2);
    assertThat(second).hasSize(1);
    assertThat(first.get(0).mime()).hasSize(10 * 1024 * 1024);
    assertThat(
            java.util.stream.Stream.concat(first.stream(), second.stream()).map(ClaimedEmail::id))
        .containsExactlyInAnyOrderElementsOf(ids);
  }
}

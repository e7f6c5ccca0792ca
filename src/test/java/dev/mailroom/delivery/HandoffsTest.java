package dev.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailroom.email.DeliveryHandoff;
import dev.mailroom.email.DeliveryHandoff.HandedOver;
import dev.mailroom.email.RecipientStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The room a dispatcher gives intake, and the emails handed over in it. */
class HandoffsTest {

  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final AtomicInteger wakes = new AtomicInteger();
  private final List<ClaimedEmail> released = new ArrayList<>();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  /** Room for 4 emails and 10,000 bytes; a 5-minute lease. */
  private final Handoffs handoffs =
      new Handoffs(
          "here",
          Duration.ofMinutes(5),
          4,
          10_000,
          clock::get,
          wakes::incrementAndGet,
          released::addAll,
          meters);

  @Test
  void noRoomUntilTheDispatcherRunsAndHasCaughtUpWithTheOutbox() {
    assertThat(handoffs.reserve(1, 100)).isNull();
    handoffs.claimed(true);
    assertThat(handoffs.reserve(1, 100)).isNull(); // not open yet
    handoffs.open();
    handoffs.claimed(false); // its last claim came back full: a backlog is due
    assertThat(handoffs.reserve(1, 100)).isNull();
    handoffs.claimed(true);

    DeliveryHandoff.Reservation room = handoffs.reserve(1, 100);

    assertThat(room).isNotNull();
    assertThat(room.dispatcher()).isEqualTo("here");
    assertThat(room.lease()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void roomIsCountedInEmailsAndBytesUntilAWorkerTakesThem() {
    ready();
    DeliveryHandoff.Reservation three = handoffs.reserve(3, 3_000);
    assertThat(handoffs.reserve(2, 100)).as("5 emails where 4 fit").isNull();
    assertThat(handoffs.reserve(1, 7_001)).as("10,001 bytes where 10,000 fit").isNull();
    DeliveryHandoff.Reservation one = handoffs.reserve(1, 7_000);
    assertThat(one).isNotNull();
    assertThat(handoffs.reserve(1, 1)).isNull();

    three.deliver(List.of(email(1_000), email(1_000), email(1_000)));
    one.cancel();
    assertThat(handoffs.reserve(2, 100)).as("only the cancelled room is back").isNull();
    assertThat(handoffs.take(10, Long.MAX_VALUE).emails()).hasSize(3);

    assertThat(handoffs.reserve(4, 10_000)).as("taken emails no longer count").isNotNull();
  }

  @Test
  void roomNotHandedOverIsGivenBack() {
    ready();
    DeliveryHandoff.Reservation room = handoffs.reserve(4, 4_000);

    // One of the four turned out to be suppressed for every recipient: three are handed over.
    room.deliver(List.of(email(1_000), email(1_000), email(1_000)));

    assertThat(handoffs.reserve(1, 6_000)).isNotNull();
    assertThat(handoffs.reserve(1, 1)).isNull();
  }

  @Test
  void aFirstMessageLargerThanTheRoomInBytesGoesAlone() {
    ready();
    DeliveryHandoff.Reservation large = handoffs.reserve(1, 50_000);
    assertThat(large).isNotNull();
    assertThat(handoffs.reserve(1, 1)).isNull();
  }

  @Test
  void workersTakeEmailsInTheOrderHandedOverWithinTheirLimitsUnderTheEarliestLease() {
    ready();
    DeliveryHandoff.Reservation first = handoffs.reserve(2, 2_000);
    clock.addAndGet(5_000);
    DeliveryHandoff.Reservation second = handoffs.reserve(2, 7_000);
    HandedOver a = email(1_000);
    HandedOver b = email(1_000);
    HandedOver c = email(6_000);
    HandedOver d = email(1_000);
    second.deliver(List.of(c, d));
    first.deliver(List.of(a, b));
    assertThat(wakes).hasValue(2);

    Handoffs.Taken limited = handoffs.take(1, Long.MAX_VALUE);
    assertThat(limited.emails()).extracting(ClaimedEmail::id).containsExactly(c.id());
    // Its lease started at the second reservation: 5,000 ns after the first.
    assertThat(limited.lease().startedAt()).isEqualTo(1_005_000);
    Handoffs.Taken cutByBytes = handoffs.take(10, 1_500);
    assertThat(cutByBytes.emails()).extracting(ClaimedEmail::id).containsExactly(d.id());
    Handoffs.Taken rest = handoffs.take(10, 1_500);
    assertThat(rest.emails()).extracting(ClaimedEmail::id).containsExactly(a.id());
    assertThat(rest.lease().startedAt()).isEqualTo(1_000_000);
    assertThat(handoffs.take(10, 1).emails()).extracting(ClaimedEmail::id).containsExactly(b.id());
    assertThat(handoffs.take(10, Long.MAX_VALUE)).isNull();
    assertThat(handoffs.hasWaiting()).isFalse();
  }

  @Test
  void aHandedOverEmailIsAClaimWithTheFirstTokenAndItsFirstAttempt() {
    ready();
    HandedOver email =
        new HandedOver(
            UUID.randomUUID(),
            "shop",
            "bounce@example.com",
            "message".getBytes(),
            Instant.parse("2026-12-04T10:00:00Z"),
            Instant.parse("2026-12-04T11:00:00Z"),
            List.of(
                new DeliveryHandoff.Recipient(0, "a@example.com", RecipientStatus.PENDING),
                new DeliveryHandoff.Recipient(1, "b@example.com", RecipientStatus.SUPPRESSED)));

    handoffs.reserve(1, 7).deliver(List.of(email));
    ClaimedEmail claim = handoffs.take(1, Long.MAX_VALUE).emails().get(0);

    assertThat(claim.id()).isEqualTo(email.id());
    assertThat(claim.project()).isEqualTo("shop");
    assertThat(claim.token()).isEqualTo(1);
    assertThat(claim.attempts()).isEqualTo(1);
    assertThat(claim.envelopeFrom()).isEqualTo("bounce@example.com");
    assertThat(claim.mime()).isEqualTo("message".getBytes());
    assertThat(claim.createdAt()).isEqualTo(email.createdAt());
    assertThat(claim.expiresAt()).isEqualTo(email.expiresAt());
    assertThat(claim.pendingAddresses()).containsExactly("a@example.com");
    assertThat(meters.get("mailroom.delivery.handed.over").counter().count()).isEqualTo(1);
  }

  @Test
  void closingReturnsWhatWaitsAndReleasesWhatIsHandedOverAfterwards() {
    ready();
    DeliveryHandoff.Reservation before = handoffs.reserve(1, 1_000);
    DeliveryHandoff.Reservation during = handoffs.reserve(1, 1_000);
    HandedOver waiting = email(1_000);
    before.deliver(List.of(waiting));

    List<ClaimedEmail> left = handoffs.close();
    assertThat(left).extracting(ClaimedEmail::id).containsExactly(waiting.id());
    assertThat(handoffs.reserve(1, 1)).isNull();

    HandedOver late = email(1_000);
    during.deliver(List.of(late));
    assertThat(released).extracting(ClaimedEmail::id).containsExactly(late.id());
    assertThat(handoffs.take(10, Long.MAX_VALUE)).isNull();
  }

  @Test
  void aReservationEndsOnce() {
    ready();
    DeliveryHandoff.Reservation room = handoffs.reserve(1, 1_000);
    room.cancel();
    assertThatThrownBy(room::cancel).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> room.deliver(List.of())).isInstanceOf(IllegalStateException.class);

    DeliveryHandoff.Reservation small = handoffs.reserve(1, 1_000);
    assertThatThrownBy(() -> small.deliver(List.of(email(1), email(1))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private void ready() {
    handoffs.open();
    handoffs.claimed(true);
  }

  private static HandedOver email(int bytes) {
    return new HandedOver(
        UUID.randomUUID(),
        "test",
        "sender@example.com",
        new byte[bytes],
        Instant.now(),
        null,
        List.of(new DeliveryHandoff.Recipient(0, "to@example.com", RecipientStatus.PENDING)));
  }
}

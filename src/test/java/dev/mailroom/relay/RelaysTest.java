package dev.mailroom.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.relay.SendResult.Outcome;
import dev.mailroom.relay.SmtpSettings.CircuitBreaker;
import dev.mailroom.relay.SmtpSettings.Relay;
import dev.mailroom.support.ScriptedSmtpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Choosing a relay, failing over to the next, and taking a failing relay out of rotation. */
class RelaysTest {

  static final String RELAY_DOWN = "421 4.3.2 Service not available, closing transmission channel";

  final ScriptedSmtpServer first = new ScriptedSmtpServer();
  final ScriptedSmtpServer second = new ScriptedSmtpServer();
  RecordingSmtpServer failing;
  final MeterRegistry meters = new SimpleMeterRegistry();
  final MutableClock clock = new MutableClock();
  Relays relays;

  @BeforeEach
  void startFailingRelay() throws IOException {
    failing = new RecordingSmtpServer().greetWith(RELAY_DOWN);
  }

  @AfterEach
  void stop() throws IOException {
    if (relays != null) {
      relays.close();
    }
    first.close();
    second.close();
    failing.close();
  }

  Relays relays(CircuitBreaker breaker, double[] draws, TestRelay... configured) {
    Deque<Double> random = new ArrayDeque<>();
    for (double draw : draws) {
      random.add(draw);
    }
    List<Relay> list = java.util.Arrays.stream(configured).map(TestRelay::build).toList();
    relays =
        new Relays(
            new SmtpSettings("client.test", list, breaker),
            meters,
            clock,
            () -> random.isEmpty() ? 0.0 : random.poll());
    return relays;
  }

  Relays relays(TestRelay... configured) {
    return relays(new CircuitBreaker(5, Duration.ofSeconds(30)), new double[0], configured);
  }

  static OutgoingMessage message(String... recipients) {
    return new OutgoingMessage(
        UUID.randomUUID(), "a@example.com", List.of(recipients), RelayPoolTest.MESSAGE);
  }

  double circuitState(String relay) {
    return meters.get("mailroom.relay.circuit.state").tag("relay", relay).gauge().value();
  }

  @Test
  void firstListedRelayTakesEveryEmailWhenNoPriorityOrWeightIsSet() {
    Relays relays =
        relays(TestRelay.at(first.port()).name("one"), TestRelay.at(second.port()).name("two"));

    for (int i = 0; i < 3; i++) {
      assertThat(relays.send(message("b@example.com")).relay()).isEqualTo("one");
    }
    assertThat(first.received()).hasSize(3);
    assertThat(second.received()).isEmpty();
  }

  @Test
  void lowerPriorityIsPreferredWhateverTheListOrder() {
    Relays relays =
        relays(
            TestRelay.at(second.port()).name("backup").priority(10),
            TestRelay.at(first.port()).name("main").priority(0));

    assertThat(relays.send(message("b@example.com")).relay()).isEqualTo("main");
    assertThat(first.received()).hasSize(1);
    assertThat(second.received()).isEmpty();
  }

  @Test
  void weightsSpreadEmailsAmongRelaysOfEqualPriority() {
    Relays relays =
        relays(
            new CircuitBreaker(5, Duration.ofSeconds(30)),
            new double[] {0.0, 0.3, 0.6, 0.9},
            TestRelay.at(first.port()).name("big").weight(3),
            TestRelay.at(second.port()).name("small").weight(1));

    for (int i = 0; i < 4; i++) {
      relays.send(message("b@example.com"));
    }

    assertThat(first.received()).hasSize(3);
    assertThat(second.received()).hasSize(1);
  }

  @Test
  void relayFailureMovesTheAttemptToTheNextRelayAtOnce() {
    Relays relays =
        relays(
            TestRelay.at(failing.port()).name("primary"),
            TestRelay.at(first.port()).name("backup").priority(1));

    SendResult result = relays.send(message("b@example.com"));

    assertThat(result.outcome()).isEqualTo(Outcome.SENT);
    assertThat(result.relay()).isEqualTo("backup");
    assertThat(failing.connections()).isEqualTo(1);
    assertThat(first.received()).hasSize(1);
    assertThat(meters.get("mailroom.relay.failures").tag("relay", "primary").counter().count())
        .isEqualTo(1);
  }

  @Test
  void rejectedRecipientStaysWithTheRelayThatRejectedIt() {
    first.rejectRecipient("gone@example.com", "550 5.1.1 User unknown");
    Relays relays =
        relays(
            TestRelay.at(first.port()).name("primary"),
            TestRelay.at(second.port()).name("backup").priority(1));

    SendResult result = relays.send(message("gone@example.com"));

    assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(result.relay()).isEqualTo("primary");
    assertThat(second.dataSeen()).isEmpty();
    assertThat(circuitState("primary")).isZero();
  }

  @Test
  void transientMessageReplyStaysWithTheRelay() {
    first.failDataWith("452 4.3.1 Insufficient system storage");
    Relays relays =
        relays(
            TestRelay.at(first.port()).name("primary"),
            TestRelay.at(second.port()).name("backup").priority(1));

    SendResult result = relays.send(message("b@example.com"));

    assertThat(result.outcome()).isEqualTo(Outcome.DEFERRED);
    assertThat(result.relay()).isEqualTo("primary");
    assertThat(second.dataSeen()).isEmpty();
  }

  @Test
  void everyRelayIsTriedAtMostOncePerAttempt() throws IOException {
    try (RecordingSmtpServer alsoFailing = new RecordingSmtpServer().greetWith(RELAY_DOWN)) {
      Relays relays =
          relays(
              TestRelay.at(failing.port()).name("primary"),
              TestRelay.at(alsoFailing.port()).name("backup").priority(1));

      SendResult result = relays.send(message("b@example.com"));

      assertThat(result.outcome()).isEqualTo(Outcome.DEFERRED);
      assertThat(result.relay()).isEqualTo("backup");
      assertThat(result.relayFailure()).isTrue();
      assertThat(failing.connections()).isEqualTo(1);
      assertThat(alsoFailing.connections()).isEqualTo(1);
    }
  }

  @Test
  void circuitOpensAfterConsecutiveRelayFailuresAndTheRelayIsSkipped() {
    Relays relays =
        relays(
            new CircuitBreaker(3, Duration.ofSeconds(30)),
            new double[0],
            TestRelay.at(failing.port()).name("primary"),
            TestRelay.at(first.port()).name("backup").priority(1));

    for (int i = 0; i < 5; i++) {
      assertThat(relays.send(message("b@example.com")).relay()).isEqualTo("backup");
    }

    assertThat(failing.connections()).isEqualTo(3);
    assertThat(first.received()).hasSize(5);
    assertThat(circuitState("primary")).isEqualTo(2);
    assertThat(circuitState("backup")).isZero();
  }

  @Test
  void afterTheCoolDownOneProbeIsLetThroughAndItsSuccessClosesTheCircuit() {
    Relays relays =
        relays(
            new CircuitBreaker(2, Duration.ofSeconds(30)),
            new double[0],
            TestRelay.at(failing.port()).name("primary"),
            TestRelay.at(first.port()).name("backup").priority(1));
    relays.send(message("b@example.com"));
    relays.send(message("b@example.com"));
    failing.greetWith("220 recovered.test ESMTP");

    assertThat(relays.send(message("b@example.com")).relay()).isEqualTo("backup");
    clock.advance(Duration.ofSeconds(31));
    SendResult probe = relays.send(message("b@example.com"));

    assertThat(probe.relay()).isEqualTo("primary");
    assertThat(probe.outcome()).isEqualTo(Outcome.SENT);
    assertThat(circuitState("primary")).isZero();
    assertThat(relays.send(message("b@example.com")).relay()).isEqualTo("primary");
  }

  @Test
  void failedProbeOpensTheCircuitAgain() {
    Relays relays =
        relays(
            new CircuitBreaker(2, Duration.ofSeconds(30)),
            new double[0],
            TestRelay.at(failing.port()).name("primary"),
            TestRelay.at(first.port()).name("backup").priority(1));
    relays.send(message("b@example.com"));
    relays.send(message("b@example.com"));
    clock.advance(Duration.ofSeconds(31));

    SendResult result = relays.send(message("b@example.com"));

    assertThat(result.relay()).isEqualTo("backup");
    assertThat(failing.connections()).isEqualTo(3);
    assertThat(circuitState("primary")).isEqualTo(2);
    relays.send(message("b@example.com"));
    assertThat(failing.connections()).isEqualTo(3);
  }

  @Test
  void withEveryCircuitOpenTheEmailIsDeferredWithoutTouchingAnyRelay() {
    Relays relays =
        relays(
            new CircuitBreaker(1, Duration.ofSeconds(30)),
            new double[0],
            TestRelay.at(failing.port()).name("only"));
    relays.send(message("b@example.com"));

    SendResult result = relays.send(message("b@example.com"));

    assertThat(result.outcome()).isEqualTo(Outcome.DEFERRED);
    assertThat(result.relay()).isEqualTo("only");
    assertThat(result.reply().text()).contains("circuit is open").contains("only");
    assertThat(result.relayFailure()).isFalse();
    assertThat(failing.connections()).isEqualTo(1);
  }

  @Test
  void openConnectionsAreMeasuredPerRelay() {
    Relays relays = relays(TestRelay.at(first.port()).name("one"));
    relays.send(message("b@example.com"));

    assertThat(meters.get("mailroom.relay.connections").tag("relay", "one").gauge().value())
        .isEqualTo(1);
  }

  /** A clock the test moves by hand, for the circuit's cool-down. */
  static final class MutableClock extends Clock {
    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}

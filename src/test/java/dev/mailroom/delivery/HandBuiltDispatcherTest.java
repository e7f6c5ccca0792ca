package dev.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.email.EmailIntake;
import dev.mailroom.email.SendEmailRequests;
import dev.mailroom.relay.Relays;
import dev.mailroom.support.ScriptedRelayTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * Dispatchers built by hand, with the settings a test needs, over the running service (whose own
 * dispatcher is switched off). Shares its application context with {@link ClaimTest}.
 */
@TestPropertySource(properties = "mailroom.delivery.enabled=false")
abstract class HandBuiltDispatcherTest extends ScriptedRelayTest {

  @Autowired EmailIntake intake;
  @Autowired EmailClaims claims;
  @Autowired Relays relays;
  @Autowired DeliverySettings settings;

  private final List<Dispatcher> started = new ArrayList<>();

  @AfterEach
  void stopDispatchers() {
    started.forEach(Dispatcher::stop);
    started.clear();
  }

  /** One worker, batches of 20, a 5-minute lease, the test retry settings. */
  Dispatcher dispatcher(String id) {
    return dispatcher(id, 20, Duration.ofMinutes(5), settings.retry());
  }

  /** One worker that looks for due email every 50 ms when not woken. */
  Dispatcher dispatcher(String id, int batchSize, Duration lease, DeliverySettings.Retry retry) {
    return dispatcher(id, batchSize, lease, Duration.ofMillis(50), retry);
  }

  Dispatcher dispatcher(
      String id,
      int batchSize,
      Duration lease,
      Duration pollInterval,
      DeliverySettings.Retry retry) {
    DeliverySettings own =
        new DeliverySettings(
            true, 1, batchSize, pollInterval, lease, Duration.ofSeconds(10), retry, id);
    return new Dispatcher(claims, relays, own, new SimpleMeterRegistry());
  }

  /** Starts a dispatcher's workers; it is stopped after the test if the test did not. */
  Dispatcher start(Dispatcher dispatcher) {
    started.add(dispatcher);
    dispatcher.start();
    return dispatcher;
  }

  UUID accept(String to) {
    return accept(to, null, null, null);
  }

  UUID accept(
      String to, @Nullable Instant sendAt, @Nullable Instant expiresAt, @Nullable String priority) {
    return intake
        .accept(
            "test",
            SendEmailRequests.to(to)
                .subject("Hello")
                .text("Body of " + to)
                .sendAt(sendAt)
                .expiresAt(expiresAt)
                .priority(priority)
                .build(),
            null)
        .id();
  }

  String status(UUID id) {
    return column(id, "status");
  }

  /** One column of an email's row as text; null when it is NULL. */
  @Nullable String column(UUID id, String column) {
    List<String> values =
        jdbc.sql("SELECT " + column + "::text FROM emails WHERE id = :id")
            .param("id", id)
            .query(String.class)
            .list();
    assertThat(values).hasSize(1);
    return values.get(0);
  }

  Instant instant(UUID id, String column) {
    return jdbc.sql("SELECT " + column + " FROM emails WHERE id = :id")
        .param("id", id)
        .query((rs, n) -> rs.getTimestamp(1).toInstant())
        .single();
  }

  long withStatus(String status) {
    return jdbc.sql("SELECT count(*) FROM emails WHERE status = :s")
        .param("s", status)
        .query(Long.class)
        .single();
  }

  /** Envelope recipients of every message the relay accepted, in the order it accepted them. */
  List<String> deliveredTo() {
    return relay.received().stream().flatMap(r -> r.recipients().stream()).toList();
  }

  /** Lets time pass on purpose, as a caller does between two requests; never to wait for work. */
  static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

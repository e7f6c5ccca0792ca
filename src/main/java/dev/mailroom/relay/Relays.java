package dev.mailroom.relay;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Every configured relay, each with its own connection pool and circuit breaker. An attempt goes to
 * a relay of the best (lowest) priority whose circuit lets it through: among equals the first
 * listed, or one drawn by weight when weights are set. When that relay fails as a relay (no
 * connection, timeout, TLS, authentication, a relay-wide 4xx), the same attempt moves on to the
 * next eligible relay at once, trying each relay at most once; the last relay's result is the
 * attempt's result. Replies about the message or a recipient, 5xx included, are final for the
 * attempt and never move it.
 */
@Component
public class Relays implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Relays.class);

  private final List<RelayPool> pools;
  private final DoubleSupplier random;
  private final MeterRegistry meters;

  @Autowired
  public Relays(SmtpSettings settings, MeterRegistry meters) {
    this(settings, meters, Clock.systemUTC(), () -> ThreadLocalRandom.current().nextDouble());
  }

  Relays(SmtpSettings settings, MeterRegistry meters, Clock clock, DoubleSupplier random) {
    this.pools =
        settings.relays().stream()
            .map(r -> new RelayPool(r, settings.ehloName(), settings.circuitBreaker(), clock))
            .toList();
    this.random = random;
    this.meters = meters;
    for (RelayPool pool : pools) {
      Gauge.builder("mailroom.relay.circuit.state", pool, RelayPool::circuitState)
          .description("Circuit breaker state of a relay: 0 closed, 1 half-open, 2 open")
          .tag("relay", pool.name())
          .register(meters);
      Gauge.builder("mailroom.relay.connections", pool, RelayPool::openConnections)
          .description("Connections open to a relay, idle or in use")
          .tag("relay", pool.name())
          .register(meters);
    }
  }

  public SendResult send(OutgoingMessage message) {
    List<RelayPool> untried = new ArrayList<>(pools);
    List<String> open = new ArrayList<>();
    @Nullable SendResult failed = null;
    while (!untried.isEmpty()) {
      RelayPool relay = choose(untried);
      untried.remove(relay);
      if (!relay.tryAcquirePermission()) {
        open.add(relay.name());
        continue;
      }
      SendResult result = relay.send(message);
      if (!result.relayFailure()) {
        return result;
      }
      failed = result;
      failedOver(message, relay, result, untried.isEmpty());
    }
    return failed != null ? failed : noRelayAvailable(message, open);
  }

  /**
   * The best priority among the candidates; among several of that priority, the first listed, or
   * one drawn by weight when any of them has a weight.
   */
  private RelayPool choose(List<RelayPool> candidates) {
    int best = candidates.stream().mapToInt(RelayPool::priority).min().orElseThrow();
    List<RelayPool> equals = candidates.stream().filter(p -> p.priority() == best).toList();
    if (equals.size() == 1 || equals.stream().allMatch(p -> p.weight() == null)) {
      return equals.get(0);
    }
    int total = equals.stream().mapToInt(Relays::weight).sum();
    double point = random.getAsDouble() * total;
    for (RelayPool pool : equals) {
      point -= weight(pool);
      if (point < 0) {
        return pool;
      }
    }
    return equals.get(equals.size() - 1);
  }

  private static int weight(RelayPool pool) {
    Integer weight = pool.weight();
    return weight == null ? 1 : weight;
  }

  private void failedOver(
      OutgoingMessage message, RelayPool relay, SendResult result, boolean last) {
    Counter.builder("mailroom.relay.failures")
        .description("Relay-level failures (connection, timeout, TLS, authentication, 421/454)")
        .tag("relay", relay.name())
        .register(meters)
        .increment();
    log.warn(
        "Email {} not sent via relay {}: {}{}",
        message.emailId(),
        relay.name(),
        result.reply().line(),
        last ? "" : "; trying the next relay");
  }

  private SendResult noRelayAvailable(OutgoingMessage message, List<String> open) {
    return SendClassifier.notSent(
        message.recipients(),
        "not sent: every relay's circuit is open (" + String.join(", ", open) + ")",
        firstChoice(),
        Duration.ZERO);
  }

  /** The relay an attempt would have gone to first, to name on an attempt that went nowhere. */
  private String firstChoice() {
    RelayPool first = pools.get(0);
    for (RelayPool pool : pools) {
      if (pool.priority() < first.priority()) {
        first = pool;
      }
    }
    return first.name();
  }

  public List<RelayPool> pools() {
    return pools;
  }

  /** Closes every connection with QUIT. Spring calls this after the dispatcher has stopped. */
  @Override
  public void close() {
    pools.forEach(RelayPool::close);
  }
}

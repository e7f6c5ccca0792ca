package dev.mailroom.relay;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A relay's circuit breaker. N consecutive relay failures open it: with a window of the last N
 * calls, a failure rate of 100 % means exactly that. After the cool-down the next caller's permit
 * half-opens it for one probe, whose result closes or reopens it.
 */
final class RelayCircuit {

  private static final Logger log = LoggerFactory.getLogger(RelayCircuit.class);

  private final CircuitBreaker breaker;

  RelayCircuit(String relay, SmtpSettings.CircuitBreaker settings, Clock clock) {
    CircuitBreakerConfig config =
        CircuitBreakerConfig.custom()
            .slidingWindowType(SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(settings.failureThreshold())
            .minimumNumberOfCalls(settings.failureThreshold())
            .failureRateThreshold(100)
            // Slow sends are bounded by the SMTP timeouts and counted as failures there.
            .slowCallRateThreshold(100)
            .slowCallDurationThreshold(Duration.ofDays(1))
            .waitDurationInOpenState(settings.coolDown())
            .automaticTransitionFromOpenToHalfOpenEnabled(false)
            .permittedNumberOfCallsInHalfOpenState(1)
            .writableStackTraceEnabled(false)
            .clock(clock)
            .build();
    this.breaker = CircuitBreaker.of(relay, config);
    breaker
        .getEventPublisher()
        .onStateTransition(
            event ->
                log.warn(
                    "Relay {} circuit {}",
                    relay,
                    event.getStateTransition().getToState() == CircuitBreaker.State.OPEN
                        ? "opened: the relay is skipped for " + settings.coolDown()
                        : event.getStateTransition().toString()));
  }

  /** False while open, or while the one half-open probe is out. */
  boolean tryAcquirePermission() {
    return breaker.tryAcquirePermission();
  }

  /** Nothing reached the relay: the permit goes back and the circuit learns nothing. */
  void releasePermission() {
    breaker.releasePermission();
  }

  /** A relay failure counts towards opening the circuit; anything else the relay said is health. */
  SendResult recorded(SendResult result) {
    long nanos = result.duration().toNanos();
    if (result.relayFailure()) {
      breaker.onError(nanos, TimeUnit.NANOSECONDS, new RelayFailure(result.reply().line()));
    } else {
      breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
    }
    return result;
  }

  /** 0 closed, 1 half-open, 2 open: the value of the circuit-state gauge. */
  int state() {
    return switch (breaker.getState()) {
      case HALF_OPEN -> 1;
      case OPEN, FORCED_OPEN -> 2;
      default -> 0;
    };
  }

  /** What the circuit breaker records for a relay failure; the reply is all there is to say. */
  private static final class RelayFailure extends RuntimeException {
    RelayFailure(String reply) {
      super(reply, null, false, false);
    }
  }
}

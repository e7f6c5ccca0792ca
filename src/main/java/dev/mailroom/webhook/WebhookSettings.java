package dev.mailroom.webhook;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Webhook endpoints and their deliveries.
 *
 * @param allowPrivateNetworks accept endpoint URLs that resolve to loopback, link-local or private
 *     addresses (local mode and tests); never in production, where it would let a caller make the
 *     service call its own network
 * @param enabled false delivers no webhooks from this replica (they wait in the outbox)
 * @param concurrency delivery threads
 * @param batchSize deliveries claimed in one statement by one thread
 * @param pollInterval how often an idle thread looks for deliveries queued by other replicas
 * @param leaseDuration how long a claim is exclusive; an expired one is taken over by anyone
 * @param connectTimeout the longest a connection to a receiver may take
 * @param readTimeout the longest a receiver may take to answer a request
 * @param maxEndpoints endpoints one project may have
 * @param disableAfter an endpoint whose every try failed for this long is disabled
 * @param dispatcherId the name stamped into {@code locked_by}; defaults to the host name
 */
@ConfigurationProperties("mailroom.webhooks")
@Validated
public record WebhookSettings(
    @DefaultValue("false") boolean allowPrivateNetworks,
    @DefaultValue("true") boolean enabled,
    @DefaultValue("4") @Min(1) @Max(64) int concurrency,
    @DefaultValue("10") @Min(1) @Max(100) int batchSize,
    @DefaultValue("1s") Duration pollInterval,
    @DefaultValue("5m") Duration leaseDuration,
    @DefaultValue("5s") Duration connectTimeout,
    @DefaultValue("10s") Duration readTimeout,
    @DefaultValue("20") @Min(1) @Max(1000) int maxEndpoints,
    @DefaultValue("5d") Duration disableAfter,
    @DefaultValue @Valid Retry retry,
    @org.jspecify.annotations.Nullable String dispatcherId) {

  /**
   * Exponential backoff with jitter: with the defaults, tries at about 0 s, 10 s, 40 s, 2.5 min, 10
   * min, 40 min, 2.7 h, then every 6 h until three days have passed.
   *
   * @param maxAge after this long since the delivery was queued (or replayed) it is FAILED
   */
  public record Retry(
      @DefaultValue("10s") Duration initialBackoff,
      @DefaultValue("4.0") @DecimalMin("1.0") double multiplier,
      @DefaultValue("6h") Duration maxBackoff,
      @DefaultValue("3d") Duration maxAge,
      @DefaultValue("0.2") @DecimalMin("0.0") @DecimalMax("1.0") double jitter) {

    /** The pause after this many failed tries, at least 1. */
    Duration backoff(int failedTries, double random) {
      double base = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, failedTries - 1));
      double capped = Math.min(base, maxBackoff.toMillis());
      return Duration.ofMillis(Math.round(capped * (1 + jitter * (2 * random - 1))));
    }
  }
}

package dev.mailroom.delivery;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How this replica's dispatcher claims and retries.
 *
 * @param enabled false runs the API only (no sending from this replica)
 * @param concurrency worker threads, each with its own relay connection while sending
 * @param batchSize emails claimed in one statement by one worker
 * @param pollInterval how often an idle worker looks for due email written by other replicas
 * @param leaseDuration how long a claim is exclusive; an expired claim is taken over by anyone
 * @param drainTimeout on shutdown, how long in-flight sends may take before the rest is released
 * @param dispatcherId the name stamped into {@code locked_by}; defaults to the host name
 */
@ConfigurationProperties("mailroom.delivery")
@Validated
public record DeliverySettings(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("8") @Min(1) @Max(256) int concurrency,
    @DefaultValue("50") @Min(1) @Max(500) int batchSize,
    @DefaultValue("1s") Duration pollInterval,
    @DefaultValue("5m") Duration leaseDuration,
    @DefaultValue("20s") Duration drainTimeout,
    @DefaultValue @Valid Retry retry,
    @Nullable String dispatcherId) {

  /**
   * Exponential backoff with jitter, bounded by the age of the email.
   *
   * @param initialBackoff the delay after the first transient failure
   * @param multiplier growth of the delay per further failure
   * @param maxBackoff the longest delay between two attempts
   * @param maxAge after this long since acceptance, a still-undelivered email is FAILED
   * @param jitter the fraction (0..1) by which each delay is randomly shortened or lengthened
   */
  public record Retry(
      @DefaultValue("30s") Duration initialBackoff,
      @DefaultValue("2.0") @DecimalMin("1.0") double multiplier,
      @DefaultValue("15m") Duration maxBackoff,
      @DefaultValue("24h") Duration maxAge,
      @DefaultValue("0.2") @DecimalMin("0.0") @DecimalMax("1.0") double jitter) {}
}

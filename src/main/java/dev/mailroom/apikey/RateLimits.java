package dev.mailroom.apikey;

import dev.mailroom.apikey.ApiKeySettings.RateLimit;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.springframework.stereotype.Component;

/**
 * A token bucket per rate-limited key, in this replica's memory: with N replicas behind a load
 * balancer a key gets up to N times its limit.
 */
@Component
class RateLimits {

  private final Map<String, Bucket> buckets = new HashMap<>();

  RateLimits(ApiKeys keys) {
    for (ApiKey key : keys.all()) {
      if (!key.rateLimit().unlimited()) {
        buckets.put(key.name(), bucket(key.rateLimit()));
      }
    }
  }

  /** Takes a token for one request; empty when taken, else the seconds until one is due. */
  OptionalLong acquire(ApiKey key) {
    Bucket bucket = buckets.get(key.name());
    if (bucket == null) {
      return OptionalLong.empty();
    }
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    if (probe.isConsumed()) {
      return OptionalLong.empty();
    }
    long nanos = probe.getNanosToWaitForRefill();
    return OptionalLong.of(Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L));
  }

  static Bucket bucket(RateLimit limit) {
    double perSecond = limit.perSecond() == null ? 0 : limit.perSecond();
    // Whole rates refill n tokens a second; others one token every 1/rate seconds.
    boolean whole = perSecond >= 1 && perSecond == Math.rint(perSecond);
    long tokens = whole ? (long) perSecond : 1;
    Duration period = whole ? Duration.ofSeconds(1) : Duration.ofNanos(Math.round(1e9 / perSecond));
    return Bucket.builder()
        .addLimit(l -> l.capacity(limit.capacity()).refillGreedy(tokens, period))
        .build();
  }
}

package dev.mailroom.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.apikey.ApiKeySettings.RateLimit;
import io.github.bucket4j.Bucket;
import org.junit.jupiter.api.Test;

class RateLimitsTest {

  @Test
  void burstDefaultsToTheRatePerSecond() {
    assertThat(new RateLimit(5.0, null).capacity()).isEqualTo(5);
    assertThat(new RateLimit(0.5, null).capacity()).isEqualTo(1);
    assertThat(new RateLimit(5.0, 20).capacity()).isEqualTo(20);
  }

  @Test
  void zeroOrUnsetIsUnlimited() {
    assertThat(new RateLimit(null, null).unlimited()).isTrue();
    assertThat(new RateLimit(0.0, 10).unlimited()).isTrue();
    assertThat(new RateLimit(1.0, null).unlimited()).isFalse();
  }

  @Test
  void bucketAllowsTheBurstThenRefusesUntilRefilled() {
    Bucket bucket = RateLimits.bucket(new RateLimit(10.0, 3));

    assertThat(bucket.tryConsume(3)).isTrue();
    assertThat(bucket.tryConsume(1)).isFalse();
    assertThat(bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill())
        .isBetween(1L, 100_000_000L);
  }

  @Test
  void fractionalRateRefillsOneTokenPerPeriod() {
    Bucket bucket = RateLimits.bucket(new RateLimit(0.5, 1));

    assertThat(bucket.tryConsume(1)).isTrue();
    assertThat(bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill())
        .isBetween(1_900_000_000L, 2_000_000_000L);
  }
}

package dev.mailroom.retention;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How long settled emails (SENT, FAILED, CANCELLED) are kept. Ages count from when the email
 * settled.
 *
 * @param enabled false never purges nor deletes anything from this replica
 * @param interval the pause between two purge runs
 * @param bodyAge after this, the stored message (headers, bodies, attachments) is removed; the
 *     email's status, recipients and attempts stay
 * @param deleteAge after this, the email is deleted with its recipients and attempts
 * @param batchSize emails purged or deleted per statement, each statement its own transaction
 * @param maxRunTime a run starts no new batch after this long; the rest waits for the next run
 */
@ConfigurationProperties("mailroom.retention")
@Validated
public record RetentionSettings(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("1h") @DurationMin(seconds = 1) Duration interval,
    @DefaultValue("30d") @DurationMin(seconds = 0) Duration bodyAge,
    @DefaultValue("90d") @DurationMin(seconds = 0) Duration deleteAge,
    @DefaultValue("1000") @Min(1) @Max(10000) int batchSize,
    @DefaultValue("5m") @DurationMin(seconds = 1) Duration maxRunTime) {

  /**
   * Deleting an email removes its message too, so a delete-age below body-age leaves body-age
   * without effect: more likely a slip (30m for 30d) than an intent, and refused at startup.
   */
  @AssertTrue(message = "delete-age must be at least body-age")
  public boolean isDeleteAgeAtLeastBodyAge() {
    return deleteAge.compareTo(bodyAge) >= 0;
  }
}

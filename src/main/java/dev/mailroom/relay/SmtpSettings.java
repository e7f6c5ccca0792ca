package dev.mailroom.relay;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The upstream SMTP relays. An email goes to the healthiest relay of the best priority; a relay
 * that fails is skipped for the rest of the attempt and, after repeated failures, for a cool-down.
 *
 * @param circuitBreaker when a relay is taken out of rotation, the same rule for every relay
 */
@ConfigurationProperties("mailroom.smtp")
@Validated
public record SmtpSettings(
    @DefaultValue("localhost") @NotBlank @Pattern(regexp = "[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\]")
        String ehloName,
    @NotEmpty(message = "at least one relay must be configured (mailroom.smtp.relays[0].host)")
        List<@Valid Relay> relays,
    @DefaultValue @Valid CircuitBreaker circuitBreaker) {

  /** Names tag every attempt and metric: two relays must not share one. */
  @AssertTrue(message = "relay names must be unique (set mailroom.smtp.relays[n].name)")
  public boolean isRelayNamesUnique() {
    return relays == null || relays.stream().map(Relay::name).distinct().count() == relays.size();
  }

  /**
   * @param failureThreshold consecutive relay failures that open a relay's circuit
   * @param coolDown how long an open circuit keeps the relay out; then one probe is let through
   */
  public record CircuitBreaker(
      @DefaultValue("5") @Min(1) @Max(1000) int failureThreshold,
      @DefaultValue("30s") Duration coolDown) {}

  public enum TlsMode {
    /** Plain SMTP. Only for relays on a trusted network (a local sidecar, a test server). */
    NONE,
    /** STARTTLS is required: a relay that does not offer it is a failure, never plaintext. */
    STARTTLS,
    /** TLS from the first byte, usually port 465. */
    IMPLICIT
  }

  /**
   * One upstream relay.
   *
   * @param priority lower is preferred; among equal priorities, list order decides unless weights
   *     are set
   * @param weight spreads traffic among relays of equal priority in proportion to their weights (an
   *     unset weight counts as 1); when no relay of that priority has one, list order decides
   * @param rateLimit messages per second this replica sends through the relay, unlimited when unset
   * @param caBundle a PEM file of the certificates to trust instead of the JVM's trust store
   */
  public record Relay(
      @DefaultValue("primary") @NotBlank String name,
      @NotBlank(message = "relay host must be set") String host,
      @DefaultValue("587") @Min(1) @Max(65535) int port,
      @DefaultValue("STARTTLS") TlsMode tlsMode,
      @Nullable String username,
      @Nullable String password,
      @DefaultValue("10s") Duration connectTimeout,
      @DefaultValue("60s") Duration readTimeout,
      @DefaultValue("60s") Duration writeTimeout,
      @DefaultValue("8") @Min(1) @Max(1000) int maxConnections,
      @DefaultValue("300s") Duration maxConnectionAge,
      @DefaultValue("1000") @Min(1) int maxMessagesPerConnection,
      @DefaultValue("10s") Duration borrowTimeout,
      @DefaultValue("0") int priority,
      @Nullable @Min(1) @Max(1000) Integer weight,
      @Nullable @Positive Double rateLimit,
      @Nullable Path caBundle) {

    boolean authenticates() {
      return username != null && !username.isBlank();
    }

    @Override
    public String toString() {
      // Never print the password.
      return "Relay["
          + name
          + " "
          + host
          + ":"
          + port
          + " "
          + tlsMode
          + " priority "
          + priority
          + "]";
    }
  }
}

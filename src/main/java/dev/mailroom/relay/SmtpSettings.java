package dev.mailroom.relay;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The upstream SMTP relays. A list from the start: failover across several relays builds on the
 * same shape.
 */
@ConfigurationProperties("mailroom.smtp")
@Validated
public record SmtpSettings(
    @DefaultValue("localhost") @NotBlank @Pattern(regexp = "[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\]")
        String ehloName,
    @NotEmpty(message = "at least one relay must be configured (mailroom.smtp.relays[0].host)")
        List<@Valid Relay> relays) {

  public enum TlsMode {
    /** Plain SMTP. Only for relays on a trusted network (a local sidecar, a test server). */
    NONE,
    /** STARTTLS is required: a relay that does not offer it is a failure, never plaintext. */
    STARTTLS,
    /** TLS from the first byte, usually port 465. */
    IMPLICIT
  }

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
      @DefaultValue("10s") Duration borrowTimeout) {

    boolean authenticates() {
      return username != null && !username.isBlank();
    }

    @Override
    public String toString() {
      // Never print the password.
      return "Relay[" + name + " " + host + ":" + port + " " + tlsMode + "]";
    }
  }
}

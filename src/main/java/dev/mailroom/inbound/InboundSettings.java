package dev.mailroom.inbound;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.nio.file.Path;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The inbound SMTP listener, which receives bounces and complaints for {@code
 * mailroom.bounces.domain}.
 *
 * <p>Each connection holds at most one message in memory while it is read, so the listener's memory
 * is bounded by {@code maxConnections × maxMessageSize} (20 MB by default). Bounces are small:
 * Postfix returns at most 50 kB of the original message, Exim 100 kB, the large providers only its
 * headers.
 *
 * @param port the port to listen on; unset, there is no listener (0 picks a free port)
 * @param bindAddress the address to listen on; every interface when unset
 * @param hostName the name in the greeting and in EHLO replies
 * @param maxMessageSize a larger message is refused with 552 (and announced in EHLO SIZE)
 * @param maxRecipients RCPT commands accepted per message
 * @param maxConnections connections at once; later ones are answered 421
 * @param maxConnectionsPerAddress connections at once from one IP address; later ones get 421
 * @param connectionsPerMinutePerAddress new connections one IP address may open per minute (a burst
 *     of as many is allowed); more get 421
 * @param idleTimeout a client silent for this long (between commands or within DATA) is
 *     disconnected
 * @param sessionTimeout a connection is closed after this long, however busy: a client that drips
 *     bytes cannot hold one forever
 * @param retention inbound messages (and the raw bytes of those that were not understood) are
 *     deleted after this long
 * @param tls STARTTLS, offered when a certificate is configured
 */
@ConfigurationProperties("mailroom.inbound")
@Validated
public record InboundSettings(
    @Nullable @Min(0) @Max(65535) Integer port,
    @Nullable String bindAddress,
    @DefaultValue("localhost") String hostName,
    @DefaultValue("1MB") DataSize maxMessageSize,
    @DefaultValue("10") @Min(1) @Max(1000) int maxRecipients,
    @DefaultValue("20") @Min(1) @Max(10000) int maxConnections,
    @DefaultValue("5") @Min(1) @Max(10000) int maxConnectionsPerAddress,
    @DefaultValue("60") @Min(1) @Max(1000000) int connectionsPerMinutePerAddress,
    @DefaultValue("60s") @DurationMin(millis = 100) Duration idleTimeout,
    @DefaultValue("10m") @DurationMin(seconds = 1) Duration sessionTimeout,
    @DefaultValue("30d") @DurationMin(minutes = 1) Duration retention,
    @DefaultValue @Valid Tls tls) {

  /**
   * @param certificate PEM file with the server certificate (and its chain)
   * @param privateKey PEM file with the certificate's private key (PKCS#8 or PKCS#1)
   */
  public record Tls(@Nullable Path certificate, @Nullable Path privateKey) {

    public boolean enabled() {
      return certificate != null;
    }

    @AssertTrue(message = "certificate and private-key go together")
    public boolean isCompletePair() {
      return (certificate == null) == (privateKey == null);
    }
  }

  @AssertTrue(message = "max-message-size must be between 1KB and 100MB")
  public boolean isMaxMessageSizeInRange() {
    return maxMessageSize.toBytes() >= 1024 && maxMessageSize.toBytes() <= 100L * 1024 * 1024;
  }
}

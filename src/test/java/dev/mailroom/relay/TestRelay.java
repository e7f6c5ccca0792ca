package dev.mailroom.relay;

import dev.mailroom.relay.SmtpSettings.Relay;
import dev.mailroom.relay.SmtpSettings.TlsMode;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** A relay setting for tests: short timeouts on localhost, plain SMTP unless told otherwise. */
final class TestRelay {

  private String name = "r";
  private final int port;
  private TlsMode tlsMode = TlsMode.NONE;
  private @Nullable String username;
  private @Nullable String password;
  private Duration readTimeout = Duration.ofSeconds(5);
  private int maxConnections = 2;
  private Duration maxConnectionAge = Duration.ofMinutes(5);
  private int maxMessagesPerConnection = 1000;
  private Duration borrowTimeout = Duration.ofSeconds(2);
  private int priority;
  private @Nullable Integer weight;
  private @Nullable Double rateLimit;
  private @Nullable Path caBundle;

  private TestRelay(int port) {
    this.port = port;
  }

  static TestRelay at(int port) {
    return new TestRelay(port);
  }

  TestRelay name(String name) {
    this.name = name;
    return this;
  }

  TestRelay tls(TlsMode tlsMode) {
    this.tlsMode = tlsMode;
    return this;
  }

  TestRelay credentials(String username, String password) {
    this.username = username;
    this.password = password;
    return this;
  }

  TestRelay readTimeout(Duration readTimeout) {
    this.readTimeout = readTimeout;
    return this;
  }

  TestRelay maxConnectionAge(Duration maxConnectionAge) {
    this.maxConnectionAge = maxConnectionAge;
    return this;
  }

  TestRelay maxMessagesPerConnection(int maxMessagesPerConnection) {
    this.maxMessagesPerConnection = maxMessagesPerConnection;
    return this;
  }

  TestRelay borrowTimeout(Duration borrowTimeout) {
    this.borrowTimeout = borrowTimeout;
    return this;
  }

  TestRelay priority(int priority) {
    this.priority = priority;
    return this;
  }

  TestRelay weight(int weight) {
    this.weight = weight;
    return this;
  }

  TestRelay rateLimit(double perSecond) {
    this.rateLimit = perSecond;
    return this;
  }

  TestRelay caBundle(Path caBundle) {
    this.caBundle = caBundle;
    return this;
  }

  Relay build() {
    return new Relay(
        name,
        "localhost",
        port,
        tlsMode,
        username,
        password,
        Duration.ofSeconds(2),
        readTimeout,
        Duration.ofSeconds(2),
        maxConnections,
        maxConnectionAge,
        maxMessagesPerConnection,
        borrowTimeout,
        priority,
        weight,
        rateLimit,
        caBundle);
  }
}

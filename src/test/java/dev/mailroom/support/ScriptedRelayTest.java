package dev.mailroom.support;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The running service relaying to a {@link ScriptedSmtpServer}. Subclasses share one application
 * context and one relay, reset before each test.
 */
public abstract class ScriptedRelayTest extends IntegrationTest {

  protected static final ScriptedSmtpServer relay = new ScriptedSmtpServer();

  @DynamicPropertySource
  static void scriptedRelay(DynamicPropertyRegistry registry) {
    relayAt(registry, relay::port);
  }

  @BeforeEach
  void resetRelay() {
    relay.reset();
  }
}

package dev.mailroom.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.ScriptedRelayTest;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** With actuator on the API port, probes stay open and the other endpoints need a key. */
class SharedManagementPortTest extends ScriptedRelayTest {

  @DynamicPropertySource
  static void managementOnTheApiPort(DynamicPropertyRegistry registry) {
    registry.add("management.server.port", () -> "");
  }

  @Test
  void healthNeedsNoKey() {
    assertThat(api.withoutKey().get("/actuator/health/readiness").status()).isEqualTo(200);
    assertThat(api.withoutKey().get("/actuator/health/liveness").status()).isEqualTo(200);
  }

  @Test
  void otherEndpointsNeedAKey() {
    assertThat(api.withoutKey().get("/actuator/prometheus").status()).isEqualTo(401);
    assertThat(api.get("/actuator/prometheus").status()).isEqualTo(200);
  }
}

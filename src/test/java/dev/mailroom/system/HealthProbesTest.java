package dev.mailroom.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.web.server.LocalManagementPort;

/** The probes Kubernetes and docker compose call, where they call them. */
class HealthProbesTest extends ScriptedRelayTest {

  @LocalManagementPort int managementPort;

  @ParameterizedTest
  @ValueSource(strings = {"/actuator/health/liveness", "/actuator/health/readiness"})
  void probeAnswersUpOnTheManagementPort(String path) {
    Api.Response response = new Api(managementPort).get(path);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body().path("status").asString()).isEqualTo("UP");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness"})
  void probeIsNotServedOnTheApiPort(String path) {
    assertThat(api.get(path).status()).isEqualTo(404);
  }
}

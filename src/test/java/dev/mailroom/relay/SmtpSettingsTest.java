package dev.mailroom.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.relay.SmtpSettings.Relay;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** The relays as Spring builds them from {@code mailroom.smtp.*} properties. */
class SmtpSettingsTest {

  @TempDir Path directory;

  private final ApplicationContextRunner context =
      new ApplicationContextRunner()
          .withUserConfiguration(RelayConfiguration.class)
          .withPropertyValues(
              "mailroom.smtp.relays[0].host=localhost", "mailroom.smtp.relays[0].tls-mode=NONE");

  @Test
  void aRelayNeedsOnlyAHost() {
    context.run(
        context -> {
          SmtpSettings settings = context.getBean(SmtpSettings.class);
          Relay relay = settings.relays().get(0);
          assertThat(relay.priority()).isZero();
          assertThat(relay.weight()).isNull();
          assertThat(relay.rateLimit()).isNull();
          assertThat(relay.caBundle()).isNull();
          assertThat(settings.circuitBreaker().failureThreshold()).isEqualTo(5);
          assertThat(settings.circuitBreaker().coolDown()).isEqualTo(Duration.ofSeconds(30));
        });
  }

  @Test
  void priorityWeightRateLimitAndCircuitBreakerBind() {
    context
        .withPropertyValues(
            "mailroom.smtp.relays[0].name=main",
            "mailroom.smtp.relays[0].weight=3",
            "mailroom.smtp.relays[0].rate-limit=0.5",
            "mailroom.smtp.relays[1].name=backup",
            "mailroom.smtp.relays[1].host=backup.example",
            "mailroom.smtp.relays[1].priority=10",
            "mailroom.smtp.circuit-breaker.failure-threshold=3",
            "mailroom.smtp.circuit-breaker.cool-down=1m")
        .run(
            context -> {
              SmtpSettings settings = context.getBean(SmtpSettings.class);
              assertThat(settings.relays().get(0).weight()).isEqualTo(3);
              assertThat(settings.relays().get(0).rateLimit()).isEqualTo(0.5);
              assertThat(settings.relays().get(1).priority()).isEqualTo(10);
              assertThat(settings.circuitBreaker().failureThreshold()).isEqualTo(3);
              assertThat(settings.circuitBreaker().coolDown()).isEqualTo(Duration.ofMinutes(1));
              assertThat(context.getBean(Relays.class).pools())
                  .extracting(RelayPool::name)
                  .containsExactly("main", "backup");
            });
  }

  @Test
  void twoRelaysWithOneNameFailStartup() {
    context
        .withPropertyValues("mailroom.smtp.relays[1].host=backup.example")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("relay names must be unique"));
  }

  @Test
  void missingCaBundleFailsStartupWithItsPath() {
    Path missing = directory.resolve("missing.pem");
    context
        .withPropertyValues(
            "mailroom.smtp.relays[0].tls-mode=STARTTLS",
            "mailroom.smtp.relays[0].ca-bundle=" + missing)
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining(missing.toString()));
  }

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(SmtpSettings.class)
  @Import(Relays.class)
  static class RelayConfiguration {
    @Bean
    MeterRegistry meters() {
      return new SimpleMeterRegistry();
    }
  }
}

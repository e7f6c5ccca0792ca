package dev.mailroom.retention;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class RetentionSettingsTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(RetentionSettings.class)
  static class Settings {}

  private final ApplicationContextRunner context =
      new ApplicationContextRunner().withUserConfiguration(Settings.class);

  @Test
  void defaultsKeepMessagesThirtyDaysAndEmailsNinety() {
    context.run(
        started ->
            assertThat(started.getBean(RetentionSettings.class))
                .isEqualTo(
                    new RetentionSettings(
                        true,
                        Duration.ofHours(1),
                        Duration.ofDays(30),
                        Duration.ofDays(90),
                        1000,
                        Duration.ofMinutes(5))));
  }

  @Test
  void deleteAgeBelowBodyAgeStopsStartup() {
    context
        .withPropertyValues("mailroom.retention.body-age=30d", "mailroom.retention.delete-age=30m")
        .run(
            started ->
                assertThat(started)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("delete-age must be at least body-age"));
  }

  @Test
  void batchSizeOfZeroStopsStartup() {
    context
        .withPropertyValues("mailroom.retention.batch-size=0")
        .run(
            started ->
                assertThat(started).getFailure().rootCause().hasMessageContaining("batchSize"));
  }
}

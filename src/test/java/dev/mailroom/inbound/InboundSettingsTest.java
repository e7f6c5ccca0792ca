package dev.mailroom.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

class InboundSettingsTest {

  private static final String SECRET = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==";

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties({BounceSettings.class, InboundSettings.class})
  static class Settings {}

  private final ApplicationContextRunner context =
      new ApplicationContextRunner()
          .withUserConfiguration(Settings.class, InboundConfiguration.class);

  @Test
  void withoutABounceDomainThereIsNoVerpAndNoListenerPort() {
    context.run(
        started -> {
          assertThat(started).doesNotHaveBean(VerpToken.class);
          assertThat(started.getBean(InboundSettings.class).port()).isNull();
          assertThat(started.getBean(InboundSettings.class).maxMessageSize())
              .isEqualTo(DataSize.ofMegabytes(1));
        });
  }

  @Test
  void bounceDomainWithASecretMakesTheVerpToken() {
    context
        .withPropertyValues(
            "mailroom.bounces.domain=bounces.acme.example", "mailroom.bounces.secret=" + SECRET)
        .run(
            started ->
                assertThat(started.getBean(VerpToken.class).domain())
                    .isEqualTo("bounces.acme.example"));
  }

  @Test
  void bounceDomainWithoutASecretStopsStartup() {
    context
        .withPropertyValues("mailroom.bounces.domain=bounces.acme.example")
        .run(
            started ->
                assertThat(started)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("secret is required with a domain"));
  }

  @Test
  void secretShorterThan32BytesStopsStartup() {
    context
        .withPropertyValues(
            "mailroom.bounces.domain=bounces.acme.example", "mailroom.bounces.secret=c2hvcnQ=")
        .run(
            started ->
                assertThat(started)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("at least 32 bytes"));
  }

  @Test
  void certificateWithoutAPrivateKeyStopsStartup() {
    context
        .withPropertyValues("mailroom.inbound.tls.certificate=/etc/mailroom/tls/cert.pem")
        .run(
            started ->
                assertThat(started)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("certificate and private-key go together"));
  }
}

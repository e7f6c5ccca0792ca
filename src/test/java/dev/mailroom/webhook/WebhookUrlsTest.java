package dev.mailroom.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which URLs the service refuses to call when private networks are not allowed. No lookups leave
 * this machine: only IP literals and localhost.
 */
class WebhookUrlsTest {

  private final WebhookUrls refusing = new WebhookUrls(settings(false), InetAddress::getAllByName);

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://127.0.0.1/hook",
        "http://127.8.9.10:8080/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[fe80::1]/hook",
        "http://10.0.0.5/hook",
        "http://172.16.3.4/hook",
        "http://192.168.1.1/hook",
        "http://100.64.0.1/hook",
        "http://[fd00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://localhost:8080/hook"
      })
  void nonPublicAddressesAreRefused(String url) {
    assertThat(refusing.refusal(url)).get().asString().contains("address").contains("public");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ftp://93.184.215.14/x",
        "file:///etc/passwd",
        "gopher://1.1.1.1/",
        "not a url",
        "http:///nohost",
        "https://user:pw@93.184.215.14/"
      })
  void onlyPlainHttpAndHttpsUrlsWithAHostAreAccepted(String url) {
    assertThat(refusing.refusal(url)).isPresent();
  }

  @Test
  void publicAddressesAreAccepted() {
    assertThat(refusing.refusal("https://93.184.215.14/hooks")).isEmpty();
    assertThat(refusing.refusal("https://[2606:4700:4700::1111]/hooks")).isEmpty();
  }

  @Test
  void privateNetworksCanBeAllowedForLocalMode() {
    assertThat(
            new WebhookUrls(settings(true), InetAddress::getAllByName)
                .refusal("http://127.0.0.1:9000/hook"))
        .isEmpty();
  }

  @Test
  void everyLoopbackFormIsLoopback() throws Exception {
    assertThat(WebhookUrls.privateKind(InetAddress.getByName("127.0.0.1"))).isEqualTo("loopback");
    assertThat(WebhookUrls.privateKind(InetAddress.getByName("::1"))).isEqualTo("loopback");
    assertThat(WebhookUrls.privateKind(InetAddress.getByName("::127.0.0.1"))).isEqualTo("loopback");
  }

  static WebhookSettings settings(boolean allowPrivate) {
    return new WebhookSettings(
        allowPrivate,
        true,
        1,
        10,
        Duration.ofSeconds(1),
        Duration.ofMinutes(1),
        Duration.ofSeconds(1),
        Duration.ofSeconds(1),
        20,
        Duration.ofDays(5),
        new WebhookSettings.Retry(
            Duration.ofSeconds(1), 2, Duration.ofHours(1), Duration.ofDays(3), 0),
        null);
  }
}

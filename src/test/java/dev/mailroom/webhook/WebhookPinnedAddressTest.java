package dev.mailroom.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * Webhook calls connect to the address the service's own lookup returned, and still name the host
 * of the URL: a name no DNS server knows reaches the receiver through the lookup that was checked.
 */
@Import(WebhookPinnedAddressTest.Names.class)
class WebhookPinnedAddressTest extends ScriptedRelayTest {

  static final String HOST = "receiver.pinned.test";

  static final WebhookReceiver receiver = new WebhookReceiver();

  static final List<String> lookups = new CopyOnWriteArrayList<>();

  @TestConfiguration
  static class Names {
    @Bean
    WebhookUrls.HostResolver pinnedNames() {
      return host -> {
        if (!host.equals(HOST)) {
          return InetAddress.getAllByName(host);
        }
        lookups.add(host);
        return new InetAddress[] {InetAddress.getByName("127.0.0.1")};
      };
    }
  }

  @BeforeEach
  void clean() {
    receiver.reset();
    lookups.clear();
    jdbc.sql("DELETE FROM webhook_endpoints").update();
  }

  @AfterAll
  static void stop() {
    receiver.close();
  }

  @Test
  void aDeliveryGoesToTheLookedUpAddressUnderTheUrlsHostName() {
    String url = "http://" + HOST + ":" + receiver.port() + "/hooks";
    Api.Response created = api.post("/webhooks", "{\"url\": \"" + url + "\"}");
    assertThat(created.status()).as(created.body().toString()).isEqualTo(201);

    Api.Response sent =
        api.post("/emails", "{\"to\": [\"a@example.com\"], \"subject\": \"Hi\", \"text\": \"Hi\"}");
    WebhookReceiver.Request accepted =
        receiver.awaitEvent("email.accepted", sent.body().path("id").asString());

    assertThat(accepted.header("host")).isEqualTo(HOST + ":" + receiver.port());
    assertThat(WebhookReceiver.verify(accepted, created.body().path("secret").asString()))
        .isEqualTo(1);
    assertThat(lookups).hasSizeGreaterThanOrEqualTo(2);
  }
}

package dev.mailroom.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class MessageIdsTest {

  private static final UUID ID = UUID.fromString("7c1e2f9a-0000-4000-8000-000000000001");

  @Test
  void messageIdUsesTheConfiguredDomain() {
    MessageIds ids = new MessageIds(settings("Acme <no-reply@acme.test>", "mail.acme.test"));

    assertThat(ids.of(ID)).isEqualTo("<7c1e2f9a-0000-4000-8000-000000000001@mail.acme.test>");
  }

  @Test
  void withoutADomainTheDefaultSendersDomainIsUsed() {
    MessageIds ids = new MessageIds(settings("Acme <no-reply@acme.test>", " "));

    assertThat(ids.of(ID)).isEqualTo("<7c1e2f9a-0000-4000-8000-000000000001@acme.test>");
  }

  @Test
  void withNeitherDomainNorDefaultSenderStartupFails() {
    assertThatThrownBy(() -> new MessageIds(settings(null, null)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("mailroom.email.message-id-domain");
  }

  private static EmailSettings settings(@Nullable String defaultFrom, @Nullable String domain) {
    return new EmailSettings(
        defaultFrom,
        domain,
        50,
        DataSize.ofMegabytes(15),
        20,
        DataSize.ofMegabytes(10),
        500,
        DataSize.ofMegabytes(20),
        Duration.ofDays(30));
  }
}

package dev.mailroom.email;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.email.EmailRepository.NewRecipient;
import jakarta.mail.internet.InternetAddress;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class WireAddressesTest {

  private static final EmailAddress DEFAULT_FROM = EmailAddress.parse("Acme <no-reply@acme.test>");

  @Test
  void bccIsInTheEnvelopeButNotInTheHeaders() {
    WireAddresses addresses =
        WireAddresses.of(
            request(
                """
                {"to": ["Ada <ada@example.com>"], "cc": ["cc@example.com"],
                 "bcc": ["Hidden <bcc@example.com>"], "subject": "s", "text": "t"}
                """),
            DEFAULT_FROM);

    assertThat(addresses.to())
        .extracting(InternetAddress::toUnicodeString)
        .containsExactly("Ada <ada@example.com>");
    assertThat(addresses.cc())
        .extracting(InternetAddress::getAddress)
        .containsExactly("cc@example.com");
    assertThat(addresses.recipients())
        .containsExactly(
            new NewRecipient(RecipientKind.TO, "ada@example.com", "Ada"),
            new NewRecipient(RecipientKind.CC, "cc@example.com", null),
            new NewRecipient(RecipientKind.BCC, "bcc@example.com", "Hidden"));
  }

  @Test
  void domainsGoOnTheWireInLowerCaseAscii() {
    WireAddresses addresses =
        WireAddresses.of(
            request(
                """
                {"from": "Zoé <zoe@Bücher.DE>", "to": ["ada@Example.COM"],
                 "replyTo": ["help@Bücher.de"], "subject": "s", "text": "t"}
                """),
            DEFAULT_FROM);

    assertThat(addresses.from().getAddress()).isEqualTo("zoe@xn--bcher-kva.de");
    assertThat(addresses.from().getPersonal()).isEqualTo("Zoé");
    assertThat(addresses.to())
        .extracting(InternetAddress::getAddress)
        .containsExactly("ada@example.com");
    assertThat(addresses.replyTo())
        .extracting(InternetAddress::getAddress)
        .containsExactly("help@xn--bcher-kva.de");
    assertThat(addresses.recipients())
        .extracting(NewRecipient::address)
        .containsExactly("ada@example.com");
  }

  @Test
  void aRequestWithoutSenderIsSentFromTheDefault() {
    WireAddresses addresses =
        WireAddresses.of(
            request("{\"to\": [\"ada@example.com\"], \"subject\": \"s\", \"text\": \"t\"}"),
            DEFAULT_FROM);

    assertThat(addresses.from().toUnicodeString()).isEqualTo("Acme <no-reply@acme.test>");
  }

  private static SendEmailRequest request(String json) {
    return JsonMapper.builder().build().readValue(json, SendEmailRequest.class);
  }
}

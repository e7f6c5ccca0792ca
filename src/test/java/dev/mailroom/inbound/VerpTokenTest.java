package dev.mailroom.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VerpTokenTest {

  private static final String DOMAIN = "bounces.acme.example";
  private static final UUID EMAIL = UUID.fromString("0b6f5a3c-6c1e-4a5e-9a57-3f8e7f0f1d2a");

  private final VerpToken tokens = new VerpToken(DOMAIN, key(1), List.of());

  @Test
  void envelopeSenderNamesTheEmailAndTheRecipientBack() {
    String sender = tokens.envelopeSender(EMAIL, 3);

    assertThat(tokens.verify(sender)).contains(new VerpToken.Recipient(EMAIL, 3));
  }

  @Test
  void envelopeSenderIsAVersionedLowerCaseLocalPartWithinSmtpLimitsOnTheBounceDomain() {
    String sender = tokens.envelopeSender(EMAIL, 65535);

    String local = sender.substring(0, sender.indexOf('@'));
    assertThat(local).startsWith("b-1").matches("[a-z0-9-]+").hasSizeLessThanOrEqualTo(64);
    assertThat(sender).endsWith("@" + DOMAIN);
    assertThat(tokens.verify(sender)).contains(new VerpToken.Recipient(EMAIL, 65535));
  }

  @Test
  void tokensDifferPerRecipientAndPerEmail() {
    assertThat(tokens.envelopeSender(EMAIL, 0))
        .isNotEqualTo(tokens.envelopeSender(EMAIL, 1))
        .isNotEqualTo(tokens.envelopeSender(UUID.randomUUID(), 0));
  }

  @Test
  void upperCaseOrMixedCaseAddressIsStillVerified() {
    String sender = tokens.envelopeSender(EMAIL, 7);

    assertThat(tokens.verify(sender.toUpperCase(Locale.ROOT)))
        .contains(new VerpToken.Recipient(EMAIL, 7));
    assertThat(tokens.verify(sender.replace("@" + DOMAIN, "@Bounces.ACME.example")))
        .contains(new VerpToken.Recipient(EMAIL, 7));
  }

  @Test
  void tamperedEmailIdIsRefused() {
    byte[] token = decode(tokens.envelopeSender(EMAIL, 2));
    token[5] ^= 0x01;

    assertThat(tokens.verify(encode(token))).isEmpty();
  }

  @Test
  void tamperedPositionIsRefused() {
    byte[] token = decode(tokens.envelopeSender(EMAIL, 2));
    token[17] = 3;

    assertThat(tokens.verify(encode(token))).isEmpty();
  }

  @Test
  void tamperedMacIsRefused() {
    byte[] token = decode(tokens.envelopeSender(EMAIL, 2));
    token[token.length - 1] ^= (byte) 0x80;

    assertThat(tokens.verify(encode(token))).isEmpty();
  }

  @Test
  void tokenFromAnotherKeyIsRefused() {
    VerpToken other = new VerpToken(DOMAIN, key(2), List.of());

    assertThat(tokens.verify(other.envelopeSender(EMAIL, 0))).isEmpty();
  }

  @Test
  void tokenOfAPreviousKeyStillVerifiesAfterARotation() {
    VerpToken before = new VerpToken(DOMAIN, key(1), List.of());
    VerpToken rotated = new VerpToken(DOMAIN, key(2), List.of(key(1)));

    assertThat(rotated.verify(before.envelopeSender(EMAIL, 4)))
        .contains(new VerpToken.Recipient(EMAIL, 4));
    assertThat(rotated.envelopeSender(EMAIL, 4)).isNotEqualTo(before.envelopeSender(EMAIL, 4));
  }

  @Test
  void validTokenOnAnotherDomainIsRefused() {
    String sender = tokens.envelopeSender(EMAIL, 0);

    assertThat(tokens.verify(sender.replace(DOMAIN, "evil.example"))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "@",
        "b-1@bounces.acme.example",
        "bounces@bounces.acme.example",
        "b-2aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@bounces.acme.example",
        "b-1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@bounces.acme.example",
        "b-1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1@bounces.acme.example",
        "b-1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@bounces.acme.example",
        "b-1\u00e9aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@bounces.acme.example",
        "b-1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      })
  void garbageIsRefused(String address) {
    assertThat(tokens.verify(address)).isEmpty();
  }

  @Test
  void shortKeyIsRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new VerpToken(DOMAIN, new byte[31], List.of()));
  }

  private static byte[] key(int seed) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) seed);
    return key;
  }

  private static byte[] decode(String sender) {
    String local = sender.substring(0, sender.indexOf('@'));
    return new Base32().decode(local.substring(3).toUpperCase(Locale.ROOT));
  }

  private static String encode(byte[] token) {
    return "b-1" + new Base32().encodeToString(token).toLowerCase(Locale.ROOT) + "@" + DOMAIN;
  }
}

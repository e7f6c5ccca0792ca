package dev.mailroom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.message.DkimSigner;
import dev.mailroom.message.DkimSigner.Algorithm;
import dev.mailroom.message.DkimSigner.SigningKey;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What DKIM signing adds to intake, per email of about 4 KiB: measured, not checked (run with
 * {@code -Dbenchmark.excluded=none -Dtest=DkimSigningBenchmark}).
 */
@Tag("benchmark")
class DkimSigningBenchmark {

  private static final int WARM_UP = 2_000;
  private static final int MEASURED = 5_000;

  @Test
  void signingCostPerEmail() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    SigningKey rsaKey =
        new SigningKey(
            "acme.example", "mr2026a", Algorithm.RSA_SHA256, rsa.generateKeyPair().getPrivate());
    SigningKey edKey =
        new SigningKey(
            "acme.example",
            "mr2026a-ed",
            Algorithm.ED25519_SHA256,
            KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate());
    byte[] message =
        ("From: Acme <orders@acme.example>\r\nTo: buyer@customer.example\r\nSubject: Your order\r\n"
                + "Date: Tue, 1 Dec 2026 10:00:00 +0000\r\nMessage-ID: <1@mailroom.test>\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n"
                + "Thank you for your order, it ships tomorrow.\r\n".repeat(90))
            .getBytes(StandardCharsets.ISO_8859_1);
    DkimSigner signer = new DkimSigner();
    for (List<SigningKey> keys : List.of(List.of(rsaKey), List.of(edKey), List.of(rsaKey, edKey))) {
      for (int i = 0; i < WARM_UP; i++) {
        signer.sign(message, keys, Instant.now());
      }
      long start = System.nanoTime();
      int size = 0;
      for (int i = 0; i < MEASURED; i++) {
        size += signer.sign(message, keys, Instant.now()).length;
      }
      long micros = (System.nanoTime() - start) / 1_000 / MEASURED;
      System.out.printf(
          "DKIM signing of a %d-byte message with %s: %d us per email%n",
          message.length, keys, micros);
      assertThat(size).isGreaterThan(message.length * MEASURED);
    }
  }
}

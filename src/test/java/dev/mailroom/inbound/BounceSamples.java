package dev.mailroom.inbound;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The bounces under {@code src/test/resources/bounces/}, written in the shapes the common MTAs and
 * providers send. Each returns a message whose Message-ID is {@link #EMAIL_ID}'s, and {@code
 * VERP_ADDRESS} in a sample stands for the envelope sender the original message was sent with.
 */
final class BounceSamples {

  static final UUID EMAIL_ID = UUID.fromString("5f0c7a1e-2b3d-4c5e-8f90-a1b2c3d4e5f6");
  static final String MESSAGE_ID = "<" + EMAIL_ID + "@mailroom.test>";

  private BounceSamples() {}

  static byte[] sample(String name) {
    return sample(name, "b-unknown@bounces.mailroom.test");
  }

  static byte[] sample(String name, String verpAddress) {
    try (InputStream in = BounceSamples.class.getResourceAsStream("/bounces/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("No sample " + name);
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return text.replace("VERP_ADDRESS", verpAddress)
          .replace("\r\n", "\n")
          .replace("\n", "\r\n")
          .getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

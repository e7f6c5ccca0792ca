package dev.mailroom.webhook;

import java.security.SecureRandom;
import java.util.Base64;

/** Signing secrets in the Standard Webhooks form: {@code whsec_} and base64 of 32 random bytes. */
final class WebhookSecrets {

  static final String PREFIX = "whsec_";

  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookSecrets() {}

  static String generate() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return PREFIX + Base64.getEncoder().encodeToString(key);
  }

  /** The HMAC key a secret stands for: the base64-decoded part after the prefix. */
  static byte[] key(String secret) {
    return Base64.getDecoder()
        .decode(secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret);
  }
}

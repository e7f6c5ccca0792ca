package dev.mailroom.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code webhook-signature} header of Standard Webhooks: {@code v1,} and the base64 HMAC-SHA256
 * of {@code <webhook-id>.<webhook-timestamp>.<body>}, one per secret in force, separated by spaces
 * (during a rotation both the new and the previous secret sign).
 */
final class WebhookSignature {

  private WebhookSignature() {}

  static String header(List<String> secrets, String id, long timestamp, byte[] body) {
    return secrets.stream()
        .map(secret -> "v1," + sign(secret, id, timestamp, body))
        .collect(Collectors.joining(" "));
  }

  static String sign(String secret, String id, long timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(WebhookSecrets.key(secret), "HmacSHA256"));
      mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}

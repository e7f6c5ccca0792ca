package dev.mailroom.inbound;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Pattern;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The return path of sent email.
 *
 * @param domain the bounce domain, e.g. {@code bounces.acme.example}: its MX points at the inbound
 *     listener, and each recipient is sent with the envelope sender {@code b-<token>@domain}.
 *     Unset: no VERP, envelope senders as before
 * @param secret the key that signs the tokens: base64 of at least 32 random bytes ({@code openssl
 *     rand -base64 32}); required with a domain
 * @param previousSecrets keys that still verify tokens but no longer sign them, so that a key
 *     rotation does not orphan the bounces of email sent before it (they arrive for days)
 */
@ConfigurationProperties("mailroom.bounces")
@Validated
public record BounceSettings(
    @Nullable
        @Pattern(
            regexp =
                "(?i)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?",
            message = "must be a domain name such as bounces.example.com")
        String domain,
    @Nullable String secret,
    @DefaultValue List<String> previousSecrets) {

  static final int MIN_KEY_BYTES = 32;

  public boolean enabled() {
    return domain != null;
  }

  @AssertTrue(message = "secret is required with a domain")
  public boolean isSecretSetWithDomain() {
    return domain == null || (secret != null && !secret.isBlank());
  }

  @AssertTrue(
      message = "secret and previous-secrets must each be base64 of at least 32 bytes (256 bits)")
  public boolean isEverySecretStrong() {
    return (secret == null || secret.isBlank() || strong(secret))
        && previousSecrets.stream().allMatch(BounceSettings::strong);
  }

  private static boolean strong(String secret) {
    try {
      return decode(secret).length >= MIN_KEY_BYTES;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static byte[] decode(String secret) {
    return Base64.getDecoder().decode(secret.strip());
  }
}

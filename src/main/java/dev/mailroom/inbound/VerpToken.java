package dev.mailroom.inbound;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.codec.CodecPolicy;
import org.apache.commons.codec.binary.Base32;

/**
 * The envelope sender of one recipient of one email, {@code b-<token>@<bounce domain>} (variable
 * envelope return path): a bounce mailed back to it names the email and the recipient without
 * trusting anything in the bounce's content.
 *
 * <p>The token is a version character and then, in lower-case base32 (local parts are
 * case-insensitive in practice, and some MTAs fold them), 30 bytes: the email id (16), the
 * recipient's position (2) and the first 12 bytes (96 bits) of an HMAC-SHA256 over both, so a token
 * can be neither guessed nor made for another email or recipient without the key. The local part is
 * 51 characters, within the 64 that SMTP allows.
 */
public final class VerpToken {

  /** The local part's prefix: the version of the token format follows it. */
  static final String PREFIX = "b-";

  private static final char VERSION = '1';
  private static final int MAC_BYTES = 12;
  private static final int PAYLOAD_BYTES = 16 + 2;
  private static final int TOKEN_CHARS = (PAYLOAD_BYTES + MAC_BYTES) * 8 / 5;
  private static final Pattern TOKEN =
      Pattern.compile(PREFIX + VERSION + "[a-z2-7]{" + TOKEN_CHARS + "}");

  /** Binds the MAC to this use of the key and to the format version. */
  private static final byte[] CONTEXT =
      ("mailroom-verp-" + VERSION).getBytes(StandardCharsets.UTF_8);

  private static final Base32 BASE32 = Base32.builder().setDecodingPolicy(CodecPolicy.STRICT).get();

  /** Who a verified token names. */
  public record Recipient(UUID emailId, int position) {}

  private final String domain;
  private final SecretKeySpec signingKey;
  private final List<SecretKeySpec> verifyingKeys;

  /**
   * @param domain the bounce domain
   * @param key signs new tokens and verifies them
   * @param previousKeys verify tokens only, for a key rotation
   */
  public VerpToken(String domain, byte[] key, List<byte[]> previousKeys) {
    if (key.length < BounceSettings.MIN_KEY_BYTES) {
      throw new IllegalArgumentException("A VERP key needs at least 32 bytes");
    }
    this.domain = domain.toLowerCase(Locale.ROOT);
    this.signingKey = new SecretKeySpec(key.clone(), "HmacSHA256");
    List<SecretKeySpec> keys = new ArrayList<>();
    keys.add(signingKey);
    for (byte[] previous : previousKeys) {
      keys.add(new SecretKeySpec(previous.clone(), "HmacSHA256"));
    }
    this.verifyingKeys = List.copyOf(keys);
  }

  static VerpToken of(BounceSettings settings) {
    if (settings.domain() == null || settings.secret() == null) {
      throw new IllegalStateException("mailroom.bounces.domain and secret are both needed");
    }
    return new VerpToken(
        settings.domain(),
        BounceSettings.decode(settings.secret()),
        settings.previousSecrets().stream().map(BounceSettings::decode).toList());
  }

  public String domain() {
    return domain;
  }

  /**
   * The envelope sender (MAIL FROM) for one recipient of an email.
   *
   * @param position the recipient's position in the email, as stored (0 to 65535)
   */
  public String envelopeSender(UUID emailId, int position) {
    if (position < 0 || position > 0xFFFF) {
      throw new IllegalArgumentException("Recipient position out of range: " + position);
    }
    byte[] token = new byte[PAYLOAD_BYTES + MAC_BYTES];
    ByteBuffer.wrap(token)
        .putLong(emailId.getMostSignificantBits())
        .putLong(emailId.getLeastSignificantBits())
        .putShort((short) position);
    System.arraycopy(mac(signingKey, token), 0, token, PAYLOAD_BYTES, MAC_BYTES);
    return PREFIX + VERSION + BASE32.encodeToString(token).toLowerCase(Locale.ROOT) + "@" + domain;
  }

  /**
   * Who an address names, if it is a token of ours on the bounce domain whose MAC verifies; empty
   * for anything else, never an exception. Case does not matter.
   */
  public Optional<Recipient> verify(String address) {
    int at = address.lastIndexOf('@');
    if (at < 0 || !address.substring(at + 1).equalsIgnoreCase(domain)) {
      return Optional.empty();
    }
    String local = address.substring(0, at).toLowerCase(Locale.ROOT);
    if (!TOKEN.matcher(local).matches()) {
      return Optional.empty();
    }
    byte[] token;
    try {
      token = BASE32.decode(local.substring(PREFIX.length() + 1).toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (token.length != PAYLOAD_BYTES + MAC_BYTES) {
      return Optional.empty();
    }
    byte[] presented = new byte[MAC_BYTES];
    System.arraycopy(token, PAYLOAD_BYTES, presented, 0, MAC_BYTES);
    boolean valid = false;
    for (SecretKeySpec key : verifyingKeys) {
      byte[] expected = new byte[MAC_BYTES];
      System.arraycopy(mac(key, token), 0, expected, 0, MAC_BYTES);
      // Constant time: how much of a MAC matched must not show in the time taken.
      valid |= MessageDigest.isEqual(expected, presented);
    }
    if (!valid) {
      return Optional.empty();
    }
    ByteBuffer payload = ByteBuffer.wrap(token);
    UUID emailId = new UUID(payload.getLong(), payload.getLong());
    int position = Short.toUnsignedInt(payload.getShort());
    return Optional.of(new Recipient(emailId, position));
  }

  /** Whether an address is on the bounce domain, token or not. */
  public boolean isBounceDomain(String address) {
    int at = address.lastIndexOf('@');
    return at > 0 && address.substring(at + 1).equalsIgnoreCase(domain);
  }

  /** The MAC over the payload part (the first {@code PAYLOAD_BYTES}) of {@code token}. */
  private static byte[] mac(SecretKeySpec key, byte[] token) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update(CONTEXT);
      mac.update(token, 0, PAYLOAD_BYTES);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}

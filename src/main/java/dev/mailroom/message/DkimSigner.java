package dev.mailroom.message;

import jakarta.mail.Header;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetHeaders;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.simplejavamail.utils.mail.dkim.Canonicalization;
import org.springframework.stereotype.Component;

/**
 * Adds DKIM signatures (RFC 6376) to a composed message: {@code relaxed/relaxed}, the body hash
 * over the whole body, a {@code t=} timestamp, and {@code h=} the standard header fields that are
 * present with {@code From} signed once more than it occurs, so that no second From can be added
 * without breaking the signature. Each key gives one signature over the unsigned message; an RSA
 * and an Ed25519 key together sign twice (RFC 8463 section 4).
 *
 * <p>The canonicalization, where DKIM implementations usually go wrong, is the simple-java-mail
 * DKIM module's. Its signer is not used: it signs only the fields it finds, so it cannot over-sign,
 * and its ed25519-sha256 signs the header data itself, where RFC 8463 signs its SHA-256 hash. The
 * bytes are read as ISO-8859-1 so that every byte maps to one char and back, 8-bit bodies included.
 */
@Component
public class DkimSigner {

  /** The fields to sign when present, in this order; From is signed one extra time. */
  static final List<String> SIGNED_FIELDS =
      List.of(
          "from",
          "to",
          "cc",
          "subject",
          "date",
          "message-id",
          "mime-version",
          "content-type",
          "reply-to",
          "list-unsubscribe",
          "list-unsubscribe-post",
          "in-reply-to",
          "references");

  private static final Canonicalization RELAXED = Canonicalization.RELAXED;
  private static final byte[] BLANK_LINE = {'\r', '\n', '\r', '\n'};
  private static final int LINE = 72;

  /** The signing algorithms of RFC 6376 and RFC 8463 that the service signs with. */
  public enum Algorithm {
    RSA_SHA256("rsa-sha256", "rsa"),
    ED25519_SHA256("ed25519-sha256", "ed25519");

    private final String tag;
    private final String keyType;

    Algorithm(String tag, String keyType) {
      this.tag = tag;
      this.keyType = keyType;
    }

    /** The {@code a=} tag value, also the name the API uses. */
    public String tag() {
      return tag;
    }

    /** The {@code k=} of the DNS record. */
    public String keyType() {
      return keyType;
    }

    public static Algorithm of(String tag) {
      for (Algorithm algorithm : values()) {
        if (algorithm.tag.equalsIgnoreCase(tag)) {
          return algorithm;
        }
      }
      throw new IllegalArgumentException("unknown DKIM algorithm '" + tag + "'");
    }
  }

  /** A private key ready to sign for a domain. Its text form never shows the key. */
  public record SigningKey(
      String domain, String selector, Algorithm algorithm, PrivateKey privateKey) {

    @Override
    public String toString() {
      return "SigningKey[" + selector + "._domainkey." + domain + ", " + algorithm.tag() + "]";
    }
  }

  /** The message with one DKIM-Signature field per key in front, or unchanged without keys. */
  public byte[] sign(byte[] message, List<SigningKey> keys, Instant now) {
    if (keys.isEmpty()) {
      return message;
    }
    int bodyStart = bodyStart(message);
    List<Header> fields = fields(message, bodyStart);
    String bodyHash = bodyHash(message, bodyStart);
    List<String> signatures = new ArrayList<>(keys.size());
    for (SigningKey key : keys) {
      signatures.add(signature(key, fields, bodyHash, now));
    }
    StringBuilder head = new StringBuilder();
    signatures.forEach(s -> head.append(s).append("\r\n"));
    byte[] prefix = head.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] signed = new byte[prefix.length + message.length];
    System.arraycopy(prefix, 0, signed, 0, prefix.length);
    System.arraycopy(message, 0, signed, prefix.length, message.length);
    return signed;
  }

  /** One DKIM-Signature field, without its line end. */
  private static String signature(
      SigningKey key, List<Header> fields, String bodyHash, Instant now) {
    List<String> names = new ArrayList<>();
    StringBuilder signedData = new StringBuilder();
    for (String name : SIGNED_FIELDS) {
      List<Header> instances = instances(fields, name);
      // RFC 6376 5.4.2: several instances are signed from the last one up.
      Collections.reverse(instances);
      for (Header field : instances) {
        names.add(name);
        signedData.append(RELAXED.canonicalizeHeader(name, field.getValue())).append("\r\n");
      }
      if (name.equals("from")) {
        // One more than there are: a From added in transit would be this one, and break it.
        names.add(name);
      }
    }
    String value =
        "v=1; a="
            + key.algorithm().tag()
            + "; c=relaxed/relaxed; d="
            + key.domain()
            + "; s="
            + key.selector()
            + ";\r\n\tt="
            + now.getEpochSecond()
            + "; h="
            + foldList(names)
            + ";\r\n\tbh="
            + bodyHash
            + ";\r\n\tb=";
    signedData.append(RELAXED.canonicalizeHeader("dkim-signature", value));
    byte[] signature = sign(key, signedData.toString().getBytes(StandardCharsets.ISO_8859_1));
    return "DKIM-Signature: " + value + fold(Base64.getEncoder().encodeToString(signature));
  }

  private static byte[] sign(SigningKey key, byte[] data) {
    try {
      Signature signer;
      byte[] input = data;
      if (key.algorithm() == Algorithm.RSA_SHA256) {
        signer = Signature.getInstance("SHA256withRSA");
      } else {
        // RFC 8463 section 3: PureEdDSA over the SHA-256 hash of the data, not the data itself.
        signer = Signature.getInstance("Ed25519");
        input = MessageDigest.getInstance("SHA-256").digest(data);
      }
      signer.initSign(key.privateKey());
      signer.update(input);
      return signer.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Could not sign with " + key, e);
    }
  }

  private static String bodyHash(byte[] message, int bodyStart) {
    String body =
        new String(message, bodyStart, message.length - bodyStart, StandardCharsets.ISO_8859_1);
    String canonical = RELAXED.canonicalizeBody(body);
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest(canonical.getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(hash);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Where the body begins: after the first empty line, or at the end if there is none. */
  private static int bodyStart(byte[] message) {
    outer:
    for (int i = 0; i <= message.length - BLANK_LINE.length; i++) {
      for (int j = 0; j < BLANK_LINE.length; j++) {
        if (message[i + j] != BLANK_LINE[j]) {
          continue outer;
        }
      }
      return i + BLANK_LINE.length;
    }
    return message.length;
  }

  private static List<Header> fields(byte[] message, int bodyStart) {
    try {
      InternetHeaders headers =
          new InternetHeaders(new ByteArrayInputStream(message, 0, bodyStart));
      return Collections.list(headers.getAllHeaders());
    } catch (MessagingException e) {
      throw new IllegalStateException("The composed message has unreadable header fields", e);
    }
  }

  private static List<Header> instances(List<Header> fields, String name) {
    List<Header> found = new ArrayList<>();
    for (Header field : fields) {
      if (field.getName().strip().toLowerCase(Locale.ROOT).equals(name)) {
        found.add(field);
      }
    }
    return found;
  }

  /** The h= names joined by ':', folded before a name that would pass the line length. */
  private static String foldList(List<String> names) {
    StringBuilder out = new StringBuilder();
    int column = 20;
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (i > 0) {
        out.append(':');
        column++;
        if (column + name.length() > LINE) {
          out.append("\r\n\t");
          column = 1;
        }
      }
      out.append(name);
      column += name.length();
    }
    return out.toString();
  }

  /** A base64 value on continuation lines; white space inside b= is ignored by verifiers. */
  private static String fold(String base64) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < base64.length(); i += LINE) {
      if (i > 0) {
        out.append("\r\n\t");
      }
      out.append(base64, i, Math.min(base64.length(), i + LINE));
    }
    return out.toString();
  }
}

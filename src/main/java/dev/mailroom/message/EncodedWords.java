package dev.mailroom.message;

import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeUtility;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Header text exactly as the caller wrote it. Jakarta Mail writes ASCII text unencoded, so text
 * that itself looks like an RFC 2047 encoded word ({@code =?utf-8?B?QWRtaW4=?=}) would reach the
 * wire as it is, and a mail reader would decode it into something else ({@code Admin}): a subject
 * or a display name of the caller's choosing that no check ever saw. Text holding {@code =?} is
 * therefore encoded whole, ASCII included, so that decoding gives back the literal text. Any other
 * text is left to Jakarta Mail, which encodes it only when it is not ASCII.
 *
 * <p>Jakarta Mail cannot be asked to encode ASCII text, hence the few lines of B encoding here. B
 * rather than Q: every character is encoded anyway, and B is the shorter of the two for that.
 */
final class EncodedWords {

  /** RFC 2047 §2: an encoded word is at most 75 characters; a line holding one at most 76. */
  private static final int MAX_WORD = 75;

  private static final int MAX_LINE = 76;
  private static final String PREFIX = "=?UTF-8?B?";
  private static final String SUFFIX = "?=";

  /** The longest UTF-8 sequence of one code point, so any word holds at least one. */
  private static final int MIN_BYTES = 4;

  private EncodedWords() {}

  /**
   * An unstructured header value (Subject, a custom field), encoded and folded to follow {@code
   * name + ": "}.
   */
  static String unstructured(String name, String value) {
    int used = name.length() + 2;
    String encoded;
    if (mayDecode(value)) {
      encoded = String.join(" ", encode(value, used));
    } else {
      try {
        encoded = MimeUtility.encodeText(value, StandardCharsets.UTF_8.name(), null);
      } catch (UnsupportedEncodingException e) {
        throw new IllegalStateException(e);
      }
    }
    return MimeUtility.fold(used, encoded);
  }

  /**
   * The address with its display name encoded whole when a reader could take part of it for an
   * encoded word; otherwise the address itself, which Jakarta Mail quotes or encodes as needed.
   */
  static InternetAddress literalName(InternetAddress address) {
    String name = address.getPersonal();
    if (name == null || !mayDecode(name)) {
      return address;
    }
    // Jakarta Mail folds each address at the white space between the words.
    return new EncodedNameAddress(address.getAddress(), name, String.join(" ", encode(name, 0)));
  }

  /**
   * Whether some part of the text could be decoded as an encoded word: every one starts with {@code
   * =?}, and readers differ in how strictly they look for the rest.
   */
  static boolean mayDecode(String text) {
    return text.contains("=?");
  }

  /**
   * B-encoded words in UTF-8, each at most 75 characters and holding whole characters (RFC 2047 §5:
   * a character must not be split between words); the first fits after {@code used} characters on a
   * 76-character line when there is room for it.
   */
  static List<String> encode(String text, int used) {
    List<String> words = new ArrayList<>();
    int limit = bytesFor(Math.min(MAX_WORD, MAX_LINE - used));
    if (limit < MIN_BYTES) {
      limit = bytesFor(MAX_WORD);
    }
    StringBuilder chunk = new StringBuilder();
    int chunkBytes = 0;
    for (int i = 0; i < text.length(); ) {
      int codePoint = text.codePointAt(i);
      int size = utf8Length(codePoint);
      if (chunkBytes + size > limit && chunkBytes > 0) {
        words.add(word(chunk));
        chunk.setLength(0);
        chunkBytes = 0;
        limit = bytesFor(MAX_WORD);
      }
      chunk.appendCodePoint(codePoint);
      chunkBytes += size;
      i += Character.charCount(codePoint);
    }
    if (chunkBytes > 0 || words.isEmpty()) {
      words.add(word(chunk));
    }
    return words;
  }

  /** The most bytes whose base64 fits, with prefix and suffix, in this many characters. */
  private static int bytesFor(int characters) {
    return Math.max(0, (characters - PREFIX.length() - SUFFIX.length()) / 4 * 3);
  }

  private static String word(CharSequence chunk) {
    byte[] bytes = chunk.toString().getBytes(StandardCharsets.UTF_8);
    return PREFIX + Base64.getEncoder().encodeToString(bytes) + SUFFIX;
  }

  private static int utf8Length(int codePoint) {
    if (codePoint < 0x80) {
      return 1;
    }
    if (codePoint < 0x800) {
      return 2;
    }
    return codePoint < 0x10000 ? 3 : 4;
  }

  /**
   * An address whose display name is written as the given encoded words. Jakarta Mail keeps the
   * encoded form of a name in a protected field and writes it unquoted, which is what it needs: the
   * words hold no character that would need quoting.
   */
  private static final class EncodedNameAddress extends InternetAddress {
    private static final long serialVersionUID = 1L;

    EncodedNameAddress(String address, String name, String encodedName) {
      this.address = address;
      this.personal = name;
      this.encodedPersonal = encodedName;
    }
  }
}

package dev.mailroom.message;

import jakarta.mail.internet.HeaderTokenizer;
import jakarta.mail.internet.MimeUtility;
import java.nio.charset.StandardCharsets;

/**
 * Writes a file name as a MIME header parameter ({@code filename} of Content-Disposition, {@code
 * name} of Content-Type). A short ASCII name is a plain, quoted if need be, value; any other is RFC
 * 2231 encoded in UTF-8 and, when long, split into numbered continuations. Jakarta Mail would
 * encode in the platform's default charset and never split an encoded value, so a 255-character
 * name in a non-Latin script would become a header line longer than the 998 characters SMTP allows.
 */
final class FileNameParameter {

  /** Characters of an encoded value per line, so that a folded line stays under 78. */
  private static final int SEGMENT = 50;

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private FileNameParameter() {}

  /** The parameter with its leading {@code ;} and folding, ready to append to a header value. */
  static String format(String parameter, String fileName) {
    if (isAscii(fileName) && fileName.length() <= SEGMENT) {
      return ";\r\n\t" + parameter + "=" + MimeUtility.quote(fileName, HeaderTokenizer.MIME);
    }
    String encoded = percentEncode(fileName);
    if (encoded.length() <= SEGMENT) {
      return ";\r\n\t" + parameter + "*=UTF-8''" + encoded;
    }
    StringBuilder out = new StringBuilder();
    int start = 0;
    for (int n = 0; start < encoded.length(); n++) {
      int end = Math.min(start + SEGMENT, encoded.length());
      // Never split a %XX triplet between two segments.
      if (end < encoded.length() && encoded.charAt(end - 1) == '%') {
        end -= 1;
      } else if (end < encoded.length() && encoded.charAt(end - 2) == '%') {
        end -= 2;
      }
      out.append(";\r\n\t").append(parameter).append('*').append(n).append("*=");
      if (n == 0) {
        out.append("UTF-8''");
      }
      out.append(encoded, start, end);
      start = end;
    }
    return out.toString();
  }

  private static boolean isAscii(String value) {
    return value.chars().allMatch(c -> c >= 0x20 && c < 0x7F);
  }

  /** RFC 2231 section 7: attribute-char stays, every other UTF-8 byte becomes %XX. */
  private static String percentEncode(String value) {
    StringBuilder out = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xFF;
      if (isAttributeChar(c)) {
        out.append((char) c);
      } else {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0x0F]);
      }
    }
    return out.toString();
  }

  private static boolean isAttributeChar(int c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || "!#$&+-.^_`|~".indexOf(c) >= 0;
  }
}

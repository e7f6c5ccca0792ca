package dev.mailroom.email;

import dev.mailroom.message.MimeComposer.AttachedFile;
import dev.mailroom.system.FieldProblem;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Checks the attachments of a request and decodes them for the message. The decoded bytes are never
 * kept on their own: they go into the MIME message and live only there.
 */
final class Attachments {

  static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";
  static final int MAX_FILENAME = 255;
  static final int MAX_CONTENT_TYPE = 255;

  private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}\\u2028\\u2029\\u0085]");
  private static final Pattern PRINTABLE_ASCII = Pattern.compile("[\\x20-\\x7E]+");

  /**
   * What a Content-ID may hold: the characters of an RFC 5322 dot-atom and '@', less those that
   * mean something in a URL ('%', '/', '?', '#'), so that {@code cid:<contentId>} needs no escaping
   * in the HTML.
   */
  private static final Pattern CONTENT_ID = Pattern.compile("[A-Za-z0-9!$&'*+=^_`{|}~.@-]{1,255}");

  private Attachments() {}

  static void check(
      @Nullable List<@Nullable Attachment> attachments,
      boolean hasHtml,
      EmailSettings settings,
      List<FieldProblem> problems) {
    if (attachments == null) {
      return;
    }
    if (attachments.size() > settings.maxAttachments()) {
      problems.add(
          FieldProblem.at(
              "/attachments",
              "at most "
                  + settings.maxAttachments()
                  + " attachments are allowed; got "
                  + attachments.size()));
    }
    long total = 0;
    Map<String, Integer> contentIds = new HashMap<>();
    for (int i = 0; i < attachments.size(); i++) {
      String pointer = "/attachments/" + i;
      Attachment attachment = attachments.get(i);
      if (attachment == null) {
        problems.add(FieldProblem.at(pointer, "must be an attachment, not null"));
        continue;
      }
      checkFilename(pointer + "/filename", attachment.filename(), problems);
      checkContentType(pointer + "/contentType", attachment.contentType(), problems);
      total += checkContent(pointer + "/content", attachment.content(), problems);
      checkContentId(i, attachment.contentId(), hasHtml, contentIds, problems);
    }
    long limit = settings.maxAttachmentSize().toBytes();
    if (total > limit) {
      problems.add(
          FieldProblem.at(
              "/attachments",
              "attachments add up to "
                  + total
                  + " bytes (decoded); at most "
                  + limit
                  + " are allowed"));
    }
  }

  /** The attachments ready for the message; only for a request that passed {@link #check}. */
  static List<AttachedFile> decode(@Nullable List<@Nullable Attachment> attachments) {
    if (attachments == null) {
      return List.of();
    }
    List<AttachedFile> files = new ArrayList<>(attachments.size());
    for (Attachment attachment : attachments) {
      if (attachment == null || attachment.filename() == null || attachment.content() == null) {
        throw new IllegalStateException("attachments were not checked");
      }
      String type = attachment.contentType();
      files.add(
          new AttachedFile(
              attachment.filename(),
              type == null || type.isBlank() ? DEFAULT_CONTENT_TYPE : type,
              Base64.getDecoder().decode(attachment.content()),
              attachment.contentId()));
    }
    return files;
  }

  private static void checkFilename(
      String pointer, @Nullable String filename, List<FieldProblem> problems) {
    if (filename == null || filename.isBlank()) {
      problems.add(FieldProblem.at(pointer, "is required"));
    } else if (CONTROL.matcher(filename).find()) {
      problems.add(
          FieldProblem.at(pointer, "must not contain control characters (CR, LF, tab, ...)"));
    } else if (filename.indexOf('/') >= 0 || filename.indexOf('\\') >= 0) {
      problems.add(FieldProblem.at(pointer, "must be a file name without a path ('/' or '\\')"));
    } else if (filename.equals(".") || filename.equals("..")) {
      problems.add(FieldProblem.at(pointer, "must be a file name, not '" + filename + "'"));
    } else if (filename.length() > MAX_FILENAME) {
      problems.add(FieldProblem.at(pointer, "must be at most " + MAX_FILENAME + " characters"));
    }
  }

  private static void checkContentType(
      String pointer, @Nullable String contentType, List<FieldProblem> problems) {
    if (contentType == null || contentType.isBlank()) {
      return;
    }
    if (!PRINTABLE_ASCII.matcher(contentType).matches()) {
      problems.add(
          FieldProblem.at(
              pointer, "must be printable ASCII without control characters (CR, LF, ...)"));
      return;
    }
    if (contentType.length() > MAX_CONTENT_TYPE) {
      problems.add(FieldProblem.at(pointer, "must be at most " + MAX_CONTENT_TYPE + " characters"));
      return;
    }
    ContentType parsed;
    try {
      parsed = new ContentType(contentType);
    } catch (ParseException e) {
      problems.add(
          FieldProblem.at(
              pointer,
              "'"
                  + contentType
                  + "' is not a media type (expected type/subtype such as application/pdf)"));
      return;
    }
    if (parsed.match("multipart/*") || parsed.match("message/*")) {
      problems.add(
          FieldProblem.at(
              pointer,
              "multipart/* and message/* cannot be sent as base64 attachments;"
                  + " use application/octet-stream"));
    }
  }

  /** Returns the decoded size of valid content, 0 otherwise. */
  private static long checkContent(
      String pointer, @Nullable String content, List<FieldProblem> problems) {
    if (content == null || content.isEmpty()) {
      problems.add(FieldProblem.at(pointer, "is required (the file's bytes in base64)"));
      return 0;
    }
    long size = decodedSize(content);
    if (size < 0) {
      problems.add(
          FieldProblem.at(
              pointer,
              "is not valid base64 (RFC 4648 standard alphabet with '=' padding,"
                  + " no line breaks or spaces)"));
      return 0;
    }
    return size;
  }

  private static void checkContentId(
      int index,
      @Nullable String contentId,
      boolean hasHtml,
      Map<String, Integer> seen,
      List<FieldProblem> problems) {
    if (contentId == null) {
      return;
    }
    String pointer = "/attachments/" + index + "/contentId";
    if (!CONTENT_ID.matcher(contentId).matches()) {
      problems.add(
          FieldProblem.at(
              pointer,
              "must be 1-255 characters of A-Z, a-z, 0-9 and !$&'*+=^_`{|}~.@-"
                  + " (no spaces, '<' or '>'; it is referenced as cid:"
                  + "<contentId> in the HTML)"));
      return;
    }
    if (!hasHtml) {
      problems.add(
          FieldProblem.at(
              pointer, "an inline attachment needs an html body that refers to it as cid:"));
    }
    Integer first = seen.putIfAbsent(contentId, index);
    if (first != null) {
      problems.add(
          FieldProblem.at(
              pointer, "is already the contentId of /attachments/" + first + "; each must differ"));
    }
  }

  /**
   * The decoded length of strict base64 (RFC 4648 section 4: standard alphabet, padded to a
   * multiple of four, pad bits zero, nothing else), or -1 when the text is not that. Measured
   * without decoding, so that checking a large request allocates nothing.
   */
  static long decodedSize(String base64) {
    int length = base64.length();
    if (length % 4 != 0) {
      return -1;
    }
    int padding = 0;
    if (length > 0 && base64.charAt(length - 1) == '=') {
      padding = base64.charAt(length - 2) == '=' ? 2 : 1;
    }
    for (int i = 0; i < length - padding; i++) {
      if (sextet(base64.charAt(i)) < 0) {
        return -1;
      }
    }
    // The bits after the last whole byte must be zero, or two texts would decode alike.
    if (padding == 1 && (sextet(base64.charAt(length - 2)) & 0x03) != 0) {
      return -1;
    }
    if (padding == 2 && (sextet(base64.charAt(length - 3)) & 0x0F) != 0) {
      return -1;
    }
    return (long) length / 4 * 3 - padding;
  }

  private static int sextet(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    if (c == '+') {
      return 62;
    }
    if (c == '/') {
      return 63;
    }
    return -1;
  }
}

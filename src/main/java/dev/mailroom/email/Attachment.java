package dev.mailroom.email;

import org.jspecify.annotations.Nullable;

/**
 * A file sent with an email, as given in {@code attachments} of {@code POST /emails}.
 *
 * @param filename the name the recipient sees; required
 * @param contentType a media type such as {@code application/pdf}; {@code application/octet-stream}
 *     when absent
 * @param content the file's bytes in standard, padded base64 (RFC 4648 section 4)
 * @param contentId when given, the part is inline and the HTML refers to it as {@code
 *     cid:<contentId>}
 */
public record Attachment(
    @Nullable String filename,
    @Nullable String contentType,
    @Nullable String content,
    @Nullable String contentId) {}

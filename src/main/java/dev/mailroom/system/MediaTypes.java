package dev.mailroom.system;

import org.jspecify.annotations.Nullable;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

/** Media types as requests declare them. */
public final class MediaTypes {

  private MediaTypes() {}

  /** The media type a header gives, or null when it gives none or one that does not parse. */
  public static @Nullable MediaType parse(@Nullable String value) {
    if (value == null) {
      return null;
    }
    try {
      return MediaType.parseMediaType(value);
    } catch (InvalidMediaTypeException e) {
      return null;
    }
  }
}

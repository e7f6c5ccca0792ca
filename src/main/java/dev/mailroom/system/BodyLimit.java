package dev.mailroom.system;

import org.jspecify.annotations.Nullable;
import org.springframework.util.unit.DataSize;

/**
 * The largest request body accepted, for every request or for one path. A feature declares the
 * limits of its routes as beans; {@link RequestSizeLimit} enforces them without knowing the routes.
 * Exactly one limit is for every request; a path's limit applies to exactly that path.
 *
 * @param path a request path without the context path, such as {@code /emails/batch}; null for the
 *     limit of every other request
 */
public record BodyLimit(@Nullable String path, long bytes) {

  public static BodyLimit everyRequest(DataSize size) {
    return new BodyLimit(null, size.toBytes());
  }

  public static BodyLimit forPath(String path, DataSize size) {
    return new BodyLimit(path, size.toBytes());
  }
}

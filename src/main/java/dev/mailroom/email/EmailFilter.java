package dev.mailroom.email;

import dev.mailroom.apikey.ApiKey;
import dev.mailroom.system.FieldProblem;
import dev.mailroom.system.InvalidRequestException;
import java.net.IDN;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.util.MultiValueMap;

/**
 * The query of {@code GET /emails}: what to match, where the page starts and how long it is. Every
 * parameter is checked, and an unknown one is refused rather than ignored, so a typo does not
 * silently widen a search.
 *
 * @param project only this project's emails; null for every project, which only an admin key may
 *     search (see {@link #within})
 * @param recipient an address as stored: lower case, its domain in ASCII form
 * @param createdAfter inclusive
 * @param createdBefore exclusive
 */
record EmailFilter(
    @Nullable String project,
    @Nullable EmailStatus status,
    @Nullable String recipient,
    @Nullable String tag,
    @Nullable String template,
    @Nullable Instant createdAfter,
    @Nullable Instant createdBefore,
    @Nullable Cursor cursor,
    int limit) {

  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;

  private static final Set<String> PARAMETERS =
      Set.of(
          "project",
          "status",
          "recipient",
          "tag",
          "template",
          "createdAfter",
          "createdBefore",
          "limit",
          "cursor");

  private static final Pattern PROJECT = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  /** Instants PostgreSQL and the driver both handle; anything else is a mistake or a probe. */
  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

  private static boolean inRange(Instant instant) {
    return !instant.isBefore(EARLIEST) && !instant.isAfter(LATEST);
  }

  /** The position after the last email of a page: newest first, so everything older. */
  record Cursor(Instant createdAt, UUID id) {

    private static final int BYTES = Long.BYTES * 3;

    /** Base64url of the creation time in microseconds (PostgreSQL's precision) and the id. */
    String encode() {
      long micros =
          Math.addExact(
              Math.multiplyExact(createdAt.getEpochSecond(), 1_000_000L),
              createdAt.getNano() / 1000);
      ByteBuffer bytes = ByteBuffer.allocate(BYTES);
      bytes
          .putLong(micros)
          .putLong(id.getMostSignificantBits())
          .putLong(id.getLeastSignificantBits());
      return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    static @Nullable Cursor decode(String value) {
      byte[] raw;
      try {
        raw = Base64.getUrlDecoder().decode(value);
      } catch (IllegalArgumentException e) {
        return null;
      }
      if (raw.length != BYTES) {
        return null;
      }
      ByteBuffer bytes = ByteBuffer.wrap(raw);
      long micros = bytes.getLong();
      UUID id = new UUID(bytes.getLong(), bytes.getLong());
      Instant createdAt =
          Instant.ofEpochSecond(
              Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
      return inRange(createdAt) ? new Cursor(createdAt, id) : null;
    }
  }

  /**
   * @throws InvalidRequestException a 400 naming each bad parameter
   */
  static EmailFilter parse(MultiValueMap<String, String> parameters) {
    List<FieldProblem> problems = new ArrayList<>();
    parameters.forEach(
        (name, values) -> {
          if (!PARAMETERS.contains(name)) {
            problems.add(
                FieldProblem.parameter(
                    name, "is not a known parameter; use one of " + String.join(", ", sorted())));
          } else if (values.size() > 1) {
            problems.add(FieldProblem.parameter(name, "must be given at most once"));
          }
        });
    Parser p = new Parser(parameters, problems);
    EmailFilter filter =
        new EmailFilter(
            p.project(),
            p.status(),
            p.recipient(),
            p.tag(),
            p.template(),
            p.instant("createdAfter"),
            p.instant("createdBefore"),
            p.cursor(),
            p.limit());
    if (filter.createdAfter() != null
        && filter.createdBefore() != null
        && !filter.createdAfter().isBefore(filter.createdBefore())) {
      problems.add(FieldProblem.parameter("createdBefore", "must be later than createdAfter"));
    }
    if (!problems.isEmpty()) {
      throw new InvalidRequestException(
          HttpStatus.BAD_REQUEST, "Invalid query parameters", problems);
    }
    return filter;
  }

  /**
   * This search as the key may make it: within the key's project, or for an admin key within the
   * project it asked for, if any.
   *
   * @throws InvalidRequestException a 403 naming {@code project} when a key that is not admin asks
   *     for another project than its own
   */
  EmailFilter within(ApiKey key) {
    if (key.admin()) {
      return this;
    }
    if (project != null && !project.equals(key.project())) {
      throw new InvalidRequestException(
          HttpStatus.FORBIDDEN,
          "Another project's emails",
          List.of(
              FieldProblem.parameter(
                  "project",
                  "API key '"
                      + key.name()
                      + "' searches its own project '"
                      + key.project()
                      + "' only; other projects need the 'admin' scope")));
    }
    return new EmailFilter(
        key.project(),
        status,
        recipient,
        tag,
        template,
        createdAfter,
        createdBefore,
        cursor,
        limit);
  }

  private static List<String> sorted() {
    return PARAMETERS.stream().sorted().toList();
  }

  /** Reads one parameter at a time; a bad value adds a problem and reads as absent. */
  private record Parser(MultiValueMap<String, String> parameters, List<FieldProblem> problems) {

    @Nullable String value(String name) {
      String value = parameters.getFirst(name);
      if (value == null) {
        return null;
      }
      if (value.isEmpty()) {
        problems.add(FieldProblem.parameter(name, "must not be empty"));
        return null;
      }
      return value;
    }

    @Nullable String project() {
      String value = value("project");
      if (value != null && !PROJECT.matcher(value).matches()) {
        problems.add(
            FieldProblem.parameter(
                "project", "must be 1-64 characters of A-Z, a-z, 0-9, '_', '.' or '-'"));
        return null;
      }
      return value;
    }

    @Nullable EmailStatus status() {
      String value = value("status");
      if (value == null) {
        return null;
      }
      try {
        return EmailStatus.valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        problems.add(
            FieldProblem.parameter(
                "status", "must be one of " + java.util.Arrays.toString(EmailStatus.values())));
        return null;
      }
    }

    @Nullable String recipient() {
      String value = value("recipient");
      if (value == null) {
        return null;
      }
      String problem = EmailRequestValidator.addressProblem(value);
      if (problem != null) {
        problems.add(FieldProblem.parameter("recipient", problem));
        return null;
      }
      int at = value.lastIndexOf('@');
      return (value.substring(0, at + 1) + IDN.toASCII(value.substring(at + 1)))
          .toLowerCase(Locale.ROOT);
    }

    @Nullable String tag() {
      String value = value("tag");
      if (value != null && !EmailRequestValidator.TAG.matcher(value).matches()) {
        problems.add(
            FieldProblem.parameter(
                "tag", "must be 1-64 characters of A-Z, a-z, 0-9, '_', '.', ':' or '-'"));
        return null;
      }
      return value;
    }

    @Nullable String template() {
      String value = value("template");
      if (value != null && !EmailRequestValidator.TEMPLATE_NAME.matcher(value).matches()) {
        problems.add(
            FieldProblem.parameter(
                "template", "must be 1-64 characters of a-z, 0-9, '.', '_' or '-'"));
        return null;
      }
      return value;
    }

    @Nullable Instant instant(String name) {
      String value = value(name);
      if (value == null) {
        return null;
      }
      try {
        Instant instant = Instant.parse(value);
        if (inRange(instant)) {
          return instant;
        }
      } catch (DateTimeParseException e) {
        // reported below
      }
      problems.add(
          FieldProblem.parameter(
              name, "must be an ISO-8601 instant such as 2026-01-31T23:59:59Z, in years 1-9999"));
      return null;
    }

    @Nullable Cursor cursor() {
      String value = value("cursor");
      if (value == null) {
        return null;
      }
      Cursor cursor = Cursor.decode(value);
      if (cursor == null) {
        problems.add(
            FieldProblem.parameter(
                "cursor", "is not a cursor from this API; pass the 'next' of the previous page"));
      }
      return cursor;
    }

    int limit() {
      String value = value("limit");
      if (value == null) {
        return DEFAULT_LIMIT;
      }
      try {
        int limit = Integer.parseInt(value);
        if (limit >= 1 && limit <= MAX_LIMIT) {
          return limit;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      problems.add(
          FieldProblem.parameter("limit", "must be a whole number from 1 to " + MAX_LIMIT));
      return DEFAULT_LIMIT;
    }
  }
}

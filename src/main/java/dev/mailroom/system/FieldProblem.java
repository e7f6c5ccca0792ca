package dev.mailroom.system;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * One thing wrong with a request: located by a JSON pointer (RFC 6901) into the body, such as
 * {@code /to/0/email}, or by the name of a header.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FieldProblem(@Nullable String pointer, @Nullable String header, String detail) {

  public static FieldProblem at(String pointer, String detail) {
    return new FieldProblem(pointer, null, detail);
  }

  public static FieldProblem header(String name, String detail) {
    return new FieldProblem(null, name, detail);
  }

  /** Escapes a map key or property name for use as one JSON pointer segment. */
  public static String segment(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }
}

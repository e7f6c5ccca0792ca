package dev.mailroom.system;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * One thing wrong with a request: located by a JSON pointer (RFC 6901) into the body, such as
 * {@code /to/0/email}, by the name of a header, or by the name of a query parameter.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FieldProblem(
    @Nullable String pointer, @Nullable String header, @Nullable String parameter, String detail) {

  public static FieldProblem at(String pointer, String detail) {
    return new FieldProblem(pointer, null, null, detail);
  }

  public static FieldProblem header(String name, String detail) {
    return new FieldProblem(null, name, null, detail);
  }

  public static FieldProblem parameter(String name, String detail) {
    return new FieldProblem(null, null, name, detail);
  }

  /** The same problem, located inside the element at {@code prefix} (a JSON pointer). */
  public FieldProblem under(String prefix) {
    return pointer == null ? this : new FieldProblem(prefix + pointer, header, parameter, detail);
  }

  /** Where the problem is: its pointer, header or parameter name. */
  public @Nullable String location() {
    return pointer != null ? pointer : header != null ? header : parameter;
  }

  /** Escapes a map key or property name for use as one JSON pointer segment. */
  public static String segment(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }
}

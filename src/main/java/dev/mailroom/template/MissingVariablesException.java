package dev.mailroom.template;

import dev.mailroom.system.FieldProblem;
import java.util.Collection;
import java.util.List;

/** The template refers to variables the caller did not provide; lists every one of them. */
public class MissingVariablesException extends RuntimeException {

  private final String template;
  private final List<String> names;

  public MissingVariablesException(String template, Collection<String> names) {
    this(template, names.stream().distinct().sorted().toList());
  }

  private MissingVariablesException(String template, List<String> sortedNames) {
    super("Template '" + template + "' needs variables that were not provided: " + sortedNames);
    this.template = template;
    this.names = sortedNames;
  }

  public String template() {
    return template;
  }

  /** The missing variable names, sorted and distinct. */
  public List<String> names() {
    return names;
  }

  /** One problem per missing variable, pointing into the request's {@code variables}. */
  public List<FieldProblem> problems() {
    return names.stream()
        .map(
            v ->
                FieldProblem.at(
                    "/variables/" + FieldProblem.segment(v),
                    "is required by template '" + template + "'"))
        .toList();
  }
}

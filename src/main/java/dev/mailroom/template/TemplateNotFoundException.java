package dev.mailroom.template;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * No template has the requested name (names that could never be valid included), or it has no such
 * version. A 404 where the template is the resource; a send, which names its template in the body,
 * answers a 422 instead ({@link RenderProblems}).
 */
public class TemplateNotFoundException extends ErrorResponseException {

  private static final int MAX_NAME_IN_MESSAGE = 80;

  private final String name;
  private final String message;

  public TemplateNotFoundException(String name) {
    this(name, "Unknown template '" + abbreviate(name) + "'");
  }

  /** The template exists, but not this version of it. */
  public TemplateNotFoundException(String name, int version) {
    this(name, "Template '" + abbreviate(name) + "' has no version " + version);
  }

  private TemplateNotFoundException(String name, String message) {
    super(HttpStatus.NOT_FOUND, problem(message), null);
    this.name = name;
    this.message = message;
  }

  public String name() {
    return name;
  }

  @Override
  public String getMessage() {
    return message;
  }

  private static ProblemDetail problem(String message) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, message);
    problem.setTitle("Template not found");
    return problem;
  }

  // The name comes from the caller; keep the message short whatever they sent.
  private static String abbreviate(String name) {
    return name.length() <= MAX_NAME_IN_MESSAGE
        ? name
        : name.substring(0, MAX_NAME_IN_MESSAGE) + "…";
  }
}

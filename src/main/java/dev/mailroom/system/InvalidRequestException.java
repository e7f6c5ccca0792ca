package dev.mailroom.system;

import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

/**
 * A request that was understood but cannot be accepted, with every field that is wrong; answered as
 * problem details with an {@code errors} list.
 */
public class InvalidRequestException extends ErrorResponseException {

  private final HttpStatus status;
  private final String title;
  private final List<FieldProblem> errors;

  public InvalidRequestException(HttpStatus status, String title, List<FieldProblem> errors) {
    super(status, Problems.of(status, title, List.copyOf(errors)), null);
    this.status = status;
    this.title = title;
    this.errors = List.copyOf(errors);
  }

  public static InvalidRequestException invalid(List<FieldProblem> errors) {
    return new InvalidRequestException(
        HttpStatus.UNPROCESSABLE_CONTENT, "The request has invalid fields", errors);
  }

  public HttpStatus status() {
    return status;
  }

  public String title() {
    return title;
  }

  public List<FieldProblem> errors() {
    return errors;
  }

  /** What went wrong, for logs; the caller gets {@link #getBody()}. */
  @Override
  public String getMessage() {
    return title + ": " + errors;
  }
}

package dev.mailroom.system;

import java.util.List;
import org.springframework.http.HttpStatus;

/** A request that was understood but cannot be accepted; answered as problem details. */
public class InvalidRequestException extends RuntimeException {

  private final HttpStatus status;
  private final String title;
  private final List<FieldProblem> errors;

  public InvalidRequestException(HttpStatus status, String title, List<FieldProblem> errors) {
    super(title + ": " + errors);
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
}

package dev.mailroom.system;

import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponse;

/**
 * A request body refused while it streams in. An {@link IOException}, so that it ends the read and
 * reaches the problem handler through the JSON reader; it carries its problem like any {@link
 * ErrorResponse}.
 */
abstract class RefusedBodyException extends IOException implements ErrorResponse {

  private final transient ProblemDetail body;

  RefusedBodyException(String message, HttpStatus status, String title, String detail) {
    super(message);
    this.body = Problems.of(status, title, detail);
  }

  @Override
  public HttpStatusCode getStatusCode() {
    return HttpStatusCode.valueOf(body.getStatus());
  }

  @Override
  public ProblemDetail getBody() {
    return body;
  }
}

package dev.mailroom.system;

import org.springframework.http.HttpStatus;

/** A request body went past the configured limit while it was being read. */
class RequestTooLargeException extends RefusedBodyException {

  RequestTooLargeException(long limit) {
    super(
        "request body larger than " + limit + " bytes",
        HttpStatus.CONTENT_TOO_LARGE,
        "Request too large",
        "The request body is larger than the limit of " + limit + " bytes");
  }
}

package dev.mailroom.system;

import java.io.IOException;

/** A request body went past the configured limit while it was being read. */
class RequestTooLargeException extends IOException {

  private final long limit;

  RequestTooLargeException(long limit) {
    super("request body larger than " + limit + " bytes");
    this.limit = limit;
  }

  long limit() {
    return limit;
  }
}

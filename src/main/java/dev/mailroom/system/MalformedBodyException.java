package dev.mailroom.system;

import org.springframework.http.HttpStatus;

/** The request body's bytes are not text in the encoding the request declares. */
class MalformedBodyException extends RefusedBodyException {

  MalformedBodyException(String message) {
    super(message, HttpStatus.BAD_REQUEST, "Malformed request body", "The request body " + message);
  }
}

package dev.mailroom.system;

import java.io.IOException;

/** The request body's bytes are not text in the encoding the request declares. */
class MalformedBodyException extends IOException {

  MalformedBodyException(String message) {
    super(message);
  }
}

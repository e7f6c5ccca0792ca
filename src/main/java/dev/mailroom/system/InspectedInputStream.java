package dev.mailroom.system;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;

/**
 * A request body that a filter looks at as it streams through, without buffering it: every byte
 * read passes {@link #inspect}, and the end of the body passes {@link #atEnd}. Either may refuse
 * the body by throwing, which reaches the problem handler through the JSON reader.
 */
abstract class InspectedInputStream extends ServletInputStream {

  private final ServletInputStream in;

  InspectedInputStream(ServletInputStream in) {
    this.in = in;
  }

  /** Sees {@code length} bytes just read into {@code buffer} at {@code offset}. */
  abstract void inspect(byte[] buffer, int offset, int length) throws IOException;

  /** The body ended. */
  void atEnd() throws IOException {}

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b < 0) {
      atEnd();
    } else {
      inspect(new byte[] {(byte) b}, 0, 1);
    }
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int n = in.read(buffer, offset, length);
    if (n < 0) {
      atEnd();
    } else if (n > 0) {
      inspect(buffer, offset, n);
    }
    return n;
  }

  @Override
  public boolean isFinished() {
    return in.isFinished();
  }

  @Override
  public boolean isReady() {
    return in.isReady();
  }

  @Override
  public void setReadListener(ReadListener listener) {
    in.setReadListener(listener);
  }
}

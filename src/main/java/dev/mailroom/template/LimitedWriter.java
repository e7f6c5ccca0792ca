package dev.mailroom.template;

import java.io.Writer;

/** Collects one part's output, refusing it past {@link TemplateLimits#MAX_OUTPUT_CHARS}. */
final class LimitedWriter extends Writer {

  private final StringBuilder out = new StringBuilder();
  private final RenderBudget budget;
  private int writes;

  LimitedWriter(RenderBudget budget) {
    this.budget = budget;
  }

  @Override
  public void write(char[] chars, int offset, int length) {
    append(length);
    out.append(chars, offset, length);
  }

  @Override
  public void write(String text, int offset, int length) {
    append(length);
    out.append(text, offset, offset + length);
  }

  @Override
  public void write(int c) {
    append(1);
    out.append((char) c);
  }

  private void append(int length) {
    RenderBudget.checkLength((long) out.length() + length);
    // Escaped text arrives a character at a time: writes are not steps, but take time.
    if ((++writes & 0xFFF) == 0) {
      budget.checkTime();
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}

  @Override
  public String toString() {
    return out.toString();
  }
}

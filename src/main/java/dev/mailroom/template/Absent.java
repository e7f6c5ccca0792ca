package dev.mailroom.template;

import java.util.Collections;
import java.util.Iterator;

/**
 * Stands in for a missing variable while looking for more missing variables, so that {@code
 * ${user.name}} with no {@code user} does not stop the search at the first one. Any property, index
 * or function of it is itself; it is false in {@code th:if} (a zero number), empty in {@code
 * th:each} and prints as nothing. Output rendered with it is always thrown away.
 */
final class Absent extends Number implements Iterable<Object> {

  static final Absent INSTANCE = new Absent();

  private static final long serialVersionUID = 1L;

  private Absent() {}

  @Override
  public int intValue() {
    return 0;
  }

  @Override
  public long longValue() {
    return 0;
  }

  @Override
  public float floatValue() {
    return 0;
  }

  @Override
  public double doubleValue() {
    return 0;
  }

  @Override
  public Iterator<Object> iterator() {
    return Collections.emptyIterator();
  }

  @Override
  public String toString() {
    return "";
  }
}

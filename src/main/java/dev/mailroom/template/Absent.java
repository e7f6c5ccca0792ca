package dev.mailroom.template;

import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import ognl.MethodAccessor;
import ognl.OgnlContext;
import ognl.OgnlRuntime;
import ognl.PropertyAccessor;

/**
 * Stands in for a missing variable while looking for more missing variables, so that {@code
 * ${user.name}} with no {@code user} does not stop the search at the first one. Any property or
 * method of it is itself; it is false in {@code th:if} (a zero number), empty in {@code th:each}
 * and prints as nothing. Output rendered with it is always thrown away.
 */
final class Absent extends Number implements Iterable<Object> {

  static final Absent INSTANCE = new Absent();

  private static final long serialVersionUID = 1L;

  static {
    OgnlRuntime.setPropertyAccessor(Absent.class, new Accessor());
    OgnlRuntime.setMethodAccessor(Absent.class, new Accessor());
  }

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

  @SuppressWarnings("rawtypes") // OGNL's interfaces use raw types
  private static final class Accessor implements PropertyAccessor, MethodAccessor {

    @Override
    public Object getProperty(Map context, Object target, Object name) {
      return INSTANCE;
    }

    @Override
    public void setProperty(Map context, Object target, Object name, Object value) {}

    @Override
    public String getSourceAccessor(OgnlContext context, Object target, Object index) {
      throw new UnsupportedOperationException("Not compiled");
    }

    @Override
    public String getSourceSetter(OgnlContext context, Object target, Object index) {
      throw new UnsupportedOperationException("Not compiled");
    }

    @Override
    public Object callStaticMethod(Map context, Class targetClass, String name, Object[] args) {
      return INSTANCE;
    }

    @Override
    public Object callMethod(Map context, Object target, String name, Object[] args) {
      return INSTANCE;
    }
  }
}

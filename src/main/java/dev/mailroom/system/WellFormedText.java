package dev.mailroom.system;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Finds text in a request that is not well-formed Unicode or that no part of the pipeline can
 * carry: an unpaired surrogate (JSON's {@code "\ud800"} escape decodes to one; it has no UTF-8 form
 * and would be replaced by {@code ?} on the way out) or U+0000 (PostgreSQL cannot store it in text
 * or jsonb, SMTP forbids it). Walks every record component, list element, map key and value, so a
 * field added to a request later is covered without listing it here.
 */
public final class WellFormedText {

  private WellFormedText() {}

  /** Adds a problem, located by JSON pointer, for each string in {@code value} that is unusable. */
  public static void check(@Nullable Object value, String pointer, List<FieldProblem> problems) {
    if (value instanceof String text) {
      String problem = problem(text);
      if (problem != null) {
        problems.add(FieldProblem.at(pointer, problem));
      }
    } else if (value instanceof Map<?, ?> map) {
      map.forEach(
          (key, element) -> {
            String name = String.valueOf(key);
            String at = pointer + "/" + FieldProblem.segment(name);
            String problem = problem(name);
            if (problem != null) {
              problems.add(FieldProblem.at(at, "has a key that " + problem));
            }
            check(element, at, problems);
          });
    } else if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        check(list.get(i), pointer + "/" + i, problems);
      }
    } else if (value instanceof Record record) {
      for (Component component : COMPONENTS.get(record.getClass())) {
        check(component.read(record), pointer + "/" + component.name(), problems);
      }
    }
  }

  /**
   * A record component's accessor and its name in JSON, found once per record class: reflection on
   * every request (components, annotations, access checks) cost more than the checks.
   */
  private record Component(Method accessor, String name) {

    static List<Component> of(Class<?> type) {
      List<Component> components = new ArrayList<>();
      for (RecordComponent component : type.getRecordComponents()) {
        Method accessor = component.getAccessor();
        accessor.setAccessible(true);
        components.add(new Component(accessor, jsonName(component)));
      }
      return List.copyOf(components);
    }

    @Nullable Object read(Record record) {
      try {
        return accessor.invoke(record);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("Cannot read " + accessor, e);
      }
    }
  }

  private static final ClassValue<List<Component>> COMPONENTS =
      new ClassValue<>() {
        @Override
        protected List<Component> computeValue(Class<?> type) {
          return Component.of(type);
        }
      };

  /** What is wrong with the text, or null when it is well-formed and free of U+0000. */
  public static @Nullable String problem(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\0') {
        return "must not contain U+0000 (NUL)";
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "contains an unpaired surrogate (\\u"
            + Integer.toHexString(c)
            + "): text must be valid Unicode";
      }
    }
    return null;
  }

  private static String jsonName(RecordComponent component) {
    // A component's @JsonProperty propagates to its accessor (and field), not to the component.
    JsonProperty property = component.getAccessor().getAnnotation(JsonProperty.class);
    return FieldProblem.segment(
        property != null && !property.value().isEmpty() ? property.value() : component.getName());
  }
}

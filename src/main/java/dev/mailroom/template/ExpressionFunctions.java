package dev.mailroom.template;

import dev.mailroom.template.TemplateExpression.Scope;
import dev.mailroom.template.TemplateExpression.Values;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.FormatStyle;
import java.time.temporal.TemporalAccessor;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.thymeleaf.expression.Numbers;
import org.thymeleaf.util.EvaluationUtils;
import org.thymeleaf.util.StringUtils;

/**
 * The functions a template can call, each chosen by name with its number of arguments and the types
 * it accepts. Nothing else can be called: the parser refuses any other name, so an expression never
 * reaches a Java method it was not meant to.
 */
final class ExpressionFunctions {

  private static final int MAX_DIGITS = 50;
  private static final int MAX_PATTERN = 100;
  private static final Set<String> POINT_TYPES =
      Set.of("POINT", "COMMA", "WHITESPACE", "NONE", "DEFAULT");

  @FunctionalInterface
  private interface Body {
    @Nullable Object apply(List<@Nullable Object> arguments, Scope scope);
  }

  private record Function(Set<Integer> arities, Body body) {}

  private static final Map<String, Map<String, Function>> UTILITIES = register();

  private ExpressionFunctions() {}

  static boolean isUtility(String name) {
    return UTILITIES.containsKey(name);
  }

  static String utilities() {
    return "#locale, "
        + UTILITIES.keySet().stream().sorted().map(u -> "#" + u).collect(Collectors.joining(", "));
  }

  static boolean exists(String utility, String function) {
    return UTILITIES.get(utility).containsKey(function);
  }

  static String functions(String utility) {
    return String.join(", ", new TreeMap<>(UTILITIES.get(utility)).keySet());
  }

  static boolean accepts(String utility, String function, int arguments) {
    return UTILITIES.get(utility).get(function).arities().contains(arguments);
  }

  static @Nullable Object call(
      String utility, String function, List<@Nullable Object> arguments, Scope scope) {
    // Missing variables stand in as Absent only while looking for more missing variables, and
    // that output is thrown away: any result will do, as long as the search goes on.
    if (arguments.stream().anyMatch(Absent.class::isInstance)) {
      return Absent.INSTANCE;
    }
    Object result = UTILITIES.get(utility).get(function).body().apply(arguments, scope);
    if (result instanceof String text) {
      RenderBudget.checkLength(text.length());
    }
    return result;
  }

  // --- the list ---------------------------------------------------------------------------

  private static Map<String, Map<String, Function>> register() {
    Map<String, Map<String, Function>> all = new LinkedHashMap<>();
    all.put("strings", strings());
    all.put("numbers", numbers());
    Map<String, Function> dates = dates();
    all.put("dates", dates);
    all.put("temporals", dates);
    Map<String, Function> lists = lists();
    all.put("lists", lists);
    all.put("arrays", lists);
    all.put("maps", maps());
    all.put(
        "bools",
        Map.of(
            "isTrue", fn(1, (a, s) -> EvaluationUtils.evaluateAsBoolean(a.get(0))),
            "isFalse", fn(1, (a, s) -> !EvaluationUtils.evaluateAsBoolean(a.get(0)))));
    all.put("objects", Map.of("nullSafe", fn(2, (a, s) -> a.get(0) != null ? a.get(0) : a.get(1))));
    Map<String, Function> context =
        Map.of("containsVariable", fn(1, (a, s) -> s.containsVariable(text(a, 0, "name"))));
    all.put("ctx", context);
    all.put("vars", context);
    return Map.copyOf(all);
  }

  private static Map<String, Function> strings() {
    Map<String, Function> f = new LinkedHashMap<>();
    f.put("isEmpty", fn(1, (a, s) -> optionalText(a, 0) == null || text(a, 0, "").isBlank()));
    f.put("length", fn(1, (a, s) -> optionalText(a, 0) == null ? 0 : text(a, 0, "").length()));
    f.put("toUpperCase", transform(t -> t, (t, l) -> t.toUpperCase(l)));
    f.put("toLowerCase", transform(t -> t, (t, l) -> t.toLowerCase(l)));
    f.put("trim", transform(String::strip, (t, l) -> t));
    f.put("capitalize", transform(t -> t, (t, l) -> String.valueOf(StringUtils.capitalize(t))));
    f.put("unCapitalize", transform(t -> t, (t, l) -> String.valueOf(StringUtils.unCapitalize(t))));
    f.put(
        "capitalizeWords",
        transform(t -> t, (t, l) -> String.valueOf(StringUtils.capitalizeWords(t))));
    f.put(
        "abbreviate",
        fn(
            2,
            (a, s) -> {
              String t = optionalText(a, 0);
              int max = whole(a, 1, "maxSize", 3, Integer.MAX_VALUE);
              return t == null || t.length() <= max ? t : t.substring(0, max - 3) + "...";
            }));
    f.put(
        "substring",
        new Function(
            Set.of(2, 3),
            (a, s) -> {
              String t = optionalText(a, 0);
              if (t == null) {
                return null;
              }
              int from = whole(a, 1, "beginIndex", 0, t.length());
              int to = a.size() == 3 ? whole(a, 2, "endIndex", from, t.length()) : t.length();
              return t.substring(from, to);
            }));
    f.put("contains", test((t, u) -> t.contains(u)));
    f.put(
        "containsIgnoreCase",
        test((t, u) -> t.toLowerCase(Locale.ROOT).contains(u.toLowerCase(Locale.ROOT))));
    f.put("startsWith", test(String::startsWith));
    f.put("endsWith", test(String::endsWith));
    f.put(
        "indexOf",
        fn(2, (a, s) -> optionalText(a, 0) == null ? -1 : text(a, 0, "").indexOf(text(a, 1, ""))));
    f.put(
        "replace",
        fn(
            3,
            (a, s) -> {
              String t = optionalText(a, 0);
              if (t == null) {
                return null;
              }
              String target = text(a, 1, "target");
              String replacement = text(a, 2, "replacement");
              if (!target.isEmpty() && replacement.length() > target.length()) {
                // Checked before building it: a replacement may multiply the text's length.
                long occurrences = (t.length() - t.replace(target, "").length()) / target.length();
                RenderBudget.checkLength(
                    t.length() + occurrences * (replacement.length() - target.length()));
              }
              return target.isEmpty() ? t : t.replace(target, replacement);
            }));
    f.put(
        "defaultString",
        fn(2, (a, s) -> optionalText(a, 0) != null ? text(a, 0, "") : text(a, 1, "default")));
    f.put(
        "listJoin",
        fn(
            2,
            (a, s) -> {
              List<?> list = list(a, 0);
              String separator = text(a, 1, "separator");
              s.budget().charge(list.size());
              StringBuilder joined = new StringBuilder();
              for (Object element : list) {
                if (!joined.isEmpty()) {
                  joined.append(separator);
                }
                joined.append(Values.text(element));
                RenderBudget.checkLength(joined.length());
              }
              return joined.toString();
            }));
    return Map.copyOf(f);
  }

  private static Map<String, Function> numbers() {
    Map<String, Function> f = new LinkedHashMap<>();
    f.put(
        "formatInteger",
        new Function(
            Set.of(2, 3),
            (a, s) ->
                a.size() == 2
                    ? numbers(s).formatInteger(number(a, 0), digits(a, 1))
                    : numbers(s).formatInteger(number(a, 0), digits(a, 1), point(a, 2))));
    f.put(
        "formatDecimal",
        new Function(
            Set.of(3, 4, 5),
            (a, s) ->
                switch (a.size()) {
                  case 3 -> numbers(s).formatDecimal(number(a, 0), digits(a, 1), digits(a, 2));
                  case 4 ->
                      numbers(s)
                          .formatDecimal(number(a, 0), digits(a, 1), digits(a, 2), point(a, 3));
                  default ->
                      numbers(s)
                          .formatDecimal(
                              number(a, 0), digits(a, 1), point(a, 2), digits(a, 3), point(a, 4));
                }));
    f.put(
        "formatPercent",
        fn(3, (a, s) -> numbers(s).formatPercent(number(a, 0), digits(a, 1), digits(a, 2))));
    f.put("formatCurrency", fn(1, (a, s) -> numbers(s).formatCurrency(number(a, 0))));
    return Map.copyOf(f);
  }

  private static Map<String, Function> dates() {
    Map<String, Function> f = new LinkedHashMap<>();
    f.put(
        "format",
        new Function(
            Set.of(1, 2),
            (a, s) -> {
              TemporalAccessor date = date(a, 0);
              if (date == null) {
                return null;
              }
              DateTimeFormatter formatter;
              if (a.size() == 2) {
                String pattern = text(a, 1, "pattern");
                if (pattern.length() > MAX_PATTERN) {
                  throw ExpressionException.failed(
                      "date patterns are limited to " + MAX_PATTERN + " characters");
                }
                try {
                  formatter = DateTimeFormatter.ofPattern(pattern, s.locale());
                } catch (IllegalArgumentException e) {
                  throw ExpressionException.failed("invalid date pattern '" + pattern + "'");
                }
              } else {
                formatter =
                    (date instanceof LocalDate
                            ? DateTimeFormatter.ofLocalizedDate(FormatStyle.MEDIUM)
                            : DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM))
                        .withLocale(s.locale());
              }
              try {
                return formatter.format(date);
              } catch (java.time.DateTimeException e) {
                throw ExpressionException.failed(
                    "the date " + a.get(0) + " has no field this pattern prints");
              }
            }));
    f.put(
        "formatISO",
        fn(
            1,
            (a, s) -> {
              TemporalAccessor date = date(a, 0);
              if (date == null) {
                return null;
              }
              return date instanceof OffsetDateTime o
                  ? o.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                  : date instanceof LocalDateTime l
                      ? l.format(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
                      : ((LocalDate) date).format(DateTimeFormatter.ISO_LOCAL_DATE);
            }));
    return Map.copyOf(f);
  }

  private static Map<String, Function> lists() {
    return Map.of(
        "size",
        fn(1, (a, s) -> a.get(0) == null ? 0 : list(a, 0).size()),
        "isEmpty",
        fn(1, (a, s) -> a.get(0) == null || list(a, 0).isEmpty()),
        "contains",
        fn(
            2,
            (a, s) -> {
              List<?> list = list(a, 0);
              s.budget().charge(list.size());
              return list.stream().anyMatch(e -> Values.equal(e, a.get(1)));
            }));
  }

  private static Map<String, Function> maps() {
    return Map.of(
        "size",
        fn(1, (a, s) -> a.get(0) == null ? 0 : map(a, 0).size()),
        "isEmpty",
        fn(1, (a, s) -> a.get(0) == null || map(a, 0).isEmpty()),
        "containsKey",
        fn(2, (a, s) -> map(a, 0).containsKey(text(a, 1, "key"))),
        "containsValue",
        fn(
            2,
            (a, s) -> {
              Collection<?> values = map(a, 0).values();
              s.budget().charge(values.size());
              return values.stream().anyMatch(v -> Values.equal(v, a.get(1)));
            }));
  }

  // --- argument checks ---------------------------------------------------------------------

  private static Function fn(int arity, Body body) {
    return new Function(Set.of(arity), body);
  }

  private interface TextTest {
    boolean test(String text, String other);
  }

  private static Function test(TextTest test) {
    return fn(
        2,
        (a, s) -> {
          String t = optionalText(a, 0);
          return t != null && test.test(t, text(a, 1, "text"));
        });
  }

  private static Function transform(
      java.util.function.UnaryOperator<String> first,
      java.util.function.BiFunction<String, Locale, String> then) {
    return fn(
        1,
        (a, s) -> {
          String t = optionalText(a, 0);
          return t == null ? null : then.apply(first.apply(t), s.locale());
        });
  }

  private static @Nullable String optionalText(List<@Nullable Object> arguments, int at) {
    Object value = arguments.get(at);
    return value == null ? null : text(arguments, at, "text");
  }

  private static String text(List<@Nullable Object> arguments, int at, String name) {
    Object value = arguments.get(at);
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    throw ExpressionException.failed(
        "argument " + (at + 1) + " (" + name + ") must be a text, not " + Values.describe(value));
  }

  private static int whole(
      List<@Nullable Object> arguments, int at, String name, int min, int max) {
    Object value = arguments.get(at);
    if (value instanceof Number number
        && Values.isIntegral(number)
        && number.longValue() >= min
        && number.longValue() <= max) {
      return number.intValue();
    }
    throw ExpressionException.failed(
        "argument "
            + (at + 1)
            + " ("
            + name
            + ") must be a whole number from "
            + min
            + " to "
            + max
            + ", not "
            + value);
  }

  private static Integer digits(List<@Nullable Object> arguments, int at) {
    return whole(arguments, at, "digits", 0, MAX_DIGITS);
  }

  private static String point(List<@Nullable Object> arguments, int at) {
    String type = text(arguments, at, "point type");
    if (!POINT_TYPES.contains(type)) {
      throw ExpressionException.failed(
          "argument " + (at + 1) + " must be one of " + new TreeSet<>(POINT_TYPES));
    }
    return type;
  }

  private static @Nullable BigDecimal number(List<@Nullable Object> arguments, int at) {
    Object value = arguments.get(at);
    if (value == null) {
      return null;
    }
    if (value instanceof Number number) {
      return Values.decimal(number);
    }
    if (value instanceof String text && Values.numeric(text) != null) {
      return Values.numeric(text);
    }
    throw ExpressionException.failed(
        "argument " + (at + 1) + " must be a number, not " + Values.describe(value));
  }

  private static Numbers numbers(Scope scope) {
    return new Numbers(scope.locale());
  }

  /** An ISO-8601 date, date-time or date-time with offset, given as text; null stays null. */
  private static @Nullable TemporalAccessor date(List<@Nullable Object> arguments, int at) {
    Object value = arguments.get(at);
    if (value == null) {
      return null;
    }
    String text = text(arguments, at, "date");
    if (text.length() <= 64) {
      try {
        return OffsetDateTime.parse(text);
      } catch (DateTimeParseException notWithOffset) {
        try {
          return LocalDateTime.parse(text);
        } catch (DateTimeParseException notDateTime) {
          try {
            return LocalDate.parse(text);
          } catch (DateTimeParseException notDate) {
            // reported below
          }
        }
      }
    }
    throw ExpressionException.failed(
        "argument "
            + (at + 1)
            + " must be an ISO-8601 date such as 2026-03-01 or 2026-03-01T09:30:00Z");
  }

  private static List<?> list(List<@Nullable Object> arguments, int at) {
    if (arguments.get(at) instanceof List<?> list) {
      return list;
    }
    throw ExpressionException.failed(
        "argument " + (at + 1) + " must be a list, not " + Values.describe(arguments.get(at)));
  }

  private static Map<?, ?> map(List<@Nullable Object> arguments, int at) {
    if (arguments.get(at) instanceof Map<?, ?> map) {
      return map;
    }
    throw ExpressionException.failed(
        "argument " + (at + 1) + " must be an object, not " + Values.describe(arguments.get(at)));
  }
}

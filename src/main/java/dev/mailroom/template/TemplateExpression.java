package dev.mailroom.template;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.thymeleaf.engine.IterationStatusVar;
import org.thymeleaf.util.EvaluationUtils;

/**
 * A parsed template expression. Its values are the caller's JSON values (maps, lists, strings,
 * numbers, booleans, null), the iteration status of {@code th:each} and what the named {@link
 * ExpressionFunctions} return; evaluating one reads them and calls nothing else.
 */
sealed interface TemplateExpression {

  /** What an expression can see while it is evaluated. */
  interface Scope {

    /** A variable by name, through the engine context, so that missing names are tracked. */
    @Nullable Object variable(String name);

    boolean containsVariable(String name);

    Locale locale();

    RenderBudget budget();
  }

  @Nullable Object evaluate(Scope scope);

  record Literal(@Nullable Object value) implements TemplateExpression {
    @Override
    public @Nullable Object evaluate(Scope scope) {
      scope.budget().charge(1);
      return value;
    }
  }

  record LocaleValue() implements TemplateExpression {
    @Override
    public Object evaluate(Scope scope) {
      scope.budget().charge(1);
      return scope.locale().toLanguageTag();
    }
  }

  record Variable(String name) implements TemplateExpression {
    @Override
    public @Nullable Object evaluate(Scope scope) {
      scope.budget().charge(1);
      return scope.variable(name);
    }
  }

  record Property(TemplateExpression target, String name) implements TemplateExpression {
    @Override
    public @Nullable Object evaluate(Scope scope) {
      Object value = target.evaluate(scope);
      scope.budget().charge(1);
      return Values.property(value, name);
    }
  }

  record Index(TemplateExpression target, TemplateExpression key) implements TemplateExpression {
    @Override
    public @Nullable Object evaluate(Scope scope) {
      Object value = target.evaluate(scope);
      Object index = key.evaluate(scope);
      scope.budget().charge(1);
      if (value instanceof Absent) {
        return Absent.INSTANCE;
      }
      if (value instanceof List<?> list) {
        if (!(index instanceof Number number) || !Values.isIntegral(number)) {
          throw ExpressionException.failed(
              "a list is indexed by a whole number, not " + Values.describe(index));
        }
        long at = number.longValue();
        if (at < 0 || at >= list.size()) {
          throw ExpressionException.failed(
              "index " + at + " is outside the list of " + list.size() + " element(s)");
        }
        return list.get((int) at);
      }
      if (index instanceof String name) {
        return Values.property(value, name);
      }
      throw ExpressionException.failed(
          "only lists can be indexed by number, and only objects by name; "
              + Values.describe(value)
              + " cannot be indexed by "
              + Values.describe(index));
    }
  }

  record Unary(String operator, TemplateExpression operand) implements TemplateExpression {
    @Override
    public @Nullable Object evaluate(Scope scope) {
      Object value = operand.evaluate(scope);
      scope.budget().charge(1);
      if (operator.equals("!")) {
        return !EvaluationUtils.evaluateAsBoolean(value);
      }
      return Values.negate(value);
    }
  }

  record Binary(String operator, TemplateExpression left, TemplateExpression right)
      implements TemplateExpression {
    @Override
    public @Nullable Object evaluate(Scope scope) {
      Object a = left.evaluate(scope);
      scope.budget().charge(1);
      switch (operator) {
        case "&&":
          return EvaluationUtils.evaluateAsBoolean(a)
              && EvaluationUtils.evaluateAsBoolean(right.evaluate(scope));
        case "||":
          return EvaluationUtils.evaluateAsBoolean(a)
              || EvaluationUtils.evaluateAsBoolean(right.evaluate(scope));
        default:
          break;
      }
      Object b = right.evaluate(scope);
      return switch (operator) {
        case "==" -> Values.equal(a, b);
        case "!=" -> !Values.equal(a, b);
        case "<" -> Values.compare(a, b) < 0;
        case ">" -> Values.compare(a, b) > 0;
        case "<=" -> Values.compare(a, b) <= 0;
        case ">=" -> Values.compare(a, b) >= 0;
        case "+" -> Values.add(a, b);
        default -> Values.arithmetic(operator, a, b);
      };
    }
  }

  record Conditional(
      TemplateExpression condition, TemplateExpression then, TemplateExpression other)
      implements TemplateExpression {
    @Override
    public @Nullable Object evaluate(Scope scope) {
      boolean test = EvaluationUtils.evaluateAsBoolean(condition.evaluate(scope));
      scope.budget().charge(1);
      return test ? then.evaluate(scope) : other.evaluate(scope);
    }
  }

  /** {@code a ?: b}: {@code a} unless it is null. */
  record Elvis(TemplateExpression value, TemplateExpression fallback)
      implements TemplateExpression {
    @Override
    public @Nullable Object evaluate(Scope scope) {
      Object result = value.evaluate(scope);
      scope.budget().charge(1);
      return result != null ? result : fallback.evaluate(scope);
    }
  }

  record Call(String utility, String function, List<TemplateExpression> arguments)
      implements TemplateExpression {
    @Override
    public @Nullable Object evaluate(Scope scope) {
      List<@Nullable Object> values = new ArrayList<>(arguments.size());
      for (TemplateExpression argument : arguments) {
        values.add(argument.evaluate(scope));
      }
      scope.budget().charge(1);
      return ExpressionFunctions.call(utility, function, values, scope);
    }
  }

  /** The operations on values, each with the types it accepts. */
  final class Values {

    private static final int MAX_NUMBER_BITS = 1_024;

    private Values() {}

    static @Nullable Object property(@Nullable Object value, String name) {
      if (value instanceof Absent) {
        return Absent.INSTANCE;
      }
      if (value instanceof Map<?, ?> map) {
        return map.get(name);
      }
      if (value instanceof IterationStatusVar status) {
        return switch (name) {
          case "index" -> status.getIndex();
          case "count" -> status.getCount();
          case "size" -> status.getSize();
          case "current" -> status.getCurrent();
          case "first" -> status.isFirst();
          case "last" -> status.isLast();
          case "odd" -> status.isOdd();
          case "even" -> status.isEven();
          default ->
              throw ExpressionException.invalid(
                  "an iteration status has index, count, size, current, first, last, odd and"
                      + " even, not '"
                      + name
                      + "'");
        };
      }
      if (value instanceof Map.Entry<?, ?> entry) {
        return switch (name) {
          case "key" -> entry.getKey();
          case "value" -> entry.getValue();
          default ->
              throw ExpressionException.failed(
                  "an entry of an object has key and value, not '" + name + "'");
        };
      }
      throw ExpressionException.failed(
          "cannot read '" + name + "' of " + describe(value) + " (only objects have properties)");
    }

    static String describe(@Nullable Object value) {
      if (value == null) {
        return "null";
      }
      if (value instanceof String) {
        return "a text";
      }
      if (value instanceof Number) {
        return "a number";
      }
      if (value instanceof Boolean) {
        return "a boolean";
      }
      if (value instanceof List<?>) {
        return "a list";
      }
      if (value instanceof Map<?, ?>) {
        return "an object";
      }
      return "a value of another kind";
    }

    static boolean isIntegral(Number number) {
      return number instanceof Integer
          || number instanceof Long
          || number instanceof Short
          || number instanceof Byte
          || number instanceof BigInteger;
    }

    static boolean equal(@Nullable Object a, @Nullable Object b) {
      if (a instanceof Number x && b instanceof Number y) {
        return decimal(x).compareTo(decimal(y)) == 0;
      }
      if (a instanceof Number x && b instanceof String y && numeric(y) != null) {
        return decimal(x).compareTo(Objects.requireNonNull(numeric(y))) == 0;
      }
      if (a instanceof String x && b instanceof Number y && numeric(x) != null) {
        return Objects.requireNonNull(numeric(x)).compareTo(decimal(y)) == 0;
      }
      return Objects.equals(a, b);
    }

    static int compare(@Nullable Object a, @Nullable Object b) {
      BigDecimal x = comparable(a, b);
      BigDecimal y = comparable(b, a);
      if (x != null && y != null) {
        return x.compareTo(y);
      }
      if (a instanceof String s && b instanceof String t) {
        return s.compareTo(t);
      }
      throw ExpressionException.failed("cannot compare " + describe(a) + " with " + describe(b));
    }

    /** A number, or a text holding one compared with a number. */
    private static @Nullable BigDecimal comparable(@Nullable Object value, @Nullable Object other) {
      if (value instanceof Number number) {
        return decimal(number);
      }
      if (value instanceof String text && other instanceof Number) {
        return numeric(text);
      }
      return null;
    }

    static Object add(@Nullable Object a, @Nullable Object b) {
      if (a instanceof Number x && b instanceof Number y) {
        return arithmetic("+", x, y);
      }
      String text = text(a) + text(b);
      RenderBudget.checkLength(text.length());
      return text;
    }

    static Object negate(@Nullable Object value) {
      if (value instanceof Absent) {
        return Absent.INSTANCE;
      }
      Number number = number(value, "-");
      return isIntegral(number) ? normal(integer(number).negate()) : decimal(number).negate();
    }

    static Object arithmetic(String operator, @Nullable Object a, @Nullable Object b) {
      if (a instanceof Absent || b instanceof Absent) {
        return Absent.INSTANCE;
      }
      Number x = number(a, operator);
      Number y = number(b, operator);
      if (isIntegral(x) && isIntegral(y)) {
        BigInteger i = integer(x);
        BigInteger j = integer(y);
        BigInteger result =
            switch (operator) {
              case "+" -> i.add(j);
              case "-" -> i.subtract(j);
              case "*" -> i.multiply(j);
              case "/", "%" -> {
                if (j.signum() == 0) {
                  throw ExpressionException.failed("division by zero");
                }
                if (operator.equals("%")) {
                  yield i.remainder(j);
                }
                BigInteger[] quotient = i.divideAndRemainder(j);
                if (quotient[1].signum() != 0) {
                  yield null;
                }
                yield quotient[0];
              }
              default -> throw new IllegalStateException(operator);
            };
        if (result != null) {
          if (result.bitLength() > MAX_NUMBER_BITS) {
            throw ExpressionException.limit("a computed number is too large");
          }
          return normal(result);
        }
      }
      BigDecimal i = decimal(x);
      BigDecimal j = decimal(y);
      BigDecimal result =
          switch (operator) {
            case "+" -> i.add(j, MathContext.DECIMAL64);
            case "-" -> i.subtract(j, MathContext.DECIMAL64);
            case "*" -> i.multiply(j, MathContext.DECIMAL64);
            case "/", "%" -> {
              if (j.signum() == 0) {
                throw ExpressionException.failed("division by zero");
              }
              yield operator.equals("/")
                  ? i.divide(j, MathContext.DECIMAL64)
                  : i.remainder(j, MathContext.DECIMAL64);
            }
            default -> throw new IllegalStateException(operator);
          };
      if (Math.abs(result.scale()) > 1_000) {
        throw ExpressionException.limit("a computed number is too large or too small");
      }
      return result;
    }

    private static Object normal(BigInteger value) {
      return value.bitLength() < 63 ? (Object) value.longValue() : value;
    }

    private static Number number(@Nullable Object value, String operator) {
      if (value instanceof Number number) {
        return number;
      }
      if (value instanceof String text && numeric(text) != null) {
        return Objects.requireNonNull(numeric(text)); // amounts sent as text, such as "12.50"
      }
      throw ExpressionException.failed("'" + operator + "' needs numbers, not " + describe(value));
    }

    static BigInteger integer(Number number) {
      return number instanceof BigInteger big ? big : BigInteger.valueOf(number.longValue());
    }

    static BigDecimal decimal(Number number) {
      if (number instanceof BigDecimal decimal) {
        return decimal;
      }
      if (isIntegral(number)) {
        return new BigDecimal(integer(number));
      }
      double value = number.doubleValue();
      if (Double.isNaN(value) || Double.isInfinite(value)) {
        throw ExpressionException.failed("not a finite number");
      }
      return BigDecimal.valueOf(value);
    }

    /** A text holding a number, as JSON callers often send amounts ("12.50"); else null. */
    static @Nullable BigDecimal numeric(String text) {
      if (text.isEmpty() || text.length() > 100) {
        return null;
      }
      try {
        return new BigDecimal(text.strip());
      } catch (NumberFormatException e) {
        return null;
      }
    }

    /** How a value is printed when joined to text. */
    static String text(@Nullable Object value) {
      if (value == null) {
        return "null";
      }
      if (value instanceof String || value instanceof Number || value instanceof Boolean) {
        return value.toString();
      }
      if (value instanceof Absent) {
        return "";
      }
      throw ExpressionException.failed("cannot join " + describe(value) + " to text");
    }
  }
}

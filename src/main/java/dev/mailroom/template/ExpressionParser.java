package dev.mailroom.template;

import dev.mailroom.template.TemplateExpression.Binary;
import dev.mailroom.template.TemplateExpression.Call;
import dev.mailroom.template.TemplateExpression.Conditional;
import dev.mailroom.template.TemplateExpression.Elvis;
import dev.mailroom.template.TemplateExpression.Index;
import dev.mailroom.template.TemplateExpression.Literal;
import dev.mailroom.template.TemplateExpression.LocaleValue;
import dev.mailroom.template.TemplateExpression.Property;
import dev.mailroom.template.TemplateExpression.Unary;
import dev.mailroom.template.TemplateExpression.Variable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The grammar of what may stand inside {@code ${...}} and {@code *{...}}, and nothing more:
 *
 * <pre>
 * expression  = conditional
 * conditional = or [ "?" conditional ":" conditional | "?:" conditional ]
 * or          = and { ("or" | "||") and }
 * and         = equality { ("and" | "&&") equality }
 * equality    = relation { ("==" | "!=" | "eq" | "ne" | "neq") relation }
 * relation    = sum { ("&lt;" | "&gt;" | "&lt;=" | "&gt;=" | "lt" | "gt" | "le" | "ge" | "lte" | "gte") sum }
 * sum         = product { ("+" | "-") product }
 * product     = unary { ("*" | "/" | "%" | "div" | "mod") unary }
 * unary       = ("!" | "not" | "-") unary | path | literal | "(" expression ")" | utility
 * path        = name { "." name | "[" expression "]" }
 * utility     = "#locale" | "#" name "." name "(" [ expression { "," expression } ] ")"
 * literal     = 'text' | number | true | false | null
 * </pre>
 *
 * A method on a value, a type, a constructor, a static member, an assignment, a list or map
 * literal, a projection: none has a production, so none can be written. {@code .class} is refused
 * by name so that the message says why.
 */
final class ExpressionParser {

  private static final java.util.Set<String> KEYWORDS =
      java.util.Set.of(
          "and",
          "or",
          "not",
          "eq",
          "ne",
          "neq",
          "lt",
          "gt",
          "le",
          "ge",
          "lte",
          "gte",
          "div",
          "mod",
          "true",
          "false",
          "null",
          "new",
          "instanceof");

  private static final Map<String, String> WORD_OPERATORS =
      Map.ofEntries(
          Map.entry("and", "&&"),
          Map.entry("or", "||"),
          Map.entry("not", "!"),
          Map.entry("eq", "=="),
          Map.entry("ne", "!="),
          Map.entry("neq", "!="),
          Map.entry("lt", "<"),
          Map.entry("gt", ">"),
          Map.entry("le", "<="),
          Map.entry("lte", "<="),
          Map.entry("ge", ">="),
          Map.entry("gte", ">="),
          Map.entry("div", "/"),
          Map.entry("mod", "%"));

  private enum Kind {
    NAME,
    UTILITY,
    STRING,
    NUMBER,
    OPERATOR,
    END
  }

  private record Token(Kind kind, String text, int at) {}

  private final String source;
  private final List<Token> tokens;
  private int next;
  private int depth;

  private ExpressionParser(String source) {
    this.source = source;
    this.tokens = tokenize(source);
  }

  /**
   * @throws ExpressionException when the text is not an expression of the language, or is longer or
   *     more deeply nested than the {@link TemplateLimits}
   */
  static TemplateExpression parse(String source) {
    if (source.length() > TemplateLimits.MAX_EXPRESSION_LENGTH) {
      throw ExpressionException.limit(
          "expressions are limited to " + TemplateLimits.MAX_EXPRESSION_LENGTH + " characters");
    }
    ExpressionParser parser = new ExpressionParser(source);
    TemplateExpression expression = parser.conditional();
    Token end = parser.peek();
    if (end.kind() != Kind.END) {
      throw parser.error(end, "unexpected '" + end.text() + "'" + parser.hint(end));
    }
    return expression;
  }

  // --- grammar ---------------------------------------------------------------------------

  private TemplateExpression conditional() {
    enter();
    TemplateExpression condition = or();
    TemplateExpression result = condition;
    if (accept("?:")) {
      result = new Elvis(condition, conditional());
    } else if (accept("?")) {
      TemplateExpression then = conditional();
      expect(":");
      result = new Conditional(condition, then, conditional());
    }
    depth--;
    return result;
  }

  private TemplateExpression or() {
    TemplateExpression left = and();
    while (accept("||")) {
      left = new Binary("||", left, and());
    }
    return left;
  }

  private TemplateExpression and() {
    TemplateExpression left = equality();
    while (accept("&&")) {
      left = new Binary("&&", left, equality());
    }
    return left;
  }

  private TemplateExpression equality() {
    TemplateExpression left = relation();
    for (String op = operator("==", "!="); op != null; op = operator("==", "!=")) {
      left = new Binary(op, left, relation());
    }
    return left;
  }

  private TemplateExpression relation() {
    TemplateExpression left = sum();
    for (String op = operator("<", ">", "<=", ">=");
        op != null;
        op = operator("<", ">", "<=", ">=")) {
      left = new Binary(op, left, sum());
    }
    return left;
  }

  private TemplateExpression sum() {
    TemplateExpression left = product();
    for (String op = operator("+", "-"); op != null; op = operator("+", "-")) {
      left = new Binary(op, left, product());
    }
    return left;
  }

  private TemplateExpression product() {
    TemplateExpression left = unary();
    for (String op = operator("*", "/", "%"); op != null; op = operator("*", "/", "%")) {
      left = new Binary(op, left, unary());
    }
    return left;
  }

  private TemplateExpression unary() {
    enter();
    TemplateExpression result;
    if (accept("!")) {
      result = new Unary("!", unary());
    } else if (accept("-")) {
      result = new Unary("-", unary());
    } else {
      result = primary();
    }
    depth--;
    return result;
  }

  private TemplateExpression primary() {
    Token token = take();
    return switch (token.kind()) {
      case STRING -> literalOnly(new Literal(token.text()));
      case NUMBER -> literalOnly(new Literal(number(token)));
      case UTILITY -> utility(token);
      case NAME -> name(token);
      case OPERATOR -> {
        if (token.text().equals("(")) {
          TemplateExpression inner = conditional();
          expect(")");
          yield literalOnly(inner);
        }
        throw error(token, "unexpected '" + token.text() + "'" + hint(token));
      }
      case END -> throw error(token, "the expression ends too early");
    };
  }

  /** Literals and parenthesised expressions are not paths: nothing can be read from them. */
  private TemplateExpression literalOnly(TemplateExpression expression) {
    Token after = peek();
    if (after.text().equals(".") || after.text().equals("[")) {
      throw error(
          after, "properties and indexes can only follow a variable, as in user.name or items[0]");
    }
    return expression;
  }

  private TemplateExpression name(Token token) {
    switch (token.text()) {
      case "true":
        return literalOnly(new Literal(Boolean.TRUE));
      case "false":
        return literalOnly(new Literal(Boolean.FALSE));
      case "null":
        return literalOnly(new Literal(null));
      default:
        break;
    }
    if (KEYWORDS.contains(token.text())) {
      throw error(token, "unexpected '" + token.text() + "'" + hint(token));
    }
    if (peek().text().equals("(")) {
      throw error(
          token,
          "'"
              + token.text()
              + "(...)' is not a function of email templates; functions are called on a"
              + " utility, as in #strings.toUpperCase(name)");
    }
    TemplateExpression path = new Variable(token.text());
    int steps = 0;
    while (true) {
      if (accept(".")) {
        Token property = take();
        if (property.kind() != Kind.NAME) {
          throw error(property, "a property name must follow '.'");
        }
        if (property.text().equals("class")) {
          throw error(property, "classes are not available in email templates");
        }
        if (peek().text().equals("(")) {
          throw error(
              property,
              "calling methods on values is not available in email templates; use a utility"
                  + " function such as #strings.length(name)");
        }
        path = new Property(path, property.text());
      } else if (accept("[")) {
        enter();
        TemplateExpression key = conditional();
        expect("]");
        depth--;
        path = new Index(path, key);
      } else {
        return path;
      }
      if (++steps > TemplateLimits.MAX_NESTING) {
        throw ExpressionException.limit(
            "paths are limited to " + TemplateLimits.MAX_NESTING + " steps");
      }
    }
  }

  private TemplateExpression utility(Token token) {
    String object = token.text();
    if (object.equals("locale")) {
      return literalOnly(new LocaleValue());
    }
    if (!ExpressionFunctions.isUtility(object)) {
      throw error(
          token,
          "'#"
              + object
              + "' is not available in email templates; the utilities are "
              + ExpressionFunctions.utilities());
    }
    if (!accept(".")) {
      throw error(
          token, "'#" + object + "' must be followed by a function, as in #strings.trim(x)");
    }
    Token function = take();
    if (function.kind() != Kind.NAME || !ExpressionFunctions.exists(object, function.text())) {
      throw error(
          function,
          "'#"
              + object
              + "."
              + function.text()
              + "' is not available; #"
              + object
              + " offers "
              + ExpressionFunctions.functions(object));
    }
    if (!accept("(")) {
      throw error(function, "'#" + object + "." + function.text() + "' must be called with (...)");
    }
    List<TemplateExpression> arguments = new ArrayList<>();
    if (!accept(")")) {
      do {
        arguments.add(conditional());
      } while (accept(","));
      expect(")");
    }
    if (!ExpressionFunctions.accepts(object, function.text(), arguments.size())) {
      throw error(
          function,
          "'#"
              + object
              + "."
              + function.text()
              + "' does not take "
              + arguments.size()
              + " argument(s)");
    }
    return literalOnly(new Call(object, function.text(), arguments));
  }

  // --- tokens ----------------------------------------------------------------------------

  private void enter() {
    if (++depth > TemplateLimits.MAX_NESTING) {
      throw ExpressionException.limit(
          "expressions are limited to " + TemplateLimits.MAX_NESTING + " levels of nesting");
    }
  }

  private Token peek() {
    return tokens.get(next);
  }

  private Token take() {
    Token token = tokens.get(next);
    if (token.kind() != Kind.END) {
      next++;
    }
    return token;
  }

  private boolean accept(String operator) {
    Token token = peek();
    if (token.kind() == Kind.OPERATOR && token.text().equals(operator)) {
      next++;
      return true;
    }
    return false;
  }

  private @org.jspecify.annotations.Nullable String operator(String... operators) {
    for (String operator : operators) {
      if (accept(operator)) {
        return operator;
      }
    }
    return null;
  }

  private void expect(String operator) {
    if (!accept(operator)) {
      Token token = peek();
      throw error(
          token,
          "expected '"
              + operator
              + "' but found "
              + (token.kind() == Kind.END ? "the end" : "'" + token.text() + "'"));
    }
  }

  private String hint(Token token) {
    return switch (token.text()) {
      case "=" -> ": assignments are not available in email templates";
      case "@" -> ": static members and beans are not available in email templates";
      case "{" -> ": list, map and projection literals are not available in email templates";
      case "new" -> ": creating objects is not available in email templates";
      case "(" -> ": calling methods on values is not available in email templates";
      default -> "";
    };
  }

  private ExpressionException error(Token token, String message) {
    return ExpressionException.invalid(
        "invalid expression ${" + abbreviate(source) + "} at " + (token.at() + 1) + ": " + message);
  }

  private static String abbreviate(String text) {
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }

  private static Object number(Token token) {
    String text = token.text();
    if (text.contains(".")) {
      return new BigDecimal(text);
    }
    BigInteger value = new BigInteger(text);
    return value.bitLength() < 63 ? (Object) value.longValue() : value;
  }

  private List<Token> tokenize(String text) {
    List<Token> result = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '\'' || c == '"') {
        i = string(text, i, c, result);
      } else if (c >= '0' && c <= '9') {
        int start = i;
        while (i < text.length() && Character.isDigit(text.charAt(i))) {
          i++;
        }
        if (i + 1 < text.length() && text.charAt(i) == '.' && isDigit(text.charAt(i + 1))) {
          i++;
          while (i < text.length() && Character.isDigit(text.charAt(i))) {
            i++;
          }
        }
        if (i < text.length() && Character.isJavaIdentifierPart(text.charAt(i))) {
          throw invalidAt(i, "unexpected '" + text.charAt(i) + "' in a number");
        }
        result.add(new Token(Kind.NUMBER, text.substring(start, i), start));
      } else if (isNameStart(c)) {
        int start = i;
        while (i < text.length() && isNamePart(text.charAt(i))) {
          i++;
        }
        String word = text.substring(start, i);
        String operator = WORD_OPERATORS.get(word);
        result.add(
            operator != null
                ? new Token(Kind.OPERATOR, operator, start)
                : new Token(Kind.NAME, word, start));
      } else if (c == '#') {
        int start = i++;
        while (i < text.length() && isNamePart(text.charAt(i))) {
          i++;
        }
        if (i == start + 1) {
          throw invalidAt(start, "'#' must name a utility such as #strings");
        }
        result.add(new Token(Kind.UTILITY, text.substring(start + 1, i), start));
      } else {
        String operator = symbol(text, i);
        result.add(new Token(Kind.OPERATOR, operator, i));
        i += operator.length();
      }
    }
    result.add(new Token(Kind.END, "", text.length()));
    return result;
  }

  private String symbol(String text, int i) {
    for (String two : List.of("?:", "==", "!=", "<=", ">=", "&&", "||")) {
      if (text.startsWith(two, i)) {
        return two;
      }
    }
    char c = text.charAt(i);
    if ("+-*/%<>!?:.,()[]".indexOf(c) >= 0) {
      return String.valueOf(c);
    }
    String hint =
        switch (c) {
          case '=' -> ": assignments are not available in email templates";
          case '@' -> ": static members and beans are not available in email templates";
          case '{', '}' ->
              ": list, map and projection literals are not available in email templates";
          case '$' -> ": expressions cannot be nested";
          default -> "";
        };
    throw invalidAt(i, "unexpected '" + c + "'" + hint);
  }

  private int string(String text, int start, char quote, List<Token> result) {
    StringBuilder value = new StringBuilder();
    int i = start + 1;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length()) {
        value.append(text.charAt(i + 1));
        i += 2;
      } else if (c == quote) {
        result.add(new Token(Kind.STRING, value.toString(), start));
        return i + 1;
      } else {
        value.append(c);
        i++;
      }
    }
    throw invalidAt(start, "the text literal is never closed");
  }

  private ExpressionException invalidAt(int at, String message) {
    return ExpressionException.invalid(
        "invalid expression ${" + abbreviate(source) + "} at " + (at + 1) + ": " + message);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isNameStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  private static boolean isNamePart(char c) {
    return isNameStart(c) || isDigit(c);
  }
}

package dev.mailroom.template;

import org.thymeleaf.exceptions.TemplateProcessingException;

/**
 * An expression a template may not contain (it cannot be parsed by the template expression
 * language, or it breaks one of the {@link TemplateLimits}), or one that failed on the values it
 * was given. The message is written for the template's author and names no server internals.
 */
final class ExpressionException extends TemplateProcessingException {

  private static final long serialVersionUID = 1L;

  /** Whether the template itself is at fault, whatever its variables: such content is refused. */
  private final boolean templateFault;

  private ExpressionException(String message, boolean templateFault) {
    super(message);
    this.templateFault = templateFault;
  }

  private ExpressionException(String message, String template, int line, int col) {
    super(message, template, line, col);
    this.templateFault = true;
  }

  /** The template cannot be used with any variables: syntax, something outside the language. */
  static ExpressionException invalid(String message) {
    return new ExpressionException(message, true);
  }

  /** Something the template may not contain, found at a position of one of its files. */
  static ExpressionException at(String message, String template, int line, int col) {
    return new ExpressionException(message, template, line, col);
  }

  /** A limit on expressions, output, iterations or time was reached. */
  static ExpressionException limit(String message) {
    return new ExpressionException(message, true);
  }

  /** The expression is valid but failed on these values, such as a property of a string. */
  static ExpressionException failed(String message) {
    return new ExpressionException(message, false);
  }

  /** The same failure, naming the expression it happened in. */
  ExpressionException in(String expression) {
    String shown = expression.length() <= 80 ? expression : expression.substring(0, 77) + "...";
    return new ExpressionException("${" + shown + "}: " + getMessage(), templateFault);
  }

  boolean templateFault() {
    return templateFault;
  }
}

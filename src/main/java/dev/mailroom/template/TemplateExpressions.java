package dev.mailroom.template;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.thymeleaf.context.IExpressionContext;
import org.thymeleaf.context.ITemplateContext;
import org.thymeleaf.standard.expression.IStandardVariableExpression;
import org.thymeleaf.standard.expression.IStandardVariableExpressionEvaluator;
import org.thymeleaf.standard.expression.StandardExpressionExecutionContext;

/**
 * Evaluates {@code ${...}} and {@code *{...}} with the template expression language of {@link
 * ExpressionParser}, in place of Thymeleaf's OGNL. Templates come from API callers, so the language
 * is an allow-list by construction: it reads the caller's variables and calls the named {@link
 * ExpressionFunctions}, and has no way to write anything else (methods, classes, constructors,
 * static members, assignments). Everything else in Thymeleaf (text, links, messages, literal
 * substitution, {@code th:if}, {@code th:each}, …) stays Thymeleaf's own.
 */
final class TemplateExpressions implements IStandardVariableExpressionEvaluator {

  // Expressions come from templates, and from variables only where a template preprocesses one
  // (refused when stored, but files and earlier versions are rendered too): the bound keeps the
  // second kind from growing the cache without limit.
  private static final int MAX_CACHED = 10_000;

  private final Map<String, TemplateExpression> parsed = new ConcurrentHashMap<>();

  /**
   * @throws ExpressionException when the text is not an expression of the language
   */
  TemplateExpression parse(String source) {
    TemplateExpression known = parsed.get(source);
    if (known != null) {
      return known;
    }
    TemplateExpression expression = ExpressionParser.parse(source);
    if (parsed.size() >= MAX_CACHED) {
      parsed.clear();
    }
    parsed.put(source, expression);
    return expression;
  }

  @Override
  public @Nullable Object evaluate(
      IExpressionContext context,
      IStandardVariableExpression expression,
      StandardExpressionExecutionContext expContext) {
    String source = expression.getExpression();
    if (source == null) {
      throw ExpressionException.invalid("an empty expression");
    }
    TemplateExpression parsed = parse(source);
    Object result;
    try {
      result = parsed.evaluate(new ContextScope(context, expression));
    } catch (ExpressionException e) {
      throw e.in(source);
    }
    if (expContext.getForbidUnsafeExpressionResults()
        && result != null
        && !(result instanceof Number || result instanceof Boolean)) {
      // As Thymeleaf does for event handler attributes (th:onclick): text there would be script.
      throw ExpressionException.failed(
          "only numbers and booleans can be put into this attribute by ${" + source + "}");
    }
    if (expContext.getPerformTypeConversion() && result != null) {
      return TemplateExpression.Values.text(result);
    }
    return result;
  }

  /** The variables of one evaluation, read through Thymeleaf's context. */
  private static final class ContextScope implements TemplateExpression.Scope {

    private final IExpressionContext context;
    private final @Nullable Object selection;
    private final boolean selected;
    private final RenderBudget budget;

    ContextScope(IExpressionContext context, IStandardVariableExpression expression) {
      this.context = context;
      this.selected =
          expression.getUseSelectionAsRoot()
              && context instanceof ITemplateContext template
              && template.hasSelectionTarget();
      this.selection = selected ? ((ITemplateContext) context).getSelectionTarget() : null;
      this.budget =
          context instanceof TrackedVariables.TrackingEngineContext tracking
              ? tracking.budget()
              : new RenderBudget();
    }

    @Override
    public @Nullable Object variable(String name) {
      if (selected) {
        return TemplateExpression.Values.property(selection, name);
      }
      return context.getVariable(name);
    }

    @Override
    public boolean containsVariable(String name) {
      return context.containsVariable(name);
    }

    @Override
    public Locale locale() {
      return context.getLocale();
    }

    @Override
    public RenderBudget budget() {
      return budget;
    }
  }
}

package dev.mailroom.template;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import ognl.ASTAssign;
import ognl.ASTCtor;
import ognl.ASTEval;
import ognl.ASTStaticField;
import ognl.ASTStaticMethod;
import ognl.MethodAccessor;
import ognl.MethodFailedException;
import ognl.Node;
import ognl.ObjectMethodAccessor;
import ognl.ObjectPropertyAccessor;
import ognl.Ognl;
import ognl.OgnlException;
import ognl.OgnlRuntime;
import org.jspecify.annotations.Nullable;
import org.thymeleaf.context.IExpressionContext;
import org.thymeleaf.exceptions.TemplateProcessingException;
import org.thymeleaf.standard.expression.IStandardVariableExpression;
import org.thymeleaf.standard.expression.IStandardVariableExpressionEvaluator;
import org.thymeleaf.standard.expression.OGNLVariableExpressionEvaluator;
import org.thymeleaf.standard.expression.StandardExpressionExecutionContext;

/**
 * Evaluates {@code ${...}} with OGNL as Thymeleaf does, but only over the caller's variables and
 * the expression utility objects ({@code #strings}, {@code #numbers}, …).
 *
 * <p>Thymeleaf 3.1 already refuses classes of {@code java.*}, {@code jakarta.*} and a few other
 * packages in expressions. Templates come from API callers, so that is not enough: any other class
 * on the classpath (database driver, HTTP client, our own) could still be constructed or have its
 * static methods called, and the rendering context hands out the engine's configuration. So:
 *
 * <ul>
 *   <li>static methods and fields ({@code @Class@member}), constructors ({@code new X()}) and
 *       dynamic evaluation ({@code (expr)(root)}) are refused before evaluation;
 *   <li>of the context ({@code #ctx}, {@code #vars}, {@code #root} and method calls without a
 *       target), only variable lookups can be called;
 *   <li>no {@link Class} object is handed out ({@code getClass()}, {@code .class}), and none could
 *       be used.
 * </ul>
 *
 * Every refusal is a {@link ForbiddenExpressionException}, so that a template using one is refused
 * when it is stored.
 */
final class RestrictedExpressions implements IStandardVariableExpressionEvaluator {

  /** The context's methods that only read variables, as {@code #ctx.containsVariable('x')}. */
  private static final Set<String> CONTEXT_METHODS =
      Set.of("containsVariable", "getVariable", "getVariableNames", "getLocale");

  // Expressions come from templates, and from variables only where a template preprocesses one
  // (__${...}__); the bound keeps the second kind from growing without limit.
  private static final int MAX_VERDICTS = 10_000;

  /** Members that hand out {@link Class} objects, the way to class loaders and reflection. */
  private static final Set<String> CLASS_MEMBERS =
      Set.of("class", "getClass", "declaringClass", "getDeclaringClass");

  static {
    // OGNL looks accessors up by the target's class, walking up to Object; an accessor for a Class
    // target is looked up by the class it represents, so Object's accessors see those too.
    OgnlRuntime.setPropertyAccessor(Object.class, new ObjectProperties());
    OgnlRuntime.setMethodAccessor(Object.class, new ObjectMethods());
    OgnlRuntime.setMethodAccessor(Class.class, new ObjectMethods());
    OgnlRuntime.setMethodAccessor(
        TrackedVariables.TrackingEngineContext.class, new ContextMethods());
  }

  // Without Thymeleaf's shortcut for property chains (${a.b.c}), which reads any getter of any
  // object by reflection, past both its own restrictions and the accessors registered here.
  private final IStandardVariableExpressionEvaluator ognl =
      new OGNLVariableExpressionEvaluator(false);
  private final Map<String, Optional<String>> verdicts = new ConcurrentHashMap<>();

  @Override
  public Object evaluate(
      IExpressionContext context,
      IStandardVariableExpression expression,
      StandardExpressionExecutionContext expContext) {
    String source = expression.getExpression();
    if (source != null) {
      Optional<String> refusal = verdict(source);
      if (refusal.isPresent()) {
        throw new ForbiddenExpressionException(refusal.get() + " in ${" + source + "}");
      }
    }
    return ognl.evaluate(context, expression, expContext);
  }

  private Optional<String> verdict(String expression) {
    Optional<String> known = verdicts.get(expression);
    if (known != null) {
      return known;
    }
    Node tree;
    try {
      tree = (Node) Ognl.parseExpression(expression);
    } catch (OgnlException e) {
      return Optional.empty(); // Thymeleaf's evaluation reports the syntax error
    }
    Optional<String> verdict = Optional.ofNullable(refusal(tree));
    if (verdicts.size() >= MAX_VERDICTS) {
      verdicts.clear();
    }
    verdicts.put(expression, verdict);
    return verdict;
  }

  private static @Nullable String refusal(Node node) {
    if (node instanceof ASTStaticMethod || node instanceof ASTStaticField) {
      return "static members of classes are not available in email templates";
    }
    if (node instanceof ASTCtor) {
      return "creating objects is not available in email templates";
    }
    if (node instanceof ASTEval) {
      return "evaluating an expression built at render time is not available in email templates";
    }
    if (node instanceof ASTAssign) {
      return "assignments are not available in email templates";
    }
    for (int i = 0; i < node.jjtGetNumChildren(); i++) {
      String refusal = refusal(node.jjtGetChild(i));
      if (refusal != null) {
        return refusal;
      }
    }
    return null;
  }

  /** An expression reaches for something other than the variables it was given. */
  static final class ForbiddenExpressionException extends TemplateProcessingException {

    private static final long serialVersionUID = 1L;

    ForbiddenExpressionException(String message) {
      super(message);
    }
  }

  @SuppressWarnings("rawtypes") // OGNL's interfaces use raw types
  private static final class ContextMethods implements MethodAccessor {

    private final MethodAccessor standard = new ObjectMethodAccessor();

    @Override
    public Object callStaticMethod(Map context, Class targetClass, String name, Object[] args) {
      throw new ForbiddenExpressionException("'" + name + "' is not available in email templates");
    }

    @Override
    public Object callMethod(Map context, Object target, String name, Object[] args)
        throws MethodFailedException {
      if (!CONTEXT_METHODS.contains(name)) {
        throw new ForbiddenExpressionException(
            "'"
                + name
                + "' is not available in email templates; the context only offers "
                + String.join(", ", CONTEXT_METHODS.stream().sorted().toList()));
      }
      return standard.callMethod(context, target, name, args);
    }
  }

  private static ForbiddenExpressionException noClasses(Object member) {
    return new ForbiddenExpressionException(
        "classes are not available in email templates (tried '" + member + "')");
  }

  @SuppressWarnings("rawtypes")
  private static final class ObjectProperties extends ObjectPropertyAccessor {

    @Override
    public Object getProperty(Map context, Object target, Object name) throws OgnlException {
      if (target instanceof Class || CLASS_MEMBERS.contains(String.valueOf(name))) {
        throw noClasses(name);
      }
      return super.getProperty(context, target, name);
    }

    @Override
    public void setProperty(Map context, Object target, Object name, Object value) {
      throw new ForbiddenExpressionException("assignments are not available in email templates");
    }
  }

  @SuppressWarnings("rawtypes")
  private static final class ObjectMethods extends ObjectMethodAccessor {

    @Override
    public Object callStaticMethod(Map context, Class targetClass, String name, Object[] args) {
      throw new ForbiddenExpressionException(
          "static members of classes are not available in email templates");
    }

    @Override
    public Object callMethod(Map context, Object target, String name, Object[] args)
        throws MethodFailedException {
      if (target instanceof Class || CLASS_MEMBERS.contains(name)) {
        throw noClasses(name);
      }
      return super.callMethod(context, target, name, args);
    }
  }
}

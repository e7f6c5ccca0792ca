package dev.mailroom.template;

import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.thymeleaf.IEngineConfiguration;
import org.thymeleaf.context.EngineContext;
import org.thymeleaf.context.IContext;
import org.thymeleaf.context.IEngineContext;
import org.thymeleaf.context.IEngineContextFactory;
import org.thymeleaf.context.StandardEngineContextFactory;
import org.thymeleaf.engine.TemplateData;

/**
 * The caller's variables for one render, and the names the template looked up but did not find.
 *
 * <p>Thymeleaf does not evaluate expressions against the {@link IContext} it is given: it copies
 * the variables into an engine context of its own, and {@link TemplateExpressions} reads every
 * {@code ${name}} (and the first step of {@code ${user.name}}) from that. So the lookups are
 * observed there, by {@link Factory}, which builds a {@link TrackingEngineContext} for these
 * variables. The same context holds the {@link RenderBudget} of the part being rendered.
 */
final class TrackedVariables implements IContext {

  private final Map<String, @Nullable Object> values;
  private final Locale locale;
  private final SortedSet<String> missing;
  private final boolean discovering;
  private RenderBudget budget = new RenderBudget();

  TrackedVariables(Map<String, ? extends @Nullable Object> values, Locale locale) {
    this(Collections.unmodifiableMap(new HashMap<>(values)), locale, new TreeSet<>(), false);
  }

  private TrackedVariables(
      Map<String, @Nullable Object> values,
      Locale locale,
      SortedSet<String> missing,
      boolean discovering) {
    this.values = values;
    this.locale = locale;
    this.missing = missing;
    this.discovering = discovering;
  }

  /**
   * The same variables, adding to the same missing names, but with every missing variable standing
   * in as {@link Absent} instead of null. Rendering with these only serves to find the missing
   * names that a failed render never reached.
   */
  TrackedVariables discovering() {
    return new TrackedVariables(values, locale, missing, true);
  }

  /** A fresh budget for the next part rendered with these variables. */
  RenderBudget startPart() {
    budget = new RenderBudget();
    return budget;
  }

  /** Names looked up and not found, sorted. */
  SortedSet<String> missing() {
    return missing;
  }

  @Override
  public Locale getLocale() {
    return locale;
  }

  @Override
  public boolean containsVariable(String name) {
    return values.containsKey(name);
  }

  @Override
  public Set<String> getVariableNames() {
    return values.keySet();
  }

  @Override
  public @Nullable Object getVariable(String name) {
    return values.get(name);
  }

  /** Gives Thymeleaf a {@link TrackingEngineContext} whenever it renders tracked variables. */
  static final class Factory implements IEngineContextFactory {

    private final IEngineContextFactory standard = new StandardEngineContextFactory();

    @Override
    public IEngineContext createEngineContext(
        IEngineConfiguration configuration,
        TemplateData templateData,
        @Nullable Map<String, Object> templateResolutionAttributes,
        IContext context) {
      if (context instanceof TrackedVariables variables) {
        return new TrackingEngineContext(
            configuration, templateData, templateResolutionAttributes, variables);
      }
      return standard.createEngineContext(
          configuration, templateData, templateResolutionAttributes, context);
    }
  }

  /**
   * Notes a lookup as missing only when the name is neither a caller variable (even one whose value
   * is null) nor a variable the template declared itself ({@code th:each}, {@code th:with}).
   */
  static final class TrackingEngineContext extends EngineContext {

    private final TrackedVariables variables;

    TrackingEngineContext(
        IEngineConfiguration configuration,
        TemplateData templateData,
        @Nullable Map<String, Object> templateResolutionAttributes,
        TrackedVariables variables) {
      super(
          configuration,
          templateData,
          templateResolutionAttributes,
          variables.locale,
          variables.values);
      this.variables = variables;
    }

    @Override
    public @Nullable Object getVariable(String name) {
      Object value = super.getVariable(name);
      if (value == null && !containsVariable(name)) {
        variables.missing.add(name);
        return variables.discovering ? Absent.INSTANCE : null;
      }
      return value;
    }

    /** The steps and time left to this part: Thymeleaf builds one context per part it renders. */
    RenderBudget budget() {
      return variables.budget;
    }

    // Every th:each iteration and th:with sets variables here, even where the body evaluates
    // nothing, so the budget sees loops; and text a template builds outside ${...} (th:with with
    // Thymeleaf's own '+' or |...|) is measured before it can double again.
    @Override
    public void setVariable(String name, @Nullable Object value) {
      charge(value);
      super.setVariable(name, value);
    }

    @Override
    public void setVariables(@Nullable Map<String, Object> variables) {
      if (variables != null) {
        variables.values().forEach(this::charge);
      }
      super.setVariables(variables);
    }

    private void charge(@Nullable Object value) {
      if (variables == null) {
        return; // the caller's own variables, set by the super constructor
      }
      variables.budget.charge(1);
      if (value instanceof CharSequence text) {
        RenderBudget.checkLength(text.length());
      }
    }
  }
}

package dev.mailroom.template;

import java.time.Duration;

/**
 * What one template may cost. Templates come from API callers, so each render is bounded in every
 * dimension a template controls: breaching a limit fails the render with a 422, never a 500 or a
 * busy thread. Documented in the README's template section.
 */
final class TemplateLimits {

  /** Characters in one {@code ${...}} expression, and in one attribute's expression. */
  static final int MAX_EXPRESSION_LENGTH = 2_000;

  /** Nesting of parentheses, brackets and operators in one expression. */
  static final int MAX_NESTING = 32;

  /** Characters of output per part (subject, HTML, text), and of any one computed string. */
  static final int MAX_OUTPUT_CHARS = 1 << 20;

  /**
   * Steps per part: each evaluated expression node, each iteration of {@code th:each} and each
   * variable a template sets counts one.
   */
  static final long MAX_STEPS = 300_000;

  /**
   * Wall-clock time per part, checked at every step and every write: a backstop behind the step
   * count, generous because a first render on a busy machine also loads classes.
   */
  static final Duration MAX_RENDER_TIME = Duration.ofSeconds(10);

  private TemplateLimits() {}
}

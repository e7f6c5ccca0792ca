package dev.mailroom.template;

/**
 * The steps and time left to one part of one render. Charged by the expression evaluator for every
 * node it evaluates, by the engine context for every variable a template sets (so every {@code
 * th:each} iteration, even one whose body evaluates nothing); the output checks the time. One part
 * renders on one thread, so no synchronisation.
 */
final class RenderBudget {

  private final long deadline;
  private long steps;

  RenderBudget() {
    this.deadline = System.nanoTime() + TemplateLimits.MAX_RENDER_TIME.toNanos();
  }

  void charge(long cost) {
    steps += cost;
    if (steps > TemplateLimits.MAX_STEPS) {
      throw ExpressionException.limit(
          "the template does more than "
              + TemplateLimits.MAX_STEPS
              + " steps (expression operations, iterations and variables set) in one part");
    }
    checkTime();
  }

  void checkTime() {
    if (System.nanoTime() - deadline > 0) {
      throw ExpressionException.limit(
          "rendering one part takes longer than "
              + TemplateLimits.MAX_RENDER_TIME.toMillis()
              + " ms");
    }
  }

  /** Refuses a computed string or output longer than one part may be. */
  static void checkLength(long length) {
    if (length > TemplateLimits.MAX_OUTPUT_CHARS) {
      throw ExpressionException.limit(
          "the template produces text longer than "
              + TemplateLimits.MAX_OUTPUT_CHARS
              + " characters in one part");
    }
  }
}

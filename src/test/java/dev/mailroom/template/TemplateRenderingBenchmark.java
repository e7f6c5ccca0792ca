package dev.mailroom.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What rendering the shipped {@code welcome} template costs at intake, with the variables the
 * benchmark in {@code bench/} sends, and how much of it is deriving its text part: measured, not
 * checked (run with {@code -Dbenchmark.excluded=none -Dtest=TemplateRenderingBenchmark}).
 */
@Tag("benchmark")
class TemplateRenderingBenchmark {

  private static final int WARM_UP = 20_000;
  private static final int MEASURED = 20_000;
  private static final int ROUNDS = 5;

  // CPU time of the measuring thread, which a machine busy with other work disturbs less than
  // elapsed time.
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private static final Map<String, Object> BENCH_VARIABLES =
      Map.of("name", "Ada", "productName", "Acme", "actionUrl", "https://acme.example/start");

  @Test
  void welcomeRenderAndDerivedText() {
    TemplateRenderer renderer = FileTemplates.renderer(null);
    String html = renderer.render("acme", "welcome", null, BENCH_VARIABLES).html();

    measure(
        "render of welcome (subject, html, derived text)",
        () -> renderer.render("acme", "welcome", null, BENCH_VARIABLES).text());
    measure("HtmlToText.convert of welcome's html", () -> HtmlToText.convert(html));
    // HTML without markup, as ad-hoc emails that give only a plain "html" have.
    String plain = HtmlToText.convert(html).replace("\n", " ");
    measure(
        "HtmlToText.convert of welcome's text, without markup", () -> HtmlToText.convert(plain));
  }

  private static void measure(String what, Supplier<String> call) {
    long chars = 0;
    for (int i = 0; i < WARM_UP; i++) {
      chars += call.get().length();
    }
    for (int round = 1; round <= ROUNDS; round++) {
      long start = System.nanoTime();
      long cpuStart = THREADS.getCurrentThreadCpuTime();
      for (int i = 0; i < MEASURED; i++) {
        chars += call.get().length();
      }
      double cpu = (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1_000.0 / MEASURED;
      double wall = (System.nanoTime() - start) / 1_000.0 / MEASURED;
      System.out.printf(
          "%s, round %d: %.1f us of CPU per call (%.1f us elapsed)%n", what, round, cpu, wall);
    }
    assertThat(chars).isPositive();
  }
}

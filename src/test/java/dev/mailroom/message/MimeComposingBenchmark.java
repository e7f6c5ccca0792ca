package dev.mailroom.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.message.MimeComposer.AttachedFile;
import dev.mailroom.message.MimeComposer.Draft;
import jakarta.mail.internet.InternetAddress;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What composing the MIME message costs intake, per email: measured, not checked (run with {@code
 * -Dbenchmark.excluded=none -Dtest=MimeComposingBenchmark}). One thread, three rounds each, so that
 * a reader sees the spread the shared machine adds.
 */
@Tag("benchmark")
class MimeComposingBenchmark {

  private static final int WARM_UP = 20_000;
  private static final int MEASURED = 20_000;
  private static final int ROUNDS = 3;

  private final MimeComposer composer = new MimeComposer();
  private final JakartaMailComposer jakartaMail = new JakartaMailComposer();

  @Test
  void composingCostPerEmail() throws Exception {
    Map<String, Draft> drafts = new LinkedHashMap<>();
    drafts.put("welcome (ASCII text + HTML)", welcome());
    drafts.put("non-ASCII text + HTML, custom headers", nonAscii());
    drafts.put("text + HTML, inline image and a 20 KiB file", withAttachments());
    Map<String, Function<Draft, byte[]>> composers = new LinkedHashMap<>();
    composers.put("MimeComposer", composer::compose);
    composers.put("JakartaMailComposer (before)", jakartaMail::compose);
    for (Map.Entry<String, Draft> draft : drafts.entrySet()) {
      for (Map.Entry<String, Function<Draft, byte[]>> compose : composers.entrySet()) {
        measure(draft.getKey(), draft.getValue(), compose.getKey(), compose.getValue());
      }
    }
  }

  private static void measure(
      String draftName, Draft draft, String composerName, Function<Draft, byte[]> compose) {
    long size = 0;
    for (int i = 0; i < WARM_UP; i++) {
      size += compose.apply(draft).length;
    }
    for (int round = 1; round <= ROUNDS; round++) {
      long start = System.nanoTime();
      for (int i = 0; i < MEASURED; i++) {
        size += compose.apply(draft).length;
      }
      double micros = (System.nanoTime() - start) / 1_000.0 / MEASURED;
      System.out.printf(
          "%s, %s, %d bytes: %.1f us per email, %.0f emails/s (round %d)%n",
          composerName, draftName, compose.apply(draft).length, micros, 1_000_000 / micros, round);
    }
    assertThat(size).isPositive();
  }

  private static Draft welcome() {
    String html =
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Welcome</title></head><body>"
            + "<h1>Welcome to Acme, Ada!</h1>\n"
            + "<p>Thanks for signing up. Your account is ready, and everything you need is one"
            + " click away.</p>\n".repeat(6)
            + "<p><a href=\"https://acme.example/start\">Get started</a></p>\n"
            + "<p style=\"color:#888;font-size:12px\">You receive this because you signed up at"
            + " acme.example.</p></body></html>\n";
    String text =
        "Welcome to Acme, Ada!\n\n"
            + "Thanks for signing up. Your account is ready, and everything you need is one click"
            + " away.\n".repeat(6)
            + "\nGet started: https://acme.example/start\n\n"
            + "You receive this because you signed up at acme.example.\n";
    return new Draft(
        address("noreply@acme.example", "Acme"),
        List.of(address("ada@example.com", null)),
        List.of(),
        List.of(),
        "Welcome to Acme, Ada",
        html,
        text,
        "<5d0c9a52-6f3e-4b8e-8a3b-2b7c1e0d9f11@acme.example>",
        Instant.now());
  }

  private static Draft nonAscii() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("X-Campaign", "Rentrée d’hiver");
    headers.put("List-Unsubscribe", "<https://acme.example/unsubscribe?u=42>");
    return new Draft(
        address("noreply@acme.example", "Ünïcödé Støre"),
        List.of(address("jose@example.com", "José Müller")),
        List.of(),
        List.of(),
        "Grüße aus Zürich: Ihre Bestellung ✓ ist unterwegs",
        "<p>Hallo <b>José</b>, Ihre Bestellung ist unterwegs. Ça marche ✓</p>\n".repeat(15),
        "Hallo José, Ihre Bestellung ist unterwegs. Ça marche ✓\n".repeat(15),
        "<0b6f1c3e-8d2a-4c4e-9a55-3f1f0c3e2b7a@acme.example>",
        Instant.now(),
        List.of(),
        headers);
  }

  private static Draft withAttachments() {
    byte[] file = new byte[20 * 1024];
    for (int i = 0; i < file.length; i++) {
      file[i] = (byte) (i * 31);
    }
    Draft welcome = welcome();
    return new Draft(
        welcome.from(),
        welcome.to(),
        welcome.cc(),
        welcome.replyTo(),
        "Your invoice",
        welcome.html() + "<img src=\"cid:logo@acme.example\">",
        welcome.text(),
        welcome.messageId(),
        welcome.date(),
        List.of(
            new AttachedFile("logo.png", "image/png", new byte[600], "logo@acme.example"),
            new AttachedFile("invoice 42.pdf", "application/pdf", file, null)),
        Map.of());
  }

  private static InternetAddress address(String email, @Nullable String name) {
    try {
      return new InternetAddress(email, name, StandardCharsets.UTF_8.name());
    } catch (UnsupportedEncodingException e) {
      throw new IllegalStateException(e);
    }
  }
}

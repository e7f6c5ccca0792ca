package dev.mailroom.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailroom.message.MimeComposer.AttachedFile;
import dev.mailroom.message.MimeComposer.Draft;
import jakarta.mail.internet.InternetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The composer against the Jakarta Mail composer it replaced ({@link JakartaMailComposer}), on
 * drafts made at random from the pieces that steer MIME writing: ASCII and non-ASCII text in every
 * proportion (which picks 7bit, quoted-printable or base64), control characters, bare CR and LF,
 * trailing white space, '=', long lines, "From " and "." at line starts, display names and header
 * values to encode and fold, and attachments of every base64 line length. The same bytes, apart
 * from the boundaries, for every draft. The seed is fixed, so a failure names a draft that can be
 * made again.
 */
class MimeComposerMatchesJakartaMailTest {

  private static final int DRAFTS = 1_500;

  private static final String[] PIECES = {
    "a",
    "Hello",
    " ",
    "  ",
    "\t",
    "=",
    "==",
    ".",
    "From ",
    "\n",
    "\r",
    "\r\n",
    "\n\n",
    " \n",
    "\t\r\n",
    "é",
    "ü",
    "✓",
    "東京",
    "📦",
    "\u0000",
    "\u0007",
    "\u001b",
    "\u007f",
    "\u0085",
    "\ud800",
    "<p>",
    "</p>",
    "=?utf-8?B?QQ==?=",
    "https://acme.example/a?b=c&d=e",
    "0123456789"
  };

  private static final String[] HEADER_NAMES = {
    "X-Campaign",
    "List-Unsubscribe",
    "References",
    "In-Reply-To",
    "Keywords",
    "Comments",
    "Auto-Submitted",
    "X-Entity-Ref-ID",
    "Precedence",
    "x-lower"
  };

  private final MimeComposer composer = new MimeComposer();
  private final JakartaMailComposer reference = new JakartaMailComposer();

  @Test
  void composesWhatJakartaMailComposedForAnyDraft() {
    Random random = new Random(20261201L);
    for (int i = 0; i < DRAFTS; i++) {
      Draft draft = draft(random, i);
      assertThat(comparable(composer.compose(draft)))
          .as("draft %d", i)
          .isEqualTo(comparable(reference.compose(draft)));
    }
  }

  /**
   * The message with its boundaries numbered, and the boundary parameter on the Content-Type line
   * wherever it was: both composers fold it onto a line of its own unless the boundary, random in
   * length, happens to be short enough to fit (a few in ten thousand).
   */
  private static String comparable(byte[] mime) {
    return MimeComposerGoldenTest.masked(mime).replace("; \r\n\tboundary=", "; boundary=");
  }

  @Test
  void inlineAttachmentsNeedAnHtmlBody() {
    Draft draft =
        new Draft(
            MimeComposerGoldenTest.address("noreply@acme.example", "Acme"),
            List.of(MimeComposerGoldenTest.address("ada@example.com", null)),
            List.of(),
            List.of(),
            "Logo",
            null,
            "text",
            "<1@acme.example>",
            Instant.now(),
            List.of(new AttachedFile("a.png", "image/png", new byte[3], "a@acme.example")),
            Map.of());

    assertThatThrownBy(() -> composer.compose(draft))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("inline attachments need an html body");
  }

  private static Draft draft(Random random, int n) {
    boolean html = random.nextInt(4) > 0;
    List<AttachedFile> attachments = new ArrayList<>();
    int inline = html && random.nextInt(3) == 0 ? 1 + random.nextInt(2) : 0;
    for (int i = 0; i < inline; i++) {
      attachments.add(file(random, "logo" + i + ".png", "image/png", "logo" + i + "@acme.example"));
    }
    int files = random.nextInt(3) == 0 ? 1 + random.nextInt(3) : 0;
    for (int i = 0; i < files; i++) {
      String name = random.nextBoolean() ? "file " + i + ".pdf" : text(random, 1, 40) + ".bin";
      String type =
          random.nextBoolean() ? "application/pdf" : "text/plain; charset=utf-8; name=old.txt";
      attachments.add(file(random, name, type, null));
    }
    Map<String, String> headers = new LinkedHashMap<>();
    int headerCount = random.nextInt(4);
    for (int i = 0; i < headerCount; i++) {
      headers.put(HEADER_NAMES[random.nextInt(HEADER_NAMES.length)], line(random, 120));
    }
    return new Draft(
        MimeComposerGoldenTest.address(
            "noreply@acme.example", random.nextBoolean() ? line(random, 30) : null),
        addresses(random, "to", random.nextInt(4)),
        addresses(random, "cc", random.nextInt(2)),
        addresses(random, "reply", random.nextInt(2)),
        line(random, 150),
        html ? text(random, 0, 3_000) : null,
        text(random, 0, random.nextInt(10) == 0 ? 6_000 : 1_500),
        "<" + n + "@acme.example>",
        Instant.ofEpochSecond(1_780_000_000L + random.nextInt(100_000_000)),
        attachments,
        headers);
  }

  /** Text made of the pieces, at times with a run long enough to exceed a line's 998 bytes. */
  private static String text(Random random, int min, int max) {
    int length = min + random.nextInt(max - min + 1);
    StringBuilder text = new StringBuilder();
    String[] pieces = random.nextBoolean() ? PIECES : asciiPieces();
    while (text.length() < length) {
      if (random.nextInt(200) == 0) {
        text.append("x".repeat(990 + random.nextInt(20)));
      } else {
        text.append(pieces[random.nextInt(pieces.length)]);
      }
    }
    return text.toString();
  }

  /** A header value: what intake lets through, one line without control characters. */
  private static String line(Random random, int max) {
    return text(random, 1, max).replaceAll("[\\p{Cntrl}\\u0085\\ud800]", " ");
  }

  private static String[] asciiPieces() {
    return java.util.Arrays.stream(PIECES)
        .filter(p -> p.chars().allMatch(c -> c < 0x7F))
        .toArray(String[]::new);
  }

  private static AttachedFile file(
      Random random, String name, String type, @Nullable String contentId) {
    int[] lengths = {0, 1, 2, 3, 56, 57, 58, 114, 1_000, 9_000, 20_000};
    byte[] content = new byte[lengths[random.nextInt(lengths.length)]];
    random.nextBytes(content);
    return new AttachedFile(name, type, content, contentId);
  }

  private static List<InternetAddress> addresses(Random random, String local, int count) {
    List<InternetAddress> addresses = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String name = random.nextBoolean() ? line(random, 40) : null;
      addresses.add(MimeComposerGoldenTest.address(local + i + "@example.com", name));
    }
    return addresses;
  }
}

package dev.mailroom.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.message.MimeComposer.AttachedFile;
import dev.mailroom.message.MimeComposer.Draft;
import dev.mailroom.template.HtmlToText;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MailDateFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The bytes the composer writes for fixed drafts, compared with golden files: headers, structure
 * and every part exactly, apart from the random multipart boundaries and the zone the Date header
 * is written in. A change here changes what every relay receives.
 */
class MimeComposerTest {

  private static final Instant DATE = Instant.parse("2026-12-01T09:30:00Z");
  private static final Pattern BOUNDARY = Pattern.compile("boundary=\"([^\"]+)\"");
  private static final Pattern DATE_HEADER = Pattern.compile("(?m)^Date: ([^\r\n]*)");

  private final MimeComposer composer = new MimeComposer();

  @Test
  void textAndHtmlBecomeAnAlternativeWithEncodedHeaders() throws Exception {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("X-Campaign", "Rentrée d’hiver");
    headers.put("List-Unsubscribe", "<https://acme.test/unsubscribe?u=1>");
    Draft draft =
        new Draft(
            address("no-reply@acme.test", "Acme Équipe"),
            List.of(
                address("ada@example.com", "Ada Lovelace"), address("zoe@xn--bcher-kva.de", null)),
            List.of(address("cc@example.com", "Copie")),
            List.of(address("help@acme.test", "Acme Help")),
            "Votre commande A-1001 est confirmée ✓",
            "<p>Bonjour <b>Zoé</b>,</p><p>Merci.</p>",
            "Bonjour Zoé,\n\nMerci.",
            "<7c1e2f9a-0000-4000-8000-000000000001@acme.test>",
            DATE,
            List.of(),
            headers);

    assertMatchesGolden(draft, "alternative.eml");
  }

  @Test
  void htmlOnlyGetsTheTextDerivedFromIt() throws Exception {
    String html = "<h1>Reset</h1><p>Use <a href=\"https://acme.test/r?t=1\">this link</a>.</p>";
    Draft draft =
        new Draft(
            address("no-reply@acme.test", null),
            List.of(address("ada@example.com", null)),
            List.of(),
            List.of(),
            "Reset your password",
            html,
            text(null, html),
            "<7c1e2f9a-0000-4000-8000-000000000002@acme.test>",
            DATE);

    assertMatchesGolden(draft, "html-only.eml");
  }

  @Test
  void textOnlyIsASinglePlainPart() throws Exception {
    Draft draft =
        new Draft(
            address("no-reply@acme.test", "Acme"),
            List.of(),
            List.of(address("ops@example.com", null)),
            List.of(),
            "Nightly report",
            null,
            text("All 3 jobs finished.\nNothing failed.", null),
            "<7c1e2f9a-0000-4000-8000-000000000003@acme.test>",
            DATE);

    assertMatchesGolden(draft, "text-only.eml");
  }

  @Test
  void everyLineBreakOfTheBodyIsWrittenAsCrlf() throws Exception {
    Draft draft =
        new Draft(
            address("no-reply@acme.test", "Acme"),
            List.of(address("ada@example.com", null)),
            List.of(),
            List.of(),
            "Line breaks",
            "<p>One</p>\n<p>Two</p>\r<p>Three</p>\r\n",
            "One\nTwo\rThree\r\n\nFive",
            "<7c1e2f9a-0000-4000-8000-000000000005@acme.test>",
            DATE);

    String composed = new String(composer.compose(draft), StandardCharsets.US_ASCII);

    // A relay turns a bare LF or CR into CRLF: the bytes stored (and DKIM-signed) must already be
    // the bytes received.
    assertThat(Pattern.compile("\r(?!\n)|(?<!\r)\n").matcher(composed).find()).isFalse();
    assertThat(composed)
        .contains("\r\n\r\nOne\r\nTwo\r\nThree\r\n\r\nFive\r\n")
        .contains("\r\n\r\n<p>One</p>\r\n<p>Two</p>\r\n<p>Three</p>\r\n");
  }

  @Test
  void attachmentsWrapTheBodyInRelatedAndMixed() throws Exception {
    String html = "<p>Your invoice <img src=\"cid:logo@acme.test\" alt=\"Acme\"></p>";
    Draft draft =
        new Draft(
            address("billing@acme.test", "Acme Billing"),
            List.of(address("ada@example.com", "Ada")),
            List.of(),
            List.of(),
            "Invoice 42",
            html,
            text(null, html),
            "<7c1e2f9a-0000-4000-8000-000000000004@acme.test>",
            DATE,
            List.of(
                new AttachedFile(
                    "logo.png",
                    "image/png",
                    new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2},
                    "logo@acme.test"),
                new AttachedFile(
                    "請求書 2026年12月 株式会社アクメ 御中 — ご確認ください.pdf",
                    "application/pdf; name=ignored.pdf",
                    "%PDF-1.7 fake".getBytes(StandardCharsets.US_ASCII),
                    null),
                new AttachedFile(
                    "notes.txt",
                    "text/plain; charset=utf-8",
                    "Zoé".getBytes(StandardCharsets.UTF_8),
                    null)),
            Map.of());

    assertMatchesGolden(draft, "attachments.eml");
  }

  private void assertMatchesGolden(Draft draft, String name) throws Exception {
    String composed = normalised(new String(composer.compose(draft), StandardCharsets.US_ASCII));
    assertThat(composed).isEqualTo(golden(name));
  }

  private static String text(@Nullable String text, @Nullable String html) {
    return HtmlToText.textBody(text, html);
  }

  private static String golden(String name) throws IOException {
    try (InputStream in = MimeComposerTest.class.getResourceAsStream("/message/" + name)) {
      assertThat(in).as("golden file %s", name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  /** Numbers boundaries in order of appearance and writes the Date header in UTC. */
  static String normalised(String message) throws ParseException {
    Matcher boundaries = BOUNDARY.matcher(message);
    int n = 0;
    while (boundaries.find()) {
      message = message.replace(boundaries.group(1), "BOUNDARY-" + ++n);
      boundaries = BOUNDARY.matcher(message);
      for (int i = 0; i < n; i++) {
        boundaries.find();
      }
    }
    Matcher date = DATE_HEADER.matcher(message);
    if (date.find()) {
      Instant sent = new MailDateFormat().parse(date.group(1)).toInstant();
      message = date.replaceFirst("Date: " + sent);
    }
    return message;
  }

  private static InternetAddress address(String email, @Nullable String name)
      throws UnsupportedEncodingException {
    return new InternetAddress(email, name, StandardCharsets.UTF_8.name());
  }
}

package dev.mailroom.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.message.MimeComposer.AttachedFile;
import dev.mailroom.message.MimeComposer.Draft;
import dev.mailroom.template.HtmlToText;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Complements {@link MimeComposerTest} with non-ASCII display names, subjects and custom headers
 * (RFC 2047 words and folding), Cc and Reply-To, custom fields that Jakarta Mail's header order
 * puts in a place of their own (In-Reply-To, References, Comments, Keywords), every transfer
 * encoding a text part can get (7bit; quoted-printable for mostly-ASCII text, long lines and
 * control characters; base64 for mostly non-ASCII text), the line ends and edges of each (trailing
 * white space, '=', lines starting with "From " or ".", empty parts), and attachments: inline only,
 * files only, both, and base64 lengths that end a line exactly. The composed message, byte for
 * byte, against messages composed by an earlier version and checked in under {@code
 * src/test/resources/golden/mime}: structure, every header, encodings, folding and the encoded
 * bodies. Only what changes from one composition to the next is masked: the boundaries (numbered in
 * order of appearance) and the Date field's value. A change to how messages are built that changes
 * what recipients receive fails here; to accept such a change on purpose, replace the expected file
 * with the one this test writes to {@code target/golden/mime}.
 */
class MimeComposerGoldenTest {

  private static final Pattern BOUNDARY = Pattern.compile("boundary=\"([^\"]+)\"");
  private static final Pattern DATE = Pattern.compile("(?m)^Date: [^\r\n]*\r\n");
  private static final Instant DATE_SENT = Instant.parse("2026-03-04T05:06:07Z");

  private final MimeComposer composer = new MimeComposer();

  static List<String> drafts() {
    return List.copyOf(drafts.keySet());
  }

  @ParameterizedTest
  @MethodSource("drafts")
  void composesTheSameMessageAsBefore(String name) throws IOException {
    String composed = masked(composer.compose(drafts.get(name)));
    String expected = expected(name);
    if (!composed.equals(expected)) {
      Path actual = Path.of("target", "golden", "mime", name + ".eml");
      Files.createDirectories(actual.getParent());
      Files.writeString(actual, composed, StandardCharsets.US_ASCII);
    }
    assertThat(composed).isEqualTo(expected);
  }

  @ParameterizedTest
  @MethodSource("drafts")
  void composesTheSameMessageEveryTime(String name) {
    Draft draft = drafts.get(name);
    assertThat(masked(composer.compose(draft))).isEqualTo(masked(composer.compose(draft)));
  }

  /**
   * The message as text, with its boundaries numbered in order, each boundary parameter folded and
   * the Date value fixed.
   */
  static String masked(byte[] mime) {
    String text = new String(mime, StandardCharsets.US_ASCII);
    assertThat(text).as("the message is 7-bit ASCII").isEqualTo(latin1(mime));
    List<String> boundaries = BOUNDARY.matcher(text).results().map(m -> m.group(1)).toList();
    for (int i = 0; i < boundaries.size(); i++) {
      text = text.replace(boundaries.get(i), "BOUNDARY-" + (i + 1));
    }
    // The parameter is folded onto a line of its own unless the random boundary is short enough to
    // fit on the Content-Type line (a few messages in 10,000): the golden files show it folded.
    text = text.replace("; boundary=\"BOUNDARY-", "; \r\n\tboundary=\"BOUNDARY-");
    assertThat(DATE.matcher(text).results().count()).as("one Date field").isEqualTo(1);
    return DATE.matcher(text).replaceFirst("Date: (date)\r\n");
  }

  private static String latin1(byte[] mime) {
    return new String(mime, StandardCharsets.ISO_8859_1);
  }

  private static String expected(String name) throws IOException {
    try (InputStream in =
        MimeComposerGoldenTest.class.getResourceAsStream("/golden/mime/" + name + ".eml")) {
      return in == null
          ? "(no golden/mime/" + name + ".eml)"
          : new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  private static final Map<String, Draft> drafts = new LinkedHashMap<>();

  static {
    drafts.put(
        "text-only",
        draft("Your code", null, "Your code is 123456.\nIt expires in 10 minutes.\n", List.of()));
    drafts.put(
        "html-derived-text",
        draft(
            "Welcome aboard",
            "<html><body><h1>Welcome, Ada</h1><p>Start at <a href=\"https://acme.example/start\">"
                + "your dashboard</a>.</p><ul><li>One</li><li>Two</li></ul></body></html>",
            null,
            List.of()));
    drafts.put(
        "html-and-text",
        draft(
            "Receipt 42",
            "<p>Thanks for your order.</p><table><tr><td>Total</td><td>12.00 EUR</td></tr></table>",
            "Thanks for your order.\nTotal: 12.00 EUR",
            List.of()));
    drafts.put(
        "attachments",
        draft(
            "Your invoice",
            "<p>Invoice attached. <img src=\"cid:logo@acme.example\"></p>",
            "Invoice attached.",
            List.of(
                new AttachedFile(
                    "logo.png",
                    "image/png",
                    bytes(0x89, 'P', 'N', 'G', 0, 1, 2),
                    "logo@acme.example"),
                new AttachedFile("invoice 42.pdf", "application/pdf", pdf(), null),
                new AttachedFile(
                    "Rechnung für März – ünïcödé.txt",
                    "text/plain; charset=UTF-8",
                    "Grüße\n".getBytes(StandardCharsets.UTF_8),
                    null))));
    drafts.put(
        "text-with-file",
        draft(
            "Report",
            null,
            "The report is attached.",
            List.of(new AttachedFile("report.csv", "text/csv", "a,b\n1,2\n".getBytes(), null))));
    drafts.put(
        "non-ascii-and-headers",
        new Draft(
            address("noreply@acme.example", "Ünïcödé Støre 東京"),
            List.of(
                address("ada@example.com", "Ada Lovelace"),
                address("jose@example.com", "José Müller, Jr.")),
            List.of(address("cc@example.com", "Zoë")),
            List.of(address("support@acme.example", "Support – Acme")),
            "Grüße aus Zürich: your order ✓ has shipped, and this subject is long enough to fold",
            "<p>Hallo <b>José</b>, Ihre Bestellung ist unterwegs. Ça marche ✓</p>",
            "Hallo José, Ihre Bestellung ist unterwegs. Ça marche ✓",
            "<0b6f1c3e-8d2a-4c4e-9a55-3f1f0c3e2b7a@acme.example>",
            DATE_SENT,
            List.of(),
            headers(
                "X-Campaign", "spring-2026",
                "List-Unsubscribe", "<https://acme.example/unsubscribe?u=42>",
                "X-Note", "Grüße – non-ASCII header value that is long enough to need folding ✓")));
    drafts.put(
        "text-only-non-ascii",
        draft("Grüße", null, "Grüße aus Zürich, José.\nÇa marche ✓\n", List.of()));
    drafts.put(
        "mostly-non-ascii-bodies",
        draft(
            "ご注文ありがとうございます",
            "<p>ご注文ありがとうございます。発送は明日です。</p>",
            "ご注文ありがとうございます。\n発送は明日です。\nЗаказ отправлен 📦",
            List.of()));
    drafts.put(
        "mixed-encodings",
        draft(
            "Two encodings",
            "<p>Plain ASCII markup, nothing to encode.</p>",
            "Только кириллица в этом тексте",
            List.of()));
    drafts.put(
        "long-lines",
        draft(
            "Long lines",
            "<p>" + "x".repeat(1200) + "</p>",
            "a".repeat(998) + "\n" + "b".repeat(999) + "\n" + "short line\n",
            List.of()));
    drafts.put(
        "line-of-998-bytes",
        draft(
            "Just short enough",
            "<p>" + "y".repeat(991) + "</p>",
            "z".repeat(998) + "\nend",
            List.of()));
    drafts.put("as-many-ascii-as-non-ascii-bytes", draft("Balance", "<p>é</p>", "éab", List.of()));
    drafts.put(
        "from-and-dot-lines",
        draft(
            "From and dots",
            "<pre>\nFrom here\n.\n..\n.hidden\n</pre>",
            "From the start\n.\n..two\n.\r\nFrom me, with a trailing space \nend.",
            List.of()));
    drafts.put(
        "quoted-printable-edges",
        draft(
            "Edges",
            "<p>Prix = 12 € \t</p>  \n<p>fin</p> ",
            "a=b, c==d, tab\there, trailing space \nand tab\t\nnon-ASCII ü \nlast ",
            List.of()));
    drafts.put(
        "control-characters",
        draft(
            "Controls",
            "<p>bell\u0007 and delete\u007f</p>",
            "form\ffeed, escape\u001b, null\u0000, del\u007f, tab\tok",
            List.of()));
    drafts.put(
        "lone-surrogate",
        draft("Broken \ud800 text", "<p>broken \udc00 html</p>", "broken \ud83d text", List.of()));
    drafts.put("empty-text-part", draft("Empty text", "<p></p>", "", List.of()));
    drafts.put("empty-text-only", draft("Nothing", null, "", List.of()));
    drafts.put(
        "line-breaks",
        draft("Breaks", "\r\r\n\n<p>a</p>\r\n", "\n\nOne\rTwo\r\n\r\nThree\n\r\n\r", List.of()));
    drafts.put(
        "inline-only",
        draft(
            "Logos",
            "<p><img src=\"cid:a@acme.example\"><img src=\"cid:b@acme.example\"></p>",
            "Logos",
            List.of(
                new AttachedFile("a.png", "image/png", pattern(57), "a@acme.example"),
                new AttachedFile(
                    "b.gif", "image/gif; name=old.gif", pattern(114), "b@acme.example"))));
    drafts.put(
        "many-files",
        draft(
            "Files",
            null,
            "Ünïcödé text with files.",
            List.of(
                new AttachedFile("empty.bin", "application/octet-stream", new byte[0], null),
                new AttachedFile("one.bin", "application/octet-stream", pattern(1), null),
                new AttachedFile("line.bin", "application/octet-stream", pattern(57), null),
                new AttachedFile("two lines.bin", "application/octet-stream", pattern(58), null),
                new AttachedFile(
                    "notes.txt",
                    "text/plain; charset=utf-8; format=flowed; name=\"x.txt\"",
                    "Zoé\n".getBytes(StandardCharsets.UTF_8),
                    null),
                new AttachedFile(
                    "quote\"and\\slash.txt",
                    "text/plain",
                    "a".getBytes(StandardCharsets.UTF_8),
                    null),
                new AttachedFile(
                    "x".repeat(60) + ".txt",
                    "text/plain",
                    "b".getBytes(StandardCharsets.UTF_8),
                    null),
                new AttachedFile(
                    "請求書 2026年12月 株式会社アクメ 御中 — ご確認ください.pdf", "application/pdf", pdf(), null))));
    drafts.put(
        "inline-and-files-non-ascii",
        draft(
            "Bilder und Rechnung",
            "<p>Grüße <img src=\"cid:logo@acme.example\"></p>",
            "Grüße",
            List.of(
                new AttachedFile("logo.png", "image/png", pattern(200), "logo@acme.example"),
                new AttachedFile("Rechnung März.pdf", "application/pdf", pattern(10), null))));
    drafts.put(
        "headers-in-their-places",
        new Draft(
            address("noreply@acme.example", "=?utf-8?B?QWRtaW4=?= looks encoded"),
            List.of(
                address("ada@example.com", "Ada Lovelace"),
                address("charles@example.com", "Charles Babbage"),
                address("grace@example.com", "Grace Hopper"),
                address("alan@example.com", "Alan Turing"),
                address("plain@example.com", null)),
            List.of(address("cc1@example.com", null), address("cc2@example.com", "Two, Cc")),
            List.of(address("reply@acme.example", "\"Quoted\" Name")),
            "=?utf-8?Q?not_an_encoded_word?= but text that looks like one, long enough to fold",
            "<p>Reply</p>",
            "Reply",
            "<1@acme.example>",
            DATE_SENT,
            List.of(),
            headers(
                "X-First",
                "first custom header",
                "References",
                "<a@example.com> <b@example.com>",
                "Keywords",
                "invoice, März",
                "In-Reply-To",
                "<b@example.com>",
                "Comments",
                "a comment",
                "X-Long",
                "an ASCII value that is long enough to be folded at a space somewhere near the"
                    + " seventy-sixth column, and then once more further on in the line",
                "X-Unicode",
                "Ünïcödé ✓ 東京",
                "Auto-Submitted",
                "auto-generated",
                "x-lower-case",
                "kept as written")));
  }

  private static Draft draft(
      String subject,
      @Nullable String html,
      @Nullable String text,
      List<AttachedFile> attachments) {
    return new Draft(
        address("noreply@acme.example", "Acme"),
        List.of(address("ada@example.com", "Ada")),
        List.of(),
        List.of(),
        subject,
        html,
        // The text part intake derives when a template has none, as the composer did before.
        text != null ? text : HtmlToText.convert(html),
        "<5d0c9a52-6f3e-4b8e-8a3b-2b7c1e0d9f11@acme.example>",
        DATE_SENT,
        attachments,
        Map.of());
  }

  static InternetAddress address(String email, @Nullable String name) {
    try {
      InternetAddress address = new InternetAddress(email, true);
      address.setPersonal(name, StandardCharsets.UTF_8.name());
      return address;
    } catch (AddressException | UnsupportedEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> headers(String... namesAndValues) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      headers.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return headers;
  }

  private static byte[] bytes(int... values) {
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) values[i];
    }
    return bytes;
  }

  /** Bytes 0, 1, 2, ... of the given length. */
  private static byte[] pattern(int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) i;
    }
    return bytes;
  }

  /** Long enough for several lines of base64. */
  private static byte[] pdf() {
    byte[] bytes = new byte[300];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 7);
    }
    return bytes;
  }
}

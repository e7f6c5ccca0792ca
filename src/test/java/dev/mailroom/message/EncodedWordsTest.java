package dev.mailroom.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.message.MimeComposer.Draft;
import jakarta.mail.Address;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Subjects, display names and header values that look like RFC 2047 encoded words are composed and
 * parsed back: a reader decodes them to exactly the text the caller wrote, never to what the
 * caller's encoded word says. Display names that look like addresses or address lists stay one
 * mailbox with the caller's address.
 */
class EncodedWordsTest {

  /** Nothing but encoded words of our own, apart from the white space between them. */
  private static final Pattern ONLY_OUR_WORDS =
      Pattern.compile(
          "=\\?UTF-8\\?B\\?[A-Za-z0-9+/=]*\\?=(?:\\s+=\\?UTF-8\\?B\\?[A-Za-z0-9+/=]*\\?=)*");

  private static final Pattern HEADER_LINE = Pattern.compile("(?m)^([A-Za-z-]+): ");

  private final MimeComposer composer = new MimeComposer();
  private final Session session = Session.getInstance(new Properties());

  static Stream<String> lookAlikes() {
    return Stream.of(
        "=?UTF-8?B?QWRtaW4=?=",
        "=?utf-8?q?PayPal?=",
        "=?utf-8?Q?PayPal_Security?= alert",
        "Your order =?utf-8?q?has_shipped?= today",
        "=?iso-8859-1?q?caf=E9?=",
        "=?windows-1252?B?k5M=?=",
        "=?UTF-8?Q?=E2=80=AE?=moc.knab",
        "=?UTF-8*en?Q?language_tag?=",
        "=?utf-8?b?PT91dGYtOD9xP1BheVBhbD89?=",
        "=?utf-8?q?a?= =?utf-8?q?b?=",
        "=?utf-8?q?a?==?utf-8?q?b?=",
        "Hello=?utf-8?q?x?=world",
        "=?",
        "a=?b",
        "=?utf-8?",
        "=?utf-8?q?never closed",
        "x ?= y =? z",
        "?= =?",
        "\"=?utf-8?q?quoted?=\"",
        "'=?utf-8?q?single?='",
        "(=?utf-8?q?comment?=)",
        "  =?utf-8?q?spaces?=  around  ",
        "Zoé =?utf-8?q?Admin?= ✓",
        "=?utf-8?q?x?= 😀".repeat(40),
        "=?utf-8?q?long?= ".repeat(60).strip(),
        "=?" + "a".repeat(900) + "?=",
        "=?UTF-8?B?" + "QUFB".repeat(240) + "?=");
  }

  static Stream<String> spoofingNames() {
    return Stream.concat(
        lookAlikes().filter(name -> name.length() <= 256),
        Stream.of(
            "=?utf-8?q?PayPal?= <x@y>",
            "=?UTF-8?B?c3VwcG9ydEBiYW5rLmV4YW1wbGU=?=",
            "PayPal =?utf-8?q?=3Csupport=40paypal=2Ecom=3E?=",
            "support@bank.example",
            "Support <support@bank.example>",
            "<support@bank.example>",
            "a, b <c@bank.example>, e",
            "\"quoted\" and \"more\"",
            "back\\slash \\\"",
            "\"",
            "undisclosed-recipients:;",
            "group: a@bank.example;",
            "(comment) name",
            "Zoé <zoe@bank.example>, x",
            "Zoé \"=?utf-8?q?x?=\"",
            "=?utf-8?q?" + "n".repeat(240) + "?="));
  }

  @ParameterizedTest
  @MethodSource("lookAlikes")
  void subjectThatLooksEncodedDecodesToTheLiteralText(String subject) throws Exception {
    byte[] mime = composer.compose(draft(subject, address("a@example.com", null), Map.of()));

    assertThat(parse(mime).getSubject()).isEqualTo(subject);
    assertThat(unfolded(mime, "Subject")).matches(ONLY_OUR_WORDS);
    assertLinesAreShort(mime);
  }

  @ParameterizedTest
  @MethodSource("spoofingNames")
  void displayNameIsOneMailboxWithTheLiteralName(String name) throws Exception {
    InternetAddress from = address("sender@acme.test", name);
    Draft draft =
        new Draft(
            from,
            List.of(
                address("ada@example.com", name),
                address("bob@example.com", "Bob"),
                address("cyd@example.com", name)),
            List.of(address("cc@example.com", name)),
            List.of(address("help@acme.test", name)),
            "Hi",
            null,
            "t",
            "<1@acme.test>",
            Instant.parse("2026-12-01T09:30:00Z"));

    byte[] mime = composer.compose(draft);
    MimeMessage parsed = parse(mime);

    assertMailboxes(parsed.getFrom(), "sender@acme.test", name);
    assertMailboxes(parsed.getRecipients(RecipientType.TO), "ada@example.com", name);
    assertThat(((InternetAddress) parsed.getRecipients(RecipientType.TO)[1]).getPersonal())
        .isEqualTo("Bob");
    assertThat(((InternetAddress) parsed.getRecipients(RecipientType.TO)[2]).getAddress())
        .isEqualTo("cyd@example.com");
    assertMailboxes(parsed.getRecipients(RecipientType.CC), "cc@example.com", name);
    assertMailboxes(parsed.getReplyTo(), "help@acme.test", name);
    // Strict parsing of what is on the wire agrees.
    assertThat(InternetAddress.parseHeader(unfolded(mime, "To"), true)).hasSize(3);
    if (name.contains("=?")) {
      assertThat(unfolded(mime, "From")).matches(ONLY_OUR_WORDS.pattern() + " <sender@acme.test>");
    }
    assertLinesAreShort(mime);
  }

  @Test
  void customHeaderValueThatLooksEncodedDecodesToTheLiteralText() throws Exception {
    String value = "=?utf-8?q?spoofed?= value";
    byte[] mime =
        composer.compose(draft("Hi", address("a@example.com", null), Map.of("X-Note", value)));

    String raw = unfolded(mime, "X-Note");
    assertThat(raw).matches(ONLY_OUR_WORDS);
    assertThat(MimeUtility.decodeText(raw)).isEqualTo(value);
  }

  @Test
  void textWithoutEncodedWordLookAlikesIsWrittenAsBefore() throws Exception {
    byte[] mime =
        composer.compose(
            draft(
                "Price ?= 10 € =",
                address("a@example.com", "Support @ Bank"),
                Map.of("X-Note", "a ?= b")));
    String text = new String(mime, StandardCharsets.US_ASCII);

    assertThat(text)
        .contains("\r\nSubject: =?UTF-8?Q?Price_=3F=3D_10_=E2=82=AC_=3D?=\r\n")
        .contains("\r\nFrom: \"Support @ Bank\" <a@example.com>\r\n")
        .contains("\r\nX-Note: a ?= b\r\n");
  }

  @Test
  void wordsNeverSplitACharacterAndFitTheirLines() {
    String text = "=?" + "é😀x".repeat(50);

    List<String> words = EncodedWords.encode(text, "Subject: ".length());

    assertThat(words).allSatisfy(word -> assertThat(word.length()).isLessThanOrEqualTo(75));
    assertThat(("Subject: " + words.get(0)).length()).isLessThanOrEqualTo(76);
    StringBuilder decoded = new StringBuilder();
    for (String word : words) {
      String base64 = word.substring("=?UTF-8?B?".length(), word.length() - 2);
      // Each word decodes on its own to whole characters.
      String part =
          new String(java.util.Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
      assertThat(part).doesNotContain("\uFFFD");
      decoded.append(part);
    }
    assertThat(decoded.toString()).isEqualTo(text);
  }

  private void assertMailboxes(Address @Nullable [] addresses, String email, String name) {
    assertThat(addresses).isNotNull();
    InternetAddress first = (InternetAddress) addresses[0];
    assertThat(first.getAddress()).isEqualTo(email);
    assertThat(first.getPersonal()).isEqualTo(name);
  }

  private MimeMessage parse(byte[] mime) throws Exception {
    return new MimeMessage(session, new ByteArrayInputStream(mime));
  }

  /** The raw value of a header, folding removed. */
  private static String unfolded(byte[] mime, String name) {
    String headers = new String(mime, StandardCharsets.US_ASCII).split("\r\n\r\n", 2)[0];
    Matcher lines = HEADER_LINE.matcher(headers);
    while (lines.find()) {
      if (lines.group(1).equalsIgnoreCase(name)) {
        int end = headers.indexOf("\r\n", lines.end());
        while (end >= 0
            && end + 2 < headers.length()
            && (headers.charAt(end + 2) == ' ' || headers.charAt(end + 2) == '\t')) {
          end = headers.indexOf("\r\n", end + 2);
        }
        String value = headers.substring(lines.end(), end < 0 ? headers.length() : end);
        return MimeUtility.unfold(value).strip();
      }
    }
    throw new AssertionError("no " + name + " header in " + headers);
  }

  /** RFC 2047 §2: a header line holding an encoded word is at most 76 characters. */
  private static void assertLinesAreShort(byte[] mime) {
    String headers = new String(mime, StandardCharsets.US_ASCII).split("\r\n\r\n", 2)[0];
    assertThat(Arrays.stream(headers.split("\r\n")).filter(line -> line.contains("=?")))
        .allSatisfy(line -> assertThat(line.length()).as(line).isLessThanOrEqualTo(76));
  }

  private static Draft draft(String subject, InternetAddress from, Map<String, String> headers) {
    return new Draft(
        from,
        List.of(address("to@example.com", null)),
        List.of(),
        List.of(),
        subject,
        null,
        "t",
        "<1@acme.test>",
        Instant.parse("2026-12-01T09:30:00Z"),
        List.of(),
        headers);
  }

  private static InternetAddress address(String email, @Nullable String name) {
    try {
      return new InternetAddress(email, name, StandardCharsets.UTF_8.name());
    } catch (java.io.UnsupportedEncodingException e) {
      throw new IllegalStateException(e);
    }
  }
}

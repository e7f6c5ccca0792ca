package dev.mailroom.email;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests written to break intake: header injection, malformed encodings, huge and deeply nested
 * values, wrong types, template and path tricks, malformed JSON. Each must get a 4xx problem (never
 * a 5xx, never a stack trace or a Java type name) and store nothing.
 */
class HostileRequestTest extends ScriptedRelayTest {

  static final String JSON = "application/json";

  /** A request and the status it must get. */
  record Hostile(
      String name,
      String path,
      byte[] body,
      String contentType,
      int status,
      boolean chunked,
      String... headers) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Hostile email(String name, int status, String json, String... headers) {
    return new Hostile(name, "/emails", bytes(json), JSON, status, false, headers);
  }

  static Hostile batch(String name, int status, String json) {
    return new Hostile(name, "/emails/batch", bytes(json), JSON, status, false);
  }

  static Hostile raw(String name, String path, byte[] body, int status) {
    return new Hostile(name, path, body, JSON, status, false);
  }

  static Hostile typed(String name, String contentType, String body, int status) {
    return new Hostile(name, "/emails", bytes(body), contentType, status, false);
  }

  /** Sent without a Content-Length, so the size limit can only act while reading. */
  static Hostile chunked(String name, String path, String json, int status) {
    return new Hostile(name, path, bytes(json), JSON, status, true);
  }

  /** Single quotes stand for double quotes, to keep JSON in Java readable. */
  static String q(String json) {
    return json.replace('\'', '"');
  }

  static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  /** A valid email whose subject holds these raw bytes. */
  static byte[] subjectBytes(int... raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(bytes(q("{'to':['a@example.com'],'text':'t','subject':'x")));
    for (int b : raw) {
      out.write(b);
    }
    out.writeBytes(bytes(q("y'}")));
    return out.toByteArray();
  }

  static final String OK = "'to':['a@example.com'],'subject':'s','text':'t'";
  static final String VARIABLES = "'name':'A','productName':'P','actionUrl':'https://e.test'";

  static String plain(String fields) {
    return q("{" + fields + "}");
  }

  static String withOk(String extra) {
    return q("{" + OK + "," + extra + "}");
  }

  static String welcome(String variables) {
    return q("{'to':['a@example.com'],'template':'welcome','variables':{" + variables + "}}");
  }

  static String addresses(int n) {
    return IntStream.range(0, n)
        .mapToObj(i -> "'r" + i + "@example.com'")
        .collect(Collectors.joining(",", "[", "]"));
  }

  static String nested(String open, String close, int depth) {
    return open.repeat(depth) + close.repeat(depth);
  }

  static Stream<Hostile> headerInjection() {
    String crlf = "\\r\\nBcc: x@evil.test";
    return Stream.of(
        email("CRLF in from address", 422, plain("'from':'a@example.com" + crlf + "'," + OK)),
        email(
            "CRLF in from name",
            422,
            plain("'from':{'email':'a@example.com','name':'A" + crlf + "'}," + OK)),
        email(
            "LF in a 'Name <address>' from",
            422,
            plain("'from':'Eve\\nBcc: x@e.test <a@example.com>'," + OK)),
        email(
            "LF in to address",
            422,
            plain("'to':['a@example.com\\nBcc: x@evil.test'],'subject':'s','text':'t'")),
        email(
            "CR in to name",
            422,
            plain("'to':[{'email':'a@example.com','name':'A\\rB'}],'subject':'s','text':'t'")),
        email("CRLF in cc address", 422, withOk("'cc':['c@example.com" + crlf + "']")),
        email(
            "CRLF in cc name",
            422,
            withOk("'cc':[{'email':'c@example.com','name':'C" + crlf + "'}]")),
        email("CRLF in bcc address", 422, withOk("'bcc':['b@example.com" + crlf + "']")),
        email(
            "CRLF in bcc name",
            422,
            withOk("'bcc':[{'email':'b@example.com','name':'B" + crlf + "'}]")),
        email("CRLF in replyTo address", 422, withOk("'replyTo':'r@example.com" + crlf + "'")),
        email(
            "CRLF in replyTo name",
            422,
            withOk("'replyTo':{'email':'r@example.com','name':'R" + crlf + "'}")),
        email(
            "CRLF in subject",
            422,
            plain("'to':['a@example.com'],'subject':'Hi" + crlf + "','text':'t'")),
        email(
            "bare CR in subject",
            422,
            plain("'to':['a@example.com'],'subject':'Hi\\rthere','text':'t'")),
        email(
            "tab in subject",
            422,
            plain("'to':['a@example.com'],'subject':'Hi\\tthere','text':'t'")),
        email(
            "U+2028 line separator in subject",
            422,
            plain("'to':['a@example.com'],'subject':'Hi\\u2028Bcc: x@e.test','text':'t'")),
        email(
            "U+0085 next line in subject",
            422,
            plain("'to':['a@example.com'],'subject':'Hi\\u0085Bcc: x@e.test','text':'t'")),
        email(
            "CRLF reaching the subject through a variable",
            422,
            welcome("'name':'A','productName':'P" + crlf + "','actionUrl':'https://e.test'")),
        email(
            "U+2028 reaching the subject through a variable",
            422,
            welcome("'name':'A\\u2028B','productName':'P','actionUrl':'https://e.test'")),
        email(
            "SMTP command smuggled in an address",
            422,
            plain("'to':['a@example.com>\\r\\nRCPT TO:<x@evil.test'],'subject':'s','text':'t'")),
        email(
            "angle brackets inside an address",
            422,
            plain("'to':['<a@example.com>@evil.test'],'subject':'s','text':'t'")),
        email(
            "space inside an address",
            422,
            plain("'to':['a b@example.com'],'subject':'s','text':'t'")),
        email("Idempotency-Key with a space", 400, plain(OK), "Idempotency-Key", "a b"),
        email(
            "Idempotency-Key of 256 characters",
            400,
            plain(OK),
            "Idempotency-Key",
            "k".repeat(256)),
        // The JDK client cannot send a non-ASCII header value (it writes '?'), so: a tab.
        email("Idempotency-Key with a tab", 400, plain(OK), "Idempotency-Key", "a\tb"));
  }

  static Stream<Hostile> badEncodings() {
    return Stream.of(
        raw("byte FF", "/emails", subjectBytes(0xFF), 400),
        raw("lone continuation byte", "/emails", subjectBytes(0x80), 400),
        raw("overlong 2-byte '/' (C0 AF)", "/emails", subjectBytes(0xC0, 0xAF), 400),
        raw("overlong 3-byte '/' (E0 80 AF)", "/emails", subjectBytes(0xE0, 0x80, 0xAF), 400),
        raw(
            "overlong 4-byte '/' (F0 80 80 AF)",
            "/emails",
            subjectBytes(0xF0, 0x80, 0x80, 0xAF),
            400),
        raw("UTF-8-encoded surrogate (ED A0 80)", "/emails", subjectBytes(0xED, 0xA0, 0x80), 400),
        raw("beyond U+10FFFF (F4 90 80 80)", "/emails", subjectBytes(0xF4, 0x90, 0x80, 0x80), 400),
        raw("byte F5", "/emails", subjectBytes(0xF5, 0x80, 0x80, 0x80), 400),
        raw("truncated 3-byte sequence", "/emails", subjectBytes(0xE2, 0x82), 400),
        raw("Latin-1 e-acute sent raw", "/emails", subjectBytes(0xE9), 400),
        raw(
            "body ending inside a character",
            "/emails",
            new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xE2},
            400),
        raw(
            "UTF-16 with byte order mark",
            "/emails",
            ("\uFEFF" + plain(OK)).getBytes(StandardCharsets.UTF_16LE),
            400),
        raw(
            "invalid UTF-8 in a batch",
            "/emails/batch",
            concat(
                bytes(q("{'emails':[{" + OK + ",'html':'")),
                new byte[] {(byte) 0xC3},
                bytes(q("'}]}"))),
            400),
        email("invalid escape \\x41", 400, plain(OK).replace("\"s\"", "\"\\x41\"")),
        email("short unicode escape", 400, plain(OK).replace("\"s\"", "\"\\u12\"")),
        email("lone high surrogate in subject", 422, plain(OK).replace("\"s\"", "\"a\\ud800b\"")),
        email(
            "lone low surrogate in a to name",
            422,
            plain("'to':[{'email':'a@example.com','name':'\\udc00'}],'subject':'s','text':'t'")),
        email(
            "reversed surrogate pair in text",
            422,
            plain(OK).replace("\"t\"", "\"\\udc00\\ud800\"")),
        email(
            "lone surrogate in a variable",
            422,
            welcome("'name':'\\ud800','productName':'P','actionUrl':'https://e.test'")),
        email("lone high surrogate in a variable name", 400, welcome(VARIABLES + ",'\\ud83d':'x'")),
        email("lone low surrogate in a metadata key", 400, withOk("'metadata':{'\\udc00':'v'}")),
        email("lone surrogate in metadata", 422, withOk("'metadata':{'k':'\\udfff'}")),
        email("NUL in subject", 422, plain(OK).replace("\"s\"", "\"a\\u0000b\"")),
        email("NUL in text", 422, plain(OK).replace("\"t\"", "\"a\\u0000b\"")),
        email("NUL in html", 422, withOk("'html':'<p>\\u0000</p>'")),
        email(
            "NUL in an address",
            422,
            plain("'to':['a\\u0000@example.com'],'subject':'s','text':'t'")),
        email("NUL in metadata", 422, withOk("'metadata':{'k':'a\\u0000'}")),
        email("NUL deep in variables", 422, welcome(VARIABLES + ",'list':[{'x':['\\u0000']}]")),
        email(
            "NUL in the template name",
            422,
            q("{'to':['a@example.com'],'template':'welcome\\u0000'}")),
        raw("raw control byte in a string", "/emails", subjectBytes(0x01), 400),
        raw("raw NUL byte in a string", "/emails", subjectBytes(0x00), 400));
  }

  static Stream<Hostile> hugeValues() {
    return Stream.of(
        email(
            "subject of 10,000 characters",
            422,
            plain(OK).replace("\"s\"", "\"" + "s".repeat(10_000) + "\"")),
        email(
            "display name of 100,000 characters",
            422,
            plain(
                "'to':[{'email':'a@example.com','name':'"
                    + "n".repeat(100_000)
                    + "'}],'subject':'s','text':'t'")),
        email(
            "address of 1,000 characters",
            422,
            plain("'to':['" + "a".repeat(1000) + "@example.com'],'subject':'s','text':'t'")),
        email(
            "template name of 10,000 characters",
            422,
            q("{'to':['a@example.com'],'template':'" + "w".repeat(10_000) + "'}")),
        email(
            "10,000 recipients",
            422,
            plain("'to':" + addresses(10_000) + ",'subject':'s','text':'t'")),
        batch(
            "10,000 recipients in a batch",
            422,
            q("{'emails':[{'to':" + addresses(10_000) + ",'subject':'s','text':'t'}]}")),
        email(
            "1,000 tags",
            422,
            withOk(
                "'tags':"
                    + IntStream.range(0, 1000)
                        .mapToObj(i -> "'t" + i + "'")
                        .collect(Collectors.joining(",", "[", "]")))),
        email(
            "1,000 metadata entries",
            422,
            withOk(
                "'metadata':"
                    + IntStream.range(0, 1000)
                        .mapToObj(i -> "'k" + i + "':'v'")
                        .collect(Collectors.joining(",", "{", "}")))),
        email(
            "metadata key of 200 characters",
            422,
            withOk("'metadata':{'" + "k".repeat(200) + "':'v'}")),
        email("number of 5,000 digits", 400, welcome(VARIABLES + ",'n':1" + "0".repeat(5000))),
        email("body of 16 MB", 413, withOk("'html':'" + "x".repeat(16_000_000) + "'")),
        chunked(
            "chunked body of 16 MB",
            "/emails",
            withOk("'html':'" + "x".repeat(16_000_000) + "'"),
            413),
        batch(
            "batch of 21 MB",
            413,
            q("{'emails':[{" + OK + ",'html':'" + "x".repeat(21_000_000) + "'}]}")));
  }

  static Stream<Hostile> deepNesting() {
    return Stream.of(
        email(
            "variables nested 10,000 arrays deep",
            400,
            welcome(VARIABLES + ",'x':" + nested("[", "]", 10_000))),
        email(
            "variables nested 10,000 objects deep",
            400,
            welcome(VARIABLES + ",'x':" + nested("{'a':", "}", 10_000))),
        email("a body of 100,000 nested arrays", 400, nested("[", "]", 100_000)),
        batch(
            "a batch of 10,000 nested arrays",
            400,
            q("{'emails':" + nested("[", "]", 10_000) + "}")));
  }

  static Stream<Hostile> wrongTypes() {
    return Stream.of(
        email("to as a number", 400, plain("'to':42,'subject':'s','text':'t'")),
        email("to as a boolean", 400, plain("'to':true,'subject':'s','text':'t'")),
        email(
            "to as nested arrays", 400, plain("'to':[['a@example.com']],'subject':'s','text':'t'")),
        email(
            "to with an unknown field",
            400,
            plain("'to':[{'address':'a@example.com'}],'subject':'s','text':'t'")),
        email("to email as a number", 400, plain("'to':[{'email':7}],'subject':'s','text':'t'")),
        email("cc email as an object", 400, withOk("'cc':[{'email':{'x':1}}]")),
        email("from as an array", 400, plain("'from':['a@example.com']," + OK)),
        email("from as a number", 400, plain("'from':1," + OK)),
        email("subject as a number", 400, plain("'to':['a@example.com'],'subject':42,'text':'t'")),
        email("subject as a float", 400, plain("'to':['a@example.com'],'subject':4.2,'text':'t'")),
        email("subject as an object", 400, plain("'to':['a@example.com'],'subject':{},'text':'t'")),
        email("html as a number", 400, plain("'to':['a@example.com'],'subject':'s','html':1")),
        email("text as a boolean", 400, plain("'to':['a@example.com'],'subject':'s','text':false")),
        email("template as a number", 400, q("{'to':['a@example.com'],'template':1}")),
        email("template as an array", 400, q("{'to':['a@example.com'],'template':['welcome']}")),
        email(
            "variables as an array",
            400,
            q("{'to':['a@example.com'],'template':'welcome','variables':[1]}")),
        email(
            "variables as a string",
            400,
            q("{'to':['a@example.com'],'template':'welcome','variables':'x'}")),
        email(
            "locale as a number",
            400,
            q("{'to':['a@example.com'],'template':'welcome','locale':7}")),
        email("tags as a string", 400, withOk("'tags':'a'")),
        email("tags holding a number", 400, withOk("'tags':[1]")),
        email("metadata as an array", 400, withOk("'metadata':['a']")),
        email("metadata value as an object", 400, withOk("'metadata':{'k':{'v':1}}")),
        email("metadata value as a number", 400, withOk("'metadata':{'k':1}")),
        email("unknown field", 400, withOk("'urgency':'high'")));
  }

  static Stream<Hostile> templateTricks() {
    return Stream.of(
            "../../etc/passwd",
            "..\\\\..\\\\windows\\\\win.ini",
            "/etc/passwd",
            "welcome/../welcome",
            "%2e%2e%2fetc%2fpasswd",
            "file:///etc/passwd",
            "classpath:application.yml",
            "WELCOME",
            "welcome.",
            "welcome/fr")
        .map(
            name ->
                email(
                    "template named " + name,
                    422,
                    q("{'to':['a@example.com'],'template':'" + name + "'}")))
        .collect(
            Collectors.collectingAndThen(
                Collectors.toList(),
                list -> {
                  list.add(
                      email(
                          "locale ../../etc",
                          422,
                          q(
                              "{'to':['a@example.com'],'template':'welcome','locale':'../../etc','variables':{"
                                  + VARIABLES
                                  + "}}")));
                  list.add(
                      email(
                          "locale fr/../../x",
                          422,
                          q(
                              "{'to':['a@example.com'],'template':'welcome','locale':'fr/../../x','variables':{"
                                  + VARIABLES
                                  + "}}")));
                  return list.stream();
                }));
  }

  static Stream<Hostile> malformedJson() {
    return Stream.of(
        email(
            "duplicate key",
            400,
            q("{'to':['a@example.com'],'subject':'s','subject':'t','text':'t'}")),
        email("duplicate key in variables", 400, welcome(VARIABLES + ",'name':'B'")),
        batch("duplicate emails key", 400, q("{'emails':[{" + OK + "}],'emails':[{" + OK + "}]}")),
        email("an array instead of an object", 400, q("[{" + OK + "}]")),
        email("empty body", 400, ""),
        email("whitespace only", 400, "   \n"),
        email("null", 400, "null"),
        email("a string", 400, q("'hello'")),
        email("a number", 400, "42"),
        email("trailing garbage", 400, plain(OK) + " xyz"),
        email("two objects", 400, plain(OK) + plain(OK)),
        email("comment", 400, q("{/* hi */" + OK + "}")),
        email("NaN", 400, welcome(VARIABLES + ",'n':NaN")),
        email("single quotes", 400, "{'to':['a@example.com'],'subject':'s','text':'t'}"),
        email("unquoted keys", 400, "{to:[\"a@example.com\"],subject:\"s\",text:\"t\"}"),
        email("trailing comma", 400, q("{" + OK + ",}")),
        email("unterminated", 400, q("{" + OK)),
        typed("text/plain content type", "text/plain", plain(OK), 415),
        typed("unknown charset", "application/json; charset=x-bogus", plain(OK), 415),
        typed("XML", "application/xml", "<email><to>a@example.com</to></email>", 415),
        typed("form encoding", "application/x-www-form-urlencoded", "to=a%40example.com", 415));
  }

  static Stream<Hostile> batches() {
    return Stream.of(
        batch("emails as an object", 400, q("{'emails':{}}")),
        batch("emails as a string", 400, q("{'emails':'x'}")),
        batch("emails holding a number", 400, q("{'emails':[1]}")),
        batch("emails holding an array", 400, q("{'emails':[[]]}")),
        batch("emails holding null", 422, q("{'emails':[null]}")),
        batch("emails null", 422, q("{'emails':null}")),
        batch("no emails field", 422, "{}"),
        batch("a bare array of emails", 400, q("[{" + OK + "}]")),
        batch(
            "501 emails",
            422,
            q(
                IntStream.range(0, 501)
                    .mapToObj(i -> "{" + OK + "}")
                    .collect(Collectors.joining(",", "{'emails':[", "]}")))),
        batch("a batch inside a batch", 400, q("{'emails':[{'emails':[{" + OK + "}]}]}")),
        batch("an unknown field in an email", 400, q("{'emails':[{" + OK + ",'sendNow':true}]}")),
        batch(
            "CRLF in the subject of one email",
            422,
            q(
                "{'emails':[{"
                    + OK
                    + "},{'to':['a@example.com'],'subject':'a\\r\\nb','text':'t'}]}")),
        batch(
            "lone surrogate in one email",
            422,
            q(
                "{'emails':[{"
                    + OK
                    + "},{'to':['a@example.com'],'subject':'\\ud800','text':'t'}]}")));
  }

  static Stream<Hostile> corpus() {
    return Stream.of(
            headerInjection(),
            badEncodings(),
            hugeValues(),
            deepNesting(),
            wrongTypes(),
            templateTricks(),
            malformedJson(),
            batches())
        .flatMap(s -> s);
  }

  @AfterEach
  void nothingWasStoredOrSent() {
    assertThat(count("emails")).isZero();
    assertThat(count("email_recipients")).isZero();
    relay.assertNothingReceivedFor(Duration.ofMillis(20));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void hostileRequestGetsA4xxProblemAndStoresNothing(Hostile hostile) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(api.uri(hostile.path()))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", hostile.contentType())
            .POST(
                hostile.chunked()
                    ? HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(hostile.body()))
                    : HttpRequest.BodyPublishers.ofByteArray(hostile.body()));
    for (int i = 0; i + 1 < hostile.headers().length; i += 2) {
      request.header(hostile.headers()[i], hostile.headers()[i + 1]);
    }

    Api.Response response = api.send(request.build());

    assertThat(response.status()).isEqualTo(hostile.status());
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.body().path("status").asInt()).isEqualTo(hostile.status());
    assertThat(response.body().path("title").asString()).isNotBlank();
    assertThat(response.raw().body())
        .doesNotContain("java.", "jackson", "dev.mailroom", "Exception", "\tat ", "`");
  }

  @org.junit.jupiter.api.Test
  void theCorpusIsLargeAndCoversBothEndpoints() {
    List<Hostile> all = corpus().toList();
    assertThat(all).hasSizeGreaterThanOrEqualTo(60);
    assertThat(all.stream().map(Hostile::path)).contains("/emails", "/emails/batch");
    assertThat(all.stream().map(Hostile::name)).doesNotHaveDuplicates();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}

package dev.mailroom.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.support.Api;
import dev.mailroom.support.ScriptedRelayTest;
import dev.mailroom.support.TestKeys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What goes on the wire: a response that fits the container's buffer is sent whole with a
 * Content-Length, not chunked; a larger one is chunked and complete. Read from a plain socket, so
 * the framing is the server's, not an HTTP client's idea of it.
 */
class WholeResponsesTest extends ScriptedRelayTest {

  private static final String EMAIL =
      "{\"to\":[\"a@example.com\"],\"subject\":\"Hello\",\"text\":\"Hi there\"}";

  @Test
  void anAcceptedEmailIsAnsweredWithItsLengthAndTheSecurityHeaders() throws IOException {
    try (Connection connection = new Connection(port)) {
      Raw response = connection.post("/emails", EMAIL, TestKeys.ALL_SCOPES);

      assertThat(response.status()).isEqualTo(202);
      assertWhole(response);
      assertThat(Api.parse(response.body()).path("status").asString()).isEqualTo("QUEUED");
      assertThat(response.headers()).containsEntry("x-content-type-options", "nosniff");
      assertThat(response.headers().get("location"))
          .isEqualTo("/emails/" + Api.parse(response.body()).path("id").asString());
    }
  }

  @Test
  void problemsFromTheControllerAndFromSecurityHaveTheirLength() throws IOException {
    try (Connection connection = new Connection(port)) {
      Raw invalid =
          connection.post("/emails", "{\"to\":[\"not an address\"]}", TestKeys.ALL_SCOPES);
      Raw unknownKey = connection.post("/emails", EMAIL, "mr_no_such_key");

      assertThat(invalid.status()).isEqualTo(422);
      assertWhole(invalid);
      assertThat(Api.parse(invalid.body()).path("status").asInt()).isEqualTo(422);
      assertThat(unknownKey.status()).isEqualTo(401);
      assertWhole(unknownKey);
      assertThat(Api.parse(unknownKey.body()).path("status").asInt()).isEqualTo(401);
    }
    assertThat(count("emails")).isZero();
  }

  @Test
  void responsesFollowOneAnotherOnOneConnection() throws IOException {
    try (Connection connection = new Connection(port)) {
      for (int i = 0; i < 3; i++) {
        Raw response = connection.post("/emails", EMAIL, TestKeys.ALL_SCOPES);
        assertThat(response.status()).isEqualTo(202);
        assertWhole(response);
      }
    }
    assertThat(count("emails")).isEqualTo(3);
  }

  @Test
  void aBodyLargerThanTheBufferIsChunkedAndComplete() throws IOException {
    StringBuilder batch = new StringBuilder("{\"emails\":[");
    for (int i = 0; i < 100; i++) {
      batch.append(i == 0 ? "" : ",").append(EMAIL);
    }
    try (Connection connection = new Connection(port)) {
      Raw stored =
          connection.post("/emails/batch", batch.append("]}").toString(), TestKeys.ALL_SCOPES);
      Raw page = connection.get("/emails?limit=100", TestKeys.ALL_SCOPES);
      Raw after = connection.post("/emails", EMAIL, TestKeys.ALL_SCOPES);

      assertThat(stored.status()).isEqualTo(202);
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.headers()).containsEntry("transfer-encoding", "chunked");
      assertThat(page.body().length()).isGreaterThan(16 * 1024);
      assertThat(Api.parse(page.body()).path("emails").size()).isEqualTo(100);
      assertThat(after.status()).isEqualTo(202);
      assertWhole(after);
    }
  }

  private static void assertWhole(Raw response) {
    assertThat(response.headers()).doesNotContainKey("transfer-encoding");
    assertThat(response.headers().get("content-length"))
        .isEqualTo(String.valueOf(response.body().getBytes(StandardCharsets.UTF_8).length));
  }

  /** A response as it came: status, headers (names in lower case) and the decoded body. */
  record Raw(int status, Map<String, String> headers, String body) {}

  /** One keep-alive HTTP/1.1 connection; every read is bounded by the socket's timeout. */
  private static final class Connection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Connection(int port) throws IOException {
      socket = new Socket("localhost", port);
      socket.setSoTimeout(10_000);
      in = socket.getInputStream();
      out = socket.getOutputStream();
    }

    Raw post(String path, String json, String key) throws IOException {
      byte[] body = json.getBytes(StandardCharsets.UTF_8);
      String head =
          "POST "
              + path
              + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
              + key
              + "\r\nContent-Type: application/json\r\nContent-Length: "
              + body.length
              + "\r\n\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      return read();
    }

    Raw get(String path, String key) throws IOException {
      out.write(
          ("GET "
                  + path
                  + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                  + key
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return read();
    }

    private Raw read() throws IOException {
      String statusLine = line();
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (String line = line(); !line.isEmpty(); line = line()) {
        int colon = line.indexOf(':');
        headers.put(
            line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).strip());
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
        for (int size = Integer.parseInt(line(), 16);
            size > 0;
            size = Integer.parseInt(line(), 16)) {
          body.write(in.readNBytes(size));
          assertThat(line()).isEmpty();
        }
        assertThat(line()).isEmpty();
      } else {
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] bytes = in.readNBytes(length);
        assertThat(bytes).hasSize(length);
        body.write(bytes);
      }
      return new Raw(status, headers, body.toString(StandardCharsets.UTF_8));
    }

    /** One CRLF-terminated line, without its CRLF. */
    private String line() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0) {
          throw new IOException("connection closed mid-line: " + line);
        }
        if (b != '\r') {
          line.write(b);
        }
      }
      return line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}

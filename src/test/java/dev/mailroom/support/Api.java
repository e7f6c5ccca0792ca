package dev.mailroom.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP API as a caller sees it: real requests to the running server, JSON bodies back. Every
 * request carries {@code Authorization: Bearer <key>}, the all-scopes test key unless another key
 * or none is chosen, and unless the request sets the header itself.
 */
public final class Api {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final @Nullable String key;

  public Api(int port) {
    this("http://localhost:" + port, TestKeys.ALL_SCOPES);
  }

  private Api(String base, @Nullable String key) {
    this.base = base;
    this.key = key;
  }

  /** The same API, called with another key. */
  public Api withKey(String key) {
    return new Api(base, key);
  }

  /** The same API, called without an Authorization header. */
  public Api withoutKey() {
    return new Api(base, null);
  }

  public record Response(int status, HttpResponse<String> raw, JsonNode body) {
    public String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    public String contentType() {
      return header("Content-Type");
    }
  }

  public Response post(String path, String json, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return send(request.build());
  }

  public Response send(HttpRequest request) {
    if (key != null && request.headers().firstValue("Authorization").isEmpty()) {
      request =
          HttpRequest.newBuilder(request, (name, value) -> true)
              .header("Authorization", "Bearer " + key)
              .build();
    }
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      String body = response.body();
      boolean json = response.headers().firstValue("Content-Type").orElse("").contains("json");
      JsonNode node =
          body == null || body.isBlank() || !json ? JSON.nullNode() : JSON.readTree(body);
      return new Response(response.statusCode(), response, node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public Response get(String path, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET();
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return send(request.build());
  }

  public URI uri(String path) {
    return URI.create(base + path);
  }

  /**
   * Polls {@code GET /emails/{id}} until the body satisfies the condition, at most for the timeout;
   * fails with the last body seen when it never did.
   */
  public JsonNode awaitEmail(String id, Predicate<JsonNode> condition, Duration timeout) {
    return await("email " + id + " in the expected state")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> get("/emails/" + id).body(), condition);
  }

  public static Predicate<JsonNode> status(String status) {
    return body -> status.equals(body.path("status").asString());
  }

  public static JsonNode parse(String json) {
    return JSON.readTree(json);
  }
}

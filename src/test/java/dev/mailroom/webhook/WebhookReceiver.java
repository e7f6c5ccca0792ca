package dev.mailroom.webhook;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real HTTP server that receives webhooks as a caller's would: it records every request and
 * answers 204, or the statuses it was told to answer first. {@link #verify} checks a request the
 * way the Standard Webhooks specification tells a receiver to, written here from the spec and not
 * from the service's code.
 */
final class WebhookReceiver implements AutoCloseable {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The tolerance the specification recommends against replayed requests. */
  static final Duration TOLERANCE = Duration.ofMinutes(5);

  record Request(Map<String, List<String>> headers, byte[] body, Instant receivedAt) {
    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }

    String webhookId() {
      return header("webhook-id");
    }

    JsonNode json() {
      return JSON.readTree(body);
    }

    String type() {
      return json().path("type").asString();
    }

    String emailId() {
      return json().path("data").path("emailId").asString();
    }
  }

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedDeque<Integer> statuses = new ConcurrentLinkedDeque<>();
  private volatile Duration delay = Duration.ZERO;

  WebhookReceiver() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          requests.add(new Request(Map.copyOf(exchange.getRequestHeaders()), body, Instant.now()));
          if (!delay.isZero()) {
            try {
              Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          Integer status = statuses.poll();
          exchange.sendResponseHeaders(status == null ? 204 : status, -1);
          exchange.close();
        });
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks";
  }

  /** Answers these statuses to the next requests, in order, then 204 again. */
  WebhookReceiver answer(Integer... statuses) {
    this.statuses.addAll(List.of(statuses));
    return this;
  }

  WebhookReceiver delay(Duration delay) {
    this.delay = delay;
    return this;
  }

  void reset() {
    requests.clear();
    statuses.clear();
    delay = Duration.ZERO;
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Waits, boundedly, until the requests received satisfy the condition, and returns them. */
  List<Request> await(String what, Predicate<List<Request>> condition, Duration timeout) {
    return org.awaitility.Awaitility.await(what)
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(20))
        .until(this::requests, condition);
  }

  /** Waits until a request of this type about this email arrived, and returns the first. */
  Request awaitEvent(String type, String emailId) {
    return await(
            type + " for " + emailId,
            rs -> rs.stream().anyMatch(r -> type.equals(r.type()) && emailId.equals(r.emailId())),
            Duration.ofSeconds(30))
        .stream()
        .filter(r -> type.equals(r.type()) && emailId.equals(r.emailId()))
        .findFirst()
        .orElseThrow();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  /**
   * Verifies a request per Standard Webhooks: the three headers are present, the timestamp is
   * within the tolerance, and one of the space-separated {@code v1,<base64>} signatures is the
   * HMAC-SHA256, keyed with the base64-decoded secret after {@code whsec_}, of {@code
   * id.timestamp.body}. Returns how many of the given secrets signed it.
   */
  static int verify(Request request, String... secrets) {
    String id = request.header("webhook-id");
    String timestamp = request.header("webhook-timestamp");
    String signatures = request.header("webhook-signature");
    if (id == null || timestamp == null || signatures == null) {
      throw new AssertionError("missing Standard Webhooks headers: " + request.headers());
    }
    long seconds = Long.parseLong(timestamp);
    long skew = Math.abs(request.receivedAt().getEpochSecond() - seconds);
    if (skew > TOLERANCE.toSeconds()) {
      throw new AssertionError("timestamp " + timestamp + " is outside the tolerance");
    }
    List<byte[]> given = new ArrayList<>();
    for (String part : signatures.split(" ")) {
      int comma = part.indexOf(',');
      if (comma > 0 && part.substring(0, comma).equals("v1")) {
        given.add(Base64.getDecoder().decode(part.substring(comma + 1)));
      }
    }
    int matched = 0;
    for (String secret : secrets) {
      byte[] expected = hmac(secret, id + "." + timestamp + ".", request.body());
      if (given.stream().anyMatch(sig -> MessageDigest.isEqual(sig, expected))) {
        matched++;
      }
    }
    return matched;
  }

  private static byte[] hmac(String secret, String prefix, byte[] body) {
    try {
      byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(prefix.getBytes(StandardCharsets.UTF_8));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}

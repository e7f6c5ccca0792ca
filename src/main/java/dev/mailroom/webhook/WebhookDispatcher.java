package dev.mailroom.webhook;

import dev.mailroom.event.WebhooksQueued;
import dev.mailroom.system.PollingWorkers;
import dev.mailroom.webhook.WebhookDeliveries.DeliveryStatus;
import dev.mailroom.webhook.WebhookDeliveries.Tried;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Delivers the webhook outbox: each thread claims a batch in one statement, POSTs each delivery
 * signed per Standard Webhooks, and writes the tries back in one transaction. 2xx is delivered; 410
 * Gone disables the endpoint; anything else (another status, a timeout, a refused connection, an
 * address that is no longer public) is tried again with exponential backoff until {@code
 * retry.maxAge} after it was queued, then failed. A try is never started in the second half of its
 * lease, so a crash or a slow receiver delays deliveries, never loses them: an expired lease is
 * claimed again, and the receiver gets the same webhook-id (at least once).
 */
@Component
@ConditionalOnProperty(prefix = "mailroom.webhooks", name = "enabled", matchIfMissing = true)
class WebhookDispatcher implements SmartLifecycle, DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

  /** Of a receiver's answer, only this much is read (and the start kept in the log). */
  private static final int MAX_RESPONSE_BYTES = 4096;

  private static final int MAX_ERROR_LENGTH = 300;

  private final WebhookDeliveries deliveries;
  private final WebhookUrls urls;
  private final WebhookSettings settings;
  private final JsonMapper json;
  private final WebhookHttp http;
  private final String id;
  private final PollingWorkers workers;

  WebhookDispatcher(
      WebhookDeliveries deliveries, WebhookUrls urls, WebhookSettings settings, JsonMapper json) {
    this.deliveries = deliveries;
    this.urls = urls;
    this.settings = settings;
    this.json = json;
    this.http = new WebhookHttp(urls, settings);
    this.id = dispatcherId(settings);
    this.workers =
        new PollingWorkers(
            "Webhook dispatcher " + id,
            "webhooks",
            settings.concurrency(),
            settings.pollInterval());
  }

  @TransactionalEventListener(fallbackExecution = true)
  void onQueued(WebhooksQueued queued) {
    wake();
  }

  void wake() {
    workers.wake();
  }

  @Override
  public void start() {
    workers.start(() -> runOnce() >= settings.batchSize());
    log.info("Webhook dispatcher {} started: {} threads", id, settings.concurrency());
  }

  /** Lets each thread finish the try in hand, which is bounded by the HTTP client's timeouts. */
  @Override
  public void stop() {
    workers.stop(settings.readTimeout().plus(settings.connectTimeout()));
  }

  /** After stop: the connections to receivers are closed with the context. */
  @Override
  public void destroy() throws IOException {
    http.close();
  }

  @Override
  public boolean isRunning() {
    return workers.running();
  }

  /** Stops before the database goes away, like the email dispatcher. */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE - 2048;
  }

  /** Claims, delivers and records one batch; returns how many deliveries were claimed. */
  int runOnce() {
    long leaseStart = System.nanoTime();
    List<ClaimedDelivery> claimed =
        deliveries.claim(id, settings.batchSize(), settings.leaseDuration());
    List<Tried> tried = new ArrayList<>(claimed.size());
    List<ClaimedDelivery> unstarted = new ArrayList<>();
    for (ClaimedDelivery delivery : claimed) {
      boolean lateInLease = System.nanoTime() - leaseStart > settings.leaseDuration().toNanos() / 2;
      if (!workers.running() || lateInLease) {
        unstarted.add(delivery);
      } else {
        tried.add(deliver(delivery));
      }
    }
    int written = deliveries.record(tried, settings.disableAfter());
    if (written < tried.size()) {
      log.warn(
          "Webhook dispatcher {} lost {} claims to another dispatcher; their tries were dropped",
          id,
          tried.size() - written);
    }
    if (!unstarted.isEmpty()) {
      deliveries.release(unstarted);
    }
    return claimed.size();
  }

  private Tried deliver(ClaimedDelivery d) {
    Instant started = Instant.now();
    if (!d.enabled()) {
      return new Tried(
          d,
          id,
          started,
          0,
          false,
          null,
          "the endpoint is disabled",
          DeliveryStatus.FAILED,
          null,
          null);
    }
    long t0 = System.nanoTime();
    Optional<String> refusal = urls.formRefusal(d.url());
    if (refusal.isPresent()) {
      return failed(d, started, t0, null, "not sent: the URL " + refusal.get());
    }
    byte[] body = payload(d);
    long timestamp = started.getEpochSecond();
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("User-Agent", "Mailroom-Webhooks");
    headers.put("webhook-id", d.webhookId());
    headers.put("webhook-timestamp", String.valueOf(timestamp));
    headers.put(
        "webhook-signature",
        WebhookSignature.header(d.secrets(started), d.webhookId(), timestamp, body));
    try {
      WebhookHttp.Answer response = http.post(d.url(), headers, body, MAX_RESPONSE_BYTES);
      String answer = new String(response.start(), StandardCharsets.UTF_8);
      int status = response.status();
      if (status >= 200 && status < 300) {
        log.debug("Webhook {} to endpoint {}: {}", d.webhookId(), d.endpointId(), status);
        return new Tried(
            d,
            id,
            started,
            millisSince(t0),
            true,
            status,
            null,
            DeliveryStatus.DELIVERED,
            null,
            null);
      }
      String error = answer.isBlank() ? null : truncate(answer.strip());
      if (status == 410) {
        return new Tried(
            d,
            id,
            started,
            millisSince(t0),
            true,
            status,
            error,
            DeliveryStatus.FAILED,
            null,
            "the endpoint answered 410 Gone at " + started);
      }
      return failed(d, started, t0, status, error);
    } catch (WebhookUrls.RefusedAddressException e) {
      return failed(d, started, t0, null, "not sent: the URL " + e.getMessage());
    } catch (IOException e) {
      return failed(
          d, started, t0, null, truncate(e.getClass().getSimpleName() + ": " + e.getMessage()));
    } catch (IllegalArgumentException e) {
      return failed(d, started, t0, null, "not sent: " + e.getMessage());
    }
  }

  /** A failed try: again after the backoff, or failed for good when that is past the window. */
  private Tried failed(
      ClaimedDelivery d,
      Instant started,
      long t0,
      @Nullable Integer status,
      @Nullable String error) {
    Instant next =
        started.plus(
            settings.retry().backoff(d.attempts(), ThreadLocalRandom.current().nextDouble()));
    boolean givenUp = next.isAfter(d.retryFrom().plus(settings.retry().maxAge()));
    log.info(
        "Webhook {} to endpoint {} failed (try {}): {}{}",
        d.webhookId(),
        d.endpointId(),
        d.attempts(),
        status != null ? "HTTP " + status : error,
        givenUp ? "; giving up" : "; next try at " + next);
    return new Tried(
        d,
        id,
        started,
        millisSince(t0),
        true,
        status,
        error,
        givenUp ? DeliveryStatus.FAILED : DeliveryStatus.PENDING,
        givenUp ? null : next,
        null);
  }

  /**
   * {@code {"type", "timestamp", "data"}}: data is the event's own, with the email, its project and
   * the recipient the event is about. The same bytes for every try of a delivery.
   */
  byte[] payload(ClaimedDelivery d) {
    ObjectNode data = json.createObjectNode();
    data.put("emailId", d.emailId().toString());
    data.put("project", d.project());
    if (d.recipient() != null) {
      data.put("recipient", d.recipient());
    }
    data.setAll((ObjectNode) json.readTree(d.data()));
    ObjectNode body = json.createObjectNode();
    body.put("type", d.type());
    body.put("timestamp", d.occurredAt().toString());
    body.set("data", data);
    return json.writeValueAsBytes(body);
  }

  private static String truncate(String text) {
    return text.length() <= MAX_ERROR_LENGTH ? text : text.substring(0, MAX_ERROR_LENGTH) + "…";
  }

  private static long millisSince(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  private static String dispatcherId(WebhookSettings settings) {
    if (settings.dispatcherId() != null && !settings.dispatcherId().isBlank()) {
      return settings.dispatcherId();
    }
    String host = System.getenv("HOSTNAME");
    String pid = String.valueOf(ManagementFactory.getRuntimeMXBean().getPid());
    return (host == null || host.isBlank() ? "webhooks" : host) + "-" + pid;
  }
}

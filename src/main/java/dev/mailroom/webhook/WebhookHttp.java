package dev.mailroom.webhook;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * POSTs webhook requests. The connection pool resolves host names through {@link
 * WebhookUrls#checkedAddresses} and connects only to the addresses that check returned: the address
 * checked is the address called. For https the URL's host name is still what TLS sends (SNI) and
 * verifies the certificate against. Redirects are not followed (one could lead to an address the
 * check refused), nothing is retried here (the outbox retries), and a whole call, from connecting
 * to the end of reading the answer, is cut off at connect plus read timeout.
 */
final class WebhookHttp implements Closeable {

  /** The receiver's status and the start of its answer. */
  record Answer(int status, byte[] start) {}

  private final CloseableHttpClient client;
  private final Duration deadline;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "webhooks-deadline");
            t.setDaemon(true);
            return t;
          });

  WebhookHttp(WebhookUrls urls, WebhookSettings settings) {
    DnsResolver checked =
        new DnsResolver() {
          @Override
          public InetAddress[] resolve(String host) throws UnknownHostException {
            return urls.checkedAddresses(host);
          }

          @Override
          public String resolveCanonicalHostname(String host) {
            // Used only for SPNEGO authentication, which webhooks never do.
            return host;
          }
        };
    Timeout connect = Timeout.of(settings.connectTimeout());
    Timeout read = Timeout.of(settings.readTimeout());
    this.client =
        HttpClients.custom()
            .setConnectionManager(
                PoolingHttpClientConnectionManagerBuilder.create()
                    .setDnsResolver(checked)
                    .setMaxConnTotal(settings.concurrency() * 2)
                    .setMaxConnPerRoute(settings.concurrency())
                    .setDefaultConnectionConfig(
                        ConnectionConfig.custom()
                            .setConnectTimeout(connect)
                            .setSocketTimeout(read)
                            .build())
                    .build())
            .setDefaultRequestConfig(
                RequestConfig.custom()
                    .setConnectionRequestTimeout(connect)
                    .setResponseTimeout(read)
                    .setRedirectsEnabled(false)
                    .build())
            .disableRedirectHandling()
            .disableAutomaticRetries()
            .disableCookieManagement()
            .disableAuthCaching()
            .build();
    this.deadline = settings.connectTimeout().plus(settings.readTimeout());
  }

  /**
   * POSTs the body with the headers; reads at most {@code maxAnswerBytes} of the answer. An answer
   * longer than that costs its connection, which is dropped rather than drained.
   *
   * @throws WebhookUrls.RefusedAddressException when the host resolves to an address that may not
   *     be called
   * @throws IOException when no answer came (refused, timed out, cut off at the deadline)
   */
  Answer post(String url, Map<String, String> headers, byte[] body, int maxAnswerBytes)
      throws IOException {
    HttpPost post = new HttpPost(url);
    headers.forEach(post::setHeader);
    post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
    ScheduledFuture<?> cutOff =
        timer.schedule(() -> post.cancel(), deadline.toMillis(), TimeUnit.MILLISECONDS);
    try (CloseableHttpResponse response = client.execute(post)) {
      HttpEntity entity = response.getEntity();
      byte[] start = new byte[0];
      if (entity != null) {
        InputStream content = entity.getContent();
        start = content.readNBytes(maxAnswerBytes);
        if (start.length == maxAnswerBytes) {
          // More may follow, without end: drop the connection instead of reading on.
          post.cancel();
        }
      }
      return new Answer(response.getCode(), start);
    } catch (IOException e) {
      if (post.isCancelled() && cutOff.isDone()) {
        throw new IOException("no complete answer within " + deadline, e);
      }
      throw e;
    } finally {
      cutOff.cancel(false);
    }
  }

  @Override
  public void close() throws IOException {
    timer.shutdownNow();
    client.close();
  }
}

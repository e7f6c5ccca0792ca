package dev.mailroom.inbound;

import io.github.bucket4j.Bucket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;

/**
 * Per-address limits on the listener's connections: how many at once, how many new ones a minute,
 * and how long any one may last. SubEthaSMTP's own limit (all connections at once) comes on top.
 */
final class ConnectionLimits implements SessionHandler {

  /** Beyond this many remembered addresses, those with a full bucket (idle ones) are forgotten. */
  private static final int MAX_TRACKED_ADDRESSES = 10_000;

  private final int maxPerAddress;
  private final int perMinute;
  private final Duration sessionTimeout;
  private final ScheduledExecutorService timer;
  private final Runnable onRefused;
  private final Map<InetAddress, Integer> open = new ConcurrentHashMap<>();
  private final Map<InetAddress, Bucket> rates = new ConcurrentHashMap<>();
  private final Map<Session, ScheduledFuture<?>> deadlines = new ConcurrentHashMap<>();

  ConnectionLimits(InboundSettings settings, ScheduledExecutorService timer, Runnable onRefused) {
    this.maxPerAddress = settings.maxConnectionsPerAddress();
    this.perMinute = settings.connectionsPerMinutePerAddress();
    this.sessionTimeout = settings.sessionTimeout();
    this.timer = timer;
    this.onRefused = onRefused;
  }

  @Override
  public SessionAcceptance accept(Session session) {
    InetAddress address = session.getRealRemoteAddress().getAddress();
    if (!rate(address).tryConsume(1)) {
      onRefused.run();
      return SessionAcceptance.failure(
          421, "4.7.0 Too many connections from your address, try again later");
    }
    if (open.merge(address, 1, Integer::sum) > maxPerAddress) {
      release(address);
      onRefused.run();
      return SessionAcceptance.failure(
          421, "4.7.0 Too many concurrent connections from your address, try again later");
    }
    // Closing the socket ends a read in progress: the session thread then finishes.
    deadlines.put(
        session, timer.schedule(session::quit, sessionTimeout.toMillis(), TimeUnit.MILLISECONDS));
    return SessionAcceptance.success();
  }

  @Override
  public void onSessionEnd(Session session) {
    ScheduledFuture<?> deadline = deadlines.remove(session);
    if (deadline != null) {
      deadline.cancel(false);
    }
    release(session.getRealRemoteAddress().getAddress());
  }

  private void release(InetAddress address) {
    open.computeIfPresent(address, (a, count) -> count <= 1 ? null : count - 1);
  }

  private Bucket rate(InetAddress address) {
    if (rates.size() > MAX_TRACKED_ADDRESSES) {
      rates.values().removeIf(bucket -> bucket.getAvailableTokens() >= perMinute);
    }
    return rates.computeIfAbsent(
        address,
        a ->
            Bucket.builder()
                .addLimit(l -> l.capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)))
                .build());
  }
}

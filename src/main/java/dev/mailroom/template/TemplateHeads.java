package dev.mailroom.template;

import dev.mailroom.template.TemplateSource.Head;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Which version of a template is the latest, kept in memory while this replica is told of every
 * change: a change to a template notifies the channel {@value #CHANNEL} in its transaction, so
 * PostgreSQL tells every replica at commit, and the replica that made it forgets its copy before
 * the request that made it answers.
 *
 * <p>The copy is trusted only while the listening connection is up. Without it — at startup, after
 * the connection broke, while it is re-established — every render asks the database, as if there
 * were no cache, and whatever was kept is forgotten: a lost notification can never leave a replica
 * sending an old version.
 */
@Component
class TemplateHeads implements SmartLifecycle {

  /** The notification channel; the payload is the template's name. */
  static final String CHANNEL = "mailroom_template_changes";

  /** The listening connection's {@code application_name}, to tell it apart in pg_stat_activity. */
  static final String APPLICATION_NAME = "mailroom template changes";

  private static final Logger log = LoggerFactory.getLogger(TemplateHeads.class);

  /** How long one wait for notifications lasts; a stop is noticed within it. */
  private static final int WAIT_MILLIS = 500;

  /** How often the listening connection is checked, so that a silently dead one is noticed. */
  private static final Duration CHECK_EVERY = Duration.ofSeconds(5);

  private static final Duration RETRY_AFTER = Duration.ofSeconds(2);

  private final JdbcConnectionDetails database;

  /** By {@code project + '\0' + name}: only templates that exist, so the map stays their size. */
  private final Map<String, Head> heads = new ConcurrentHashMap<>();

  /** Incremented by every forgetting, so that a read that overlapped one is not kept. */
  private final AtomicLong changes = new AtomicLong();

  private final AtomicLong notifications = new AtomicLong();

  private volatile boolean listening;
  private volatile boolean running;
  private @Nullable Thread listener;

  TemplateHeads(JdbcConnectionDetails database) {
    this.database = database;
  }

  /** The latest version from memory when it can be trusted, else from {@code load}. */
  Optional<Head> head(String project, String name, Supplier<Optional<Head>> load) {
    if (!listening) {
      return load.get();
    }
    String key = project + '\0' + name;
    Head kept = heads.get(key);
    if (kept != null) {
      return Optional.of(kept);
    }
    long before = changes.get();
    Optional<Head> loaded = load.get();
    if (loaded.isPresent()) {
      heads.put(key, loaded.get());
      // A change that committed while we read may have been forgotten before we kept it.
      if (!listening || changes.get() != before) {
        heads.remove(key, loaded.get());
      }
    }
    return loaded;
  }

  /**
   * Forgets every project's copy of the template of this name (a shared template's change concerns
   * them all).
   */
  void changed(String name) {
    changes.incrementAndGet();
    heads.keySet().removeIf(key -> key.endsWith('\0' + name));
  }

  private void forgetAll() {
    changes.incrementAndGet();
    heads.clear();
  }

  /** Whether the copy in memory is in use, for tests. */
  boolean listening() {
    return listening;
  }

  /** How many notifications arrived, for tests. */
  long notifications() {
    return notifications.get();
  }

  @Override
  public void start() {
    running = true;
    Thread thread = new Thread(this::listen, "template-changes");
    thread.setDaemon(true);
    listener = thread;
    thread.start();
  }

  @Override
  public void stop() {
    running = false;
    Thread thread = listener;
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(Duration.ofSeconds(5).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    listening = false;
    forgetAll();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  private void listen() {
    boolean warned = false;
    while (running) {
      try (Connection connection = connect()) {
        connection.setAutoCommit(true);
        // A read that waits longer than this (a dead peer) fails instead of hanging.
        connection.setNetworkTimeout(Runnable::run, (int) CHECK_EVERY.multipliedBy(2).toMillis());
        listenOn(connection);
        PGConnection pg = connection.unwrap(PGConnection.class);
        forgetAll();
        listening = true;
        if (warned) {
          log.info("Listening for template changes again");
          warned = false;
        }
        long nextCheck = System.nanoTime() + CHECK_EVERY.toNanos();
        while (running) {
          PGNotification[] notifications = pg.getNotifications(WAIT_MILLIS);
          if (notifications != null) {
            for (PGNotification notification : notifications) {
              changed(notification.getParameter());
              this.notifications.incrementAndGet();
            }
          }
          if (System.nanoTime() - nextCheck > 0) {
            listenOn(connection);
            nextCheck = System.nanoTime() + CHECK_EVERY.toNanos();
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (!running) {
          break;
        }
        if (!warned) {
          log.warn(
              "Not listening for template changes ({}); every send reads the latest version"
                  + " from the database until the connection is back",
              e.getMessage());
          warned = true;
        }
      } finally {
        listening = false;
        forgetAll();
      }
      pause();
    }
  }

  /**
   * A connection of its own, outside the pool: a pooled one would go back to the pool still
   * listening, and a session that listens without reading fills PostgreSQL's notification queue.
   */
  private Connection connect() throws SQLException {
    Properties properties = new Properties();
    if (database.getUsername() != null) {
      properties.setProperty("user", database.getUsername());
    }
    if (database.getPassword() != null) {
      properties.setProperty("password", database.getPassword());
    }
    properties.setProperty("ApplicationName", APPLICATION_NAME);
    properties.setProperty("connectTimeout", String.valueOf(CHECK_EVERY.toSeconds()));
    properties.setProperty("tcpKeepAlive", "true");
    return DriverManager.getConnection(database.getJdbcUrl(), properties);
  }

  /** {@code LISTEN}; again on a connection that listens already, a round trip that proves it. */
  private static void listenOn(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("LISTEN " + CHANNEL);
    }
  }

  private void pause() {
    try {
      Thread.sleep(RETRY_AFTER.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }
}

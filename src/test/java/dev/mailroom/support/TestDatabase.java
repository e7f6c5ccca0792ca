package dev.mailroom.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A real PostgreSQL 17 for tests and local mode: a Testcontainers container when a Docker engine is
 * available, an embedded server otherwise. Started once per JVM and shared by every context.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestDatabase {

  private static final AtomicInteger databases = new AtomicInteger();

  /**
   * A database of its own for each application context: contexts cached side by side in one test
   * run each have a dispatcher, and they must not take each other's emails.
   */
  @Bean
  JdbcConnectionDetails testDatabaseConnection() {
    return Server.INSTANCE.createDatabase("mailroom_" + databases.incrementAndGet());
  }

  private static final class Server implements JdbcConnectionDetails {
    static final Server INSTANCE = start();

    Server createDatabase(String name) {
      try (Connection connection = DriverManager.getConnection(url, username, password);
          Statement statement = connection.createStatement()) {
        statement.execute("DROP DATABASE IF EXISTS " + name);
        statement.execute("CREATE DATABASE " + name);
      } catch (SQLException e) {
        throw new IllegalStateException("Could not create test database " + name, e);
      }
      int slash = url.lastIndexOf('/');
      int query = url.indexOf('?', slash);
      String dbUrl = url.substring(0, slash + 1) + name + (query < 0 ? "" : url.substring(query));
      return new Server(dbUrl, username, password);
    }

    private final String url;
    private final String username;
    private final String password;

    private Server(String url, String username, String password) {
      this.url = url;
      this.username = username;
      this.password = password;
    }

    private static Server start() {
      if (dockerAvailable()) {
        PostgreSQLContainer container = new PostgreSQLContainer("postgres:17");
        container.start();
        return new Server(container.getJdbcUrl(), container.getUsername(), container.getPassword());
      }
      try {
        EmbeddedPostgres postgres =
            EmbeddedPostgres.builder()
                .setServerConfig("max_connections", "1000")
                .setServerConfig("fsync", "off")
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> close(postgres)));
        return new Server(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "postgres");
      } catch (IOException e) {
        throw new UncheckedIOException("Could not start embedded PostgreSQL", e);
      }
    }

    private static boolean dockerAvailable() {
      // Ask Testcontainers only where an engine could be: its probe logs an error otherwise.
      if (System.getenv("DOCKER_HOST") == null
          && !java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/docker.sock"))) {
        return false;
      }
      try {
        return DockerClientFactory.instance().isDockerAvailable();
      } catch (RuntimeException | LinkageError e) {
        return false;
      }
    }

    private static void close(EmbeddedPostgres postgres) {
      try {
        postgres.close();
      } catch (IOException ignored) {
        // the JVM is exiting
      }
    }

    @Override
    public String getJdbcUrl() {
      return url;
    }

    @Override
    public String getUsername() {
      return username;
    }

    @Override
    public String getPassword() {
      return password;
    }
  }
}

package dev.mailroom.support;

import com.zaxxer.hikari.HikariDataSource;
import dev.mailroom.MailroomApplication;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * A second service process, a real JVM on the test's classpath, sharing the test's database and
 * relaying to its SMTP server: what crash tests kill with SIGKILL, so that nothing of it (no
 * shutdown hook, no finally block, no lease given back) runs after the kill. Closing it kills it
 * too, so a failed test leaves no process behind.
 */
public final class ServiceProcess implements AutoCloseable {

  private final Process process;
  private final File log;

  private ServiceProcess(Process process, File log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts the service on ephemeral ports, its output in a temporary file.
   *
   * @param name names the log file
   * @param arguments further settings, as {@code --name=value}
   */
  public static ServiceProcess start(
      String name, DataSource dataSource, int relayPort, String... arguments)
      throws IOException, SQLException {
    HikariDataSource hikari = dataSource.unwrap(HikariDataSource.class);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                MailroomApplication.class.getName(),
                "--spring.datasource.url=" + hikari.getJdbcUrl(),
                "--spring.datasource.username=" + hikari.getUsername(),
                "--spring.datasource.password=" + hikari.getPassword(),
                "--server.port=0",
                "--management.server.port=0",
                "--mailroom.email.default-from=sender@mailroom.test",
                "--mailroom.smtp.relays[0].name=test-relay",
                "--mailroom.smtp.relays[0].host=localhost",
                "--mailroom.smtp.relays[0].port=" + relayPort,
                "--mailroom.smtp.relays[0].tls-mode=NONE"));
    command.addAll(List.of(arguments));
    File log = File.createTempFile(name, ".log");
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    return new ServiceProcess(process, log);
  }

  /** SIGKILL, and returns once the process is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  /** Where the process writes its output, to read when a test fails. */
  public File log() {
    return log;
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}

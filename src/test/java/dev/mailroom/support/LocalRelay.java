package dev.mailroom.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.server.SMTPServer;

/**
 * The relay for local mode: a real SMTP server in process that accepts everything and writes each
 * message it receives, as received, to a {@code .eml} file.
 */
public class LocalRelay implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LocalRelay.class);
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");

  private final SMTPServer server;
  private final Path directory;
  private final AtomicLong count = new AtomicLong();

  public LocalRelay(int port, Path directory) {
    this.directory = directory.toAbsolutePath();
    try {
      Files.createDirectories(this.directory);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.server =
        SMTPServer.port(port)
            .hostName("local-relay")
            .simpleMessageListener(
                new org.subethamail.smtp.helper.SimpleMessageListener() {
                  @Override
                  public boolean accept(String from, String recipient) {
                    return true;
                  }

                  @Override
                  public void deliver(String from, String recipient, InputStream data)
                      throws IOException {
                    write(recipient, data);
                  }
                })
            .build();
    server.start();
    log.info(
        "Local relay listening on port {}; received messages are written to {}",
        port,
        this.directory);
  }

  private void write(String recipient, InputStream data) throws IOException {
    String safe = recipient.replaceAll("[^A-Za-z0-9@._-]", "_");
    Path file =
        directory.resolve(
            LocalDateTime.now().format(STAMP)
                + "-"
                + count.incrementAndGet()
                + "-"
                + safe
                + ".eml");
    Files.copy(data, file);
    log.info("Local relay received a message for {}: {}", recipient, file);
  }

  @Override
  public void close() {
    server.stop();
  }
}

package dev.mailroom.relay;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal SMTP server on a plain socket that records every connection and every command verb it
 * receives, so a test can see what the client did on the wire: how many connections it opened,
 * whether it said QUIT. It accepts every message, unless it greets with a failure or a command is
 * scripted to fail.
 */
final class RecordingSmtpServer implements AutoCloseable {

  private final ServerSocket server;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "recording-smtp");
            t.setDaemon(true);
            return t;
          });
  private final AtomicInteger connections = new AtomicInteger();
  private final List<String> verbs = new CopyOnWriteArrayList<>();
  private final Map<String, String> answers = new ConcurrentHashMap<>();
  private volatile String greeting = "220 recording.test ESMTP";

  RecordingSmtpServer() throws IOException {
    server = new ServerSocket(0);
    threads.submit(this::acceptLoop);
  }

  int port() {
    return server.getLocalPort();
  }

  /** New connections are greeted with this reply; anything but 220 ends the session. */
  RecordingSmtpServer greetWith(String reply) {
    greeting = reply;
    return this;
  }

  /** Every command with this verb (MAIL, RCPT, …) is answered with this reply. */
  RecordingSmtpServer answer(String verb, String reply) {
    answers.put(verb, reply);
    return this;
  }

  int connections() {
    return connections.get();
  }

  long count(String verb) {
    return verbs.stream().filter(verb::equals).count();
  }

  /** Waits, boundedly, until the verb was received this many times; returns the count then. */
  long awaitCount(String verb, long expected, Duration timeout) {
    await(verb + " received " + expected + " times")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(10))
        .until(() -> count(verb) >= expected);
    return count(verb);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        connections.incrementAndGet();
        threads.submit(() -> converse(socket));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void converse(Socket socket) {
    try (socket;
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))) {
      OutputStream out = socket.getOutputStream();
      String greet = greeting;
      reply(out, greet);
      if (!greet.startsWith("220")) {
        return;
      }
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String verb = line.split("[ :]", 2)[0].toUpperCase(Locale.ROOT);
        verbs.add(verb);
        String scripted = answers.get(verb);
        if (scripted != null) {
          reply(out, scripted);
          continue;
        }
        switch (verb) {
          case "EHLO" -> reply(out, "250-recording.test\r\n250 8BITMIME");
          case "DATA" -> {
            reply(out, "354 End data with <CR><LF>.<CR><LF>");
            for (String data = in.readLine(); data != null && !data.equals("."); ) {
              data = in.readLine();
            }
            reply(out, "250 2.0.0 Ok: queued");
          }
          case "QUIT" -> {
            reply(out, "221 2.0.0 Bye");
            return;
          }
          default -> reply(out, "250 2.0.0 Ok");
        }
      }
    } catch (SocketException e) {
      // the client went away
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void reply(OutputStream out, String reply) throws IOException {
    out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
  }
}

package dev.mailroom.relay;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;

/**
 * A minimal SMTP server on a plain socket that records every connection and every command verb it
 * receives, so a test can see what the client did on the wire: how many connections it opened,
 * whether it said QUIT. It accepts every message, unless it greets with a failure or a command is
 * scripted to fail.
 *
 * <p>With {@link #pipelining()} it offers PIPELINING (RFC 2920) and answers as a pipelining server
 * may: the replies to MAIL and RCPT are held until DATA arrives, then go out together with DATA's.
 * A client that waits for each reply before its next command gets no reply and times out. DATA is
 * refused when MAIL or every RCPT was; the message lines are recorded as they came, dot-stuffed.
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
  private final Map<String, String> recipientAnswers = new ConcurrentHashMap<>();
  private final List<String> messages = new CopyOnWriteArrayList<>();
  private final List<String> reads = new CopyOnWriteArrayList<>();
  private volatile String greeting = "220 recording.test ESMTP";
  private volatile boolean pipelining;
  private volatile boolean dataAfterRefusals;
  private volatile @Nullable SSLContext startTls;
  private final Set<String> closeOnce = ConcurrentHashMap.newKeySet();

  RecordingSmtpServer() throws IOException {
    server = new ServerSocket(0);
    threads.submit(this::acceptLoop);
  }

  int port() {
    return server.getLocalPort();
  }

  /**
   * What each read from a client's socket returned, in order: the bytes as they arrived, so a
   * command group written at once arrives in one read.
   */
  List<String> reads() {
    return List.copyOf(reads);
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

  /** Offers PIPELINING and holds the replies to MAIL and RCPT until DATA, as described above. */
  RecordingSmtpServer pipelining() {
    pipelining = true;
    return this;
  }

  /** The first time this verb arrives, the connection is closed without a reply. */
  RecordingSmtpServer closeOnceAt(String verb) {
    closeOnce.add(verb);
    return this;
  }

  /** Offers STARTTLS, with this context's certificate. */
  RecordingSmtpServer startTls(SSLContext context) {
    startTls = context;
    return this;
  }

  /** RCPT TO this address (any case) is answered with this reply. */
  RecordingSmtpServer answerRecipient(String address, String reply) {
    recipientAnswers.put(address.toLowerCase(Locale.ROOT), reply);
    return this;
  }

  /**
   * DATA is answered 354 even after MAIL or every RCPT was refused, as some servers do: the client
   * must then end the data at once (RFC 2920, 3.1).
   */
  RecordingSmtpServer dataAfterRefusals() {
    dataAfterRefusals = true;
    return this;
  }

  /**
   * Each message's lines as they arrived, dot-stuffed, joined with CRLF, the final "." left out.
   */
  List<String> messages() {
    return List.copyOf(messages);
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
    Socket connection = socket;
    try {
      BufferedReader in = reader(connection);
      OutputStream out = connection.getOutputStream();
      String greet = greeting;
      reply(out, greet);
      if (!greet.startsWith("220")) {
        return;
      }
      StringBuilder held = new StringBuilder();
      boolean mailAccepted = false;
      int recipientsAccepted = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String verb = line.split("[ :]", 2)[0].toUpperCase(Locale.ROOT);
        verbs.add(verb);
        if (closeOnce.remove(verb)) {
          return;
        }
        String scripted = answers.get(verb);
        String answer =
            switch (verb) {
              case "EHLO" ->
                  "250-recording.test\r\n"
                      + (pipelining ? "250-PIPELINING\r\n" : "")
                      + (startTls != null && !(connection instanceof SSLSocket)
                          ? "250-STARTTLS\r\n"
                          : "")
                      + "250 8BITMIME";
              case "STARTTLS" -> "220 2.0.0 Ready to start TLS";
              case "RCPT" -> recipientAnswer(line);
              case "QUIT" -> "221 2.0.0 Bye";
              default -> "250 2.0.0 Ok";
            };
        if (scripted != null) {
          answer = scripted;
        }
        switch (verb) {
          case "MAIL" -> {
            mailAccepted = answer.startsWith("2");
            recipientsAccepted = 0;
          }
          case "RCPT" -> recipientsAccepted += answer.startsWith("2") ? 1 : 0;
          case "RSET" -> {
            mailAccepted = false;
            recipientsAccepted = 0;
          }
          default -> {}
        }
        if (pipelining && (verb.equals("MAIL") || verb.equals("RCPT"))) {
          held.append(answer).append("\r\n");
          continue;
        }
        if (verb.equals("DATA") && scripted == null) {
          boolean refused = pipelining && (!mailAccepted || recipientsAccepted == 0);
          if (refused && !dataAfterRefusals) {
            reply(out, held + "554 5.5.1 Error: no valid recipients");
          } else {
            reply(out, held + "354 End data with <CR><LF>.<CR><LF>");
            StringBuilder message = new StringBuilder();
            for (String data = in.readLine(); data != null && !data.equals("."); ) {
              message.append(data).append("\r\n");
              data = in.readLine();
            }
            messages.add(message.toString());
            reply(out, refused ? "554 5.5.1 Error: no valid recipients" : "250 2.0.0 Ok: queued");
          }
        } else {
          reply(out, held + answer);
        }
        held.setLength(0);
        if (verb.equals("QUIT")) {
          return;
        }
        if (verb.equals("STARTTLS") && startTls != null && scripted == null) {
          SSLSocket tls =
              (SSLSocket)
                  startTls
                      .getSocketFactory()
                      .createSocket(connection, "localhost", connection.getPort(), true);
          tls.setUseClientMode(false);
          tls.startHandshake();
          connection = tls;
          in = reader(connection);
          out = connection.getOutputStream();
        }
      }
    } catch (SocketException | SSLException e) {
      // the client went away
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } finally {
      try {
        connection.close();
      } catch (IOException e) {
        // closed already
      }
    }
  }

  private BufferedReader reader(Socket socket) throws IOException {
    InputStream raw = socket.getInputStream();
    InputStream recorded =
        new FilterInputStream(raw) {
          @Override
          public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
              reads.add(new String(buffer, offset, n, StandardCharsets.US_ASCII));
            }
            return n;
          }
        };
    return new BufferedReader(new InputStreamReader(recorded, StandardCharsets.US_ASCII));
  }

  private String recipientAnswer(String line) {
    int open = line.indexOf('<');
    int close = line.indexOf('>', open + 1);
    String address =
        open >= 0 && close > open ? line.substring(open + 1, close).toLowerCase(Locale.ROOT) : "";
    return recipientAnswers.getOrDefault(address, "250 2.1.5 Ok");
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

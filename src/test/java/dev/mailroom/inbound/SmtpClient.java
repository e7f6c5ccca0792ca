package dev.mailroom.inbound;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A plain SMTP client over a socket, so that tests control every byte: what a hostile client sends
 * as much as what a well-behaved MTA does. Every read is bounded by a timeout.
 */
final class SmtpClient implements AutoCloseable {

  /** One reply; for a multi-line reply, the text of its last line. */
  record Reply(int code, String text) {
    boolean positive() {
      return code >= 200 && code < 400;
    }
  }

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private SmtpClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  static SmtpClient connect(int port) {
    try {
      Socket socket = new Socket();
      socket.connect(new InetSocketAddress("127.0.0.1", port), (int) TIMEOUT.toMillis());
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      return new SmtpClient(socket);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads one reply; code -1 when the server closed the connection instead. */
  Reply read() throws IOException {
    while (true) {
      String line = readLine();
      if (line == null) {
        return new Reply(-1, "connection closed");
      }
      if (line.length() < 4 || line.charAt(3) != '-') {
        int code;
        try {
          code = Integer.parseInt(line.substring(0, Math.min(3, line.length())));
        } catch (NumberFormatException e) {
          code = 0;
        }
        return new Reply(code, line.length() > 4 ? line.substring(4) : "");
      }
    }
  }

  Reply command(String line) throws IOException {
    write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    return read();
  }

  void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Greeting, EHLO, MAIL FROM, one RCPT TO each (stopping at a refusal), DATA: the last reply. */
  Reply deliver(String from, String to, byte[] message) throws IOException {
    Reply reply = read();
    if (reply.code() != 220) {
      return reply;
    }
    reply = command("EHLO mta.test");
    if (reply.code() != 250) {
      return reply;
    }
    return send(from, to, message);
  }

  /** One transaction on a session that has said EHLO. */
  Reply send(String from, String to, byte[] message) throws IOException {
    Reply reply = command("MAIL FROM:<" + from + ">");
    if (reply.code() != 250) {
      return reply;
    }
    reply = command("RCPT TO:<" + to + ">");
    if (reply.code() != 250) {
      return reply;
    }
    return data(message);
  }

  /** DATA with the message dot-stuffed and terminated. */
  Reply data(byte[] message) throws IOException {
    Reply reply = command("DATA");
    if (reply.code() != 354) {
      return reply;
    }
    write(dotStuffed(message));
    write(".\r\n".getBytes(StandardCharsets.US_ASCII));
    return read();
  }

  /** Whether the server has closed the connection (a read ends, or the socket was reset). */
  boolean closedByServer() {
    try {
      while (true) {
        if (in.read() == -1) {
          return true;
        }
      }
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        String text = line.toString(StandardCharsets.UTF_8);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
  }

  /** CRLF line ends, a dot doubled at the start of a line, and a final CRLF. */
  static byte[] dotStuffed(byte[] message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + 64);
    boolean lineStart = true;
    for (byte b : message) {
      if (lineStart && b == '.') {
        out.write('.');
      }
      out.write(b);
      lineStart = b == '\n';
    }
    if (!lineStart) {
      out.write('\r');
      out.write('\n');
    }
    return out.toByteArray();
  }
}

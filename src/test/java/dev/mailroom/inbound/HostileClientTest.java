package dev.mailroom.inbound;

import static dev.mailroom.inbound.BounceSamples.EMAIL_ID;
import static dev.mailroom.inbound.BounceSamples.sample;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailroom.inbound.SmtpClient.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * What the listener does with clients that are not well-behaved MTAs: wrong recipients, messages
 * too large, data without end, and garbage. It refuses or records, and keeps answering.
 */
class HostileClientTest extends InboundIntegrationTest {

  private static final int LIMIT = 64 * 1024;

  @Test
  void recipientOutsideTheBounceDomainIsRefusedWith550() throws IOException {
    double before = counted("refused");
    try (SmtpClient client = connect()) {
      assertThat(client.read().code()).isEqualTo(220);
      assertThat(client.command("EHLO mta.test").code()).isEqualTo(250);
      assertThat(client.command("MAIL FROM:<>").code()).isEqualTo(250);

      Reply refused = client.command("RCPT TO:<someone@example.com>");
      Reply relayAttempt = client.command("RCPT TO:<b-1@" + BOUNCE_DOMAIN + ".example.com>");

      assertThat(refused.code()).isEqualTo(550);
      assertThat(refused.text()).startsWith("5.1.1");
      assertThat(relayAttempt.code()).isEqualTo(550);
    }
    assertThat(counted("refused")).isEqualTo(before + 2);
    assertThat(inboundMessages()).isEmpty();
  }

  @Test
  void messageOverTheSizeLimitIsRefusedWith552AndTheSessionGoesOn() throws IOException {
    String verp = tokens.envelopeSender(EMAIL_ID, 0);
    byte[] large = message(LIMIT + 10_000);
    try (SmtpClient client = connect()) {
      client.read();
      client.command("EHLO mta.test");

      Reply tooLarge = client.send("", verp, large);
      Reply next = client.send("", verp, sample("postfix-user-unknown.eml", verp));

      assertThat(tooLarge.code()).isEqualTo(552);
      assertThat(next.code()).isEqualTo(250);
    }
    assertThat(inboundMessages())
        .singleElement()
        .satisfies(row -> assertThat(row).containsEntry("outcome", "MATCHED"));
  }

  @Test
  void declaredSizeOverTheLimitIsRefusedAtMailFrom() throws IOException {
    try (SmtpClient client = connect()) {
      client.read();
      Reply ehlo = client.command("EHLO mta.test");

      Reply mail = client.command("MAIL FROM:<> SIZE=" + (LIMIT + 1));

      assertThat(ehlo.code()).isEqualTo(250);
      assertThat(mail.code()).isEqualTo(552);
    }
  }

  @Test
  void dataWithoutEndIsCutOffByTheListenerNotBufferedAndTheListenerStillAnswers() throws Exception {
    String verp = tokens.envelopeSender(EMAIL_ID, 0);
    // Far more than the listener holds or drains (twice the limit): if it buffered what it is
    // sent, or read it all, every byte would be written.
    long endless = 256L * 1024 * 1024;
    AtomicLong written = new AtomicLong();
    try (SmtpClient client = connect()) {
      client.read();
      client.command("EHLO mta.test");
      client.command("MAIL FROM:<>");
      client.command("RCPT TO:<" + verp + ">");
      assertThat(client.command("DATA").code()).isEqualTo(354);
      byte[] line = "X".repeat(998).concat("\r\n").getBytes(StandardCharsets.US_ASCII);
      boolean cutOff = false;
      try {
        while (written.get() < endless) {
          client.write(line);
          written.addAndGet(line.length);
        }
      } catch (IOException e) {
        cutOff = true;
      }

      assertThat(cutOff).as("the listener closed the connection").isTrue();
      assertThat(written.get()).isLessThan(endless);
    }
    assertThat(deliver(verp, sample("postfix-user-unknown.eml", verp)).code()).isEqualTo(250);
    assertThat(inboundMessages()).singleElement();
  }

  @Test
  void overlongCommandLineEndsTheSessionWith501() throws IOException {
    try (SmtpClient client = connect()) {
      client.read();
      client.write(("EHLO " + "a".repeat(100_000) + "\r\n").getBytes(StandardCharsets.US_ASCII));

      assertThat(client.read().code()).isEqualTo(501);
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void bareLineFeedsInACommandEndTheSessionWith501() throws IOException {
    try (SmtpClient client = connect()) {
      client.read();
      // A client that never sends CRLF at all waits for the idle timeout instead.
      client.write("EHLO mta.test\nMAIL FROM:<>\n\r\n".getBytes(StandardCharsets.US_ASCII));

      assertThat(client.read().code()).isEqualTo(501);
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void messageOfBareLineFeedsHugeHeaderLinesAndEightBitBytesIsRecorded() throws IOException {
    String verp = tokens.envelopeSender(EMAIL_ID, 0);
    byte[] header = ("X-Long: " + "h".repeat(40_000) + "\n").getBytes(StandardCharsets.US_ASCII);
    byte[] eightBit = new byte[2048];
    new Random(7).nextBytes(eightBit);
    byte[] message =
        concat(
            header,
            "Subject: \u00e9t\u00e9\n\n".getBytes(StandardCharsets.ISO_8859_1),
            eightBit,
            "\r\n".getBytes(StandardCharsets.US_ASCII));

    Reply reply;
    try (SmtpClient client = connect()) {
      client.read();
      client.command("EHLO mta.test");
      client.command("MAIL FROM:<>");
      client.command("RCPT TO:<" + verp + ">");
      client.command("DATA");
      // Sent as it is, not dot-stuffed nor made CRLF: only the terminator is proper.
      client.write(message);
      client.write("\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
      reply = client.read();
    }

    assertThat(reply.code()).isEqualTo(250);
    assertThat(inboundMessages())
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row).containsEntry("outcome", "UNPARSEABLE");
              assertThat(row.get("raw")).isNotNull();
            });
    assertThat(published.received).isEmpty();
  }

  @Test
  void floodOfGarbageFromManyConnectionsNeverStopsTheListener() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        long seed = i;
        done.add(clients.submit(() -> sendGarbage(seed)));
      }
      for (Future<?> each : done) {
        // Every garbage session ends: by a refusal, a reset, or the idle timeout (5s here).
        each.get(60, TimeUnit.SECONDS);
      }
    } finally {
      clients.shutdownNow();
    }

    String verp = tokens.envelopeSender(EMAIL_ID, 3);
    assertThat(listener.isRunning()).isTrue();
    assertThat(deliver(verp, sample("gmail-no-such-user.eml", verp)).code()).isEqualTo(250);
    assertThat(published.received)
        .extracting(event -> event.bounce().recipientPosition())
        .containsExactly(3);
  }

  /** One session of one kind of garbage, picked by the seed; returns once the session is over. */
  private Void sendGarbage(long seed) throws IOException {
    Random random = new Random(seed);
    try (SmtpClient client = connect()) {
      client.read();
      switch ((int) (seed % 4)) {
        case 0 -> {
          byte[] noise = new byte[32 * 1024];
          random.nextBytes(noise);
          writeQuietly(client, noise);
        }
        case 1 ->
            writeQuietly(
                client, ("HELO " + "z".repeat(20_000)).getBytes(StandardCharsets.US_ASCII));
        case 2 -> {
          client.command("EHLO garbage.test");
          client.command("MAIL FROM:<<<>>>");
          client.command("RCPT TO:<@@" + BOUNCE_DOMAIN + ">");
          client.command("RCPT TO:<\u00ff\u00fe@" + BOUNCE_DOMAIN + ">");
          client.command("DATA");
          client.command("BDAT 10 LAST");
          client.command("AUTH PLAIN AAAA");
          client.command("STARTTLS");
        }
        default -> {
          client.command("EHLO garbage.test");
          client.command("MAIL FROM:<>");
          client.command("RCPT TO:<x@" + BOUNCE_DOMAIN + ">");
          client.command("DATA");
          byte[] noise = new byte[LIMIT * 3];
          random.nextBytes(noise);
          writeQuietly(client, noise);
        }
      }
      client.closedByServer();
    }
    return null;
  }

  private static void writeQuietly(SmtpClient client, byte[] bytes) {
    try {
      client.write(bytes);
    } catch (IOException e) {
      // the listener hung up on it: that is allowed
    }
  }

  private static byte[] message(int size) {
    StringBuilder message = new StringBuilder("Subject: large\r\n\r\n");
    while (message.length() < size) {
      message.append("0123456789".repeat(7)).append("\r\n");
    }
    return message.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] concat(byte[]... parts) {
    int length = Arrays.stream(parts).mapToInt(p -> p.length).sum();
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }
}

package dev.mailroom.relay;

import dev.mailroom.relay.SendResult.Tls;
import dev.mailroom.relay.SmtpSettings.Relay;
import dev.mailroom.relay.SmtpSettings.TlsMode;
import dev.mailroom.system.MailStreams;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import java.io.ByteArrayInputStream;
import java.util.Properties;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens SMTP sessions to one relay: the Jakarta Mail settings (timeouts, EHLO name, per-recipient
 * replies), TLS verified against the JVM's trust store or the relay's CA bundle, and AUTH when the
 * relay has credentials. A connection to a relay configured for TLS is never used unencrypted.
 */
final class SmtpConnector {

  private static final Logger log = LoggerFactory.getLogger(SmtpConnector.class);

  static {
    MailStreams.nameProvider();
  }

  private final Relay relay;
  private final Properties properties;
  private final Session session;
  private final @Nullable SSLSocketFactory tlsSockets;

  SmtpConnector(Relay relay, String ehloName) {
    this.relay = relay;
    this.properties = sessionProperties(relay, ehloName);
    this.session = Session.getInstance(properties);
    this.tlsSockets =
        relay.tlsMode() == TlsMode.NONE ? null : TlsSockets.trusting(relay.caBundle());
  }

  /** A stored message and its envelope, parsed for sending. */
  record Prepared(SMTPMessage mime, InternetAddress[] to) {}

  /** Parses the stored message and its recipients; fails when the stored bytes cannot be sent. */
  Prepared prepare(OutgoingMessage message) throws MessagingException {
    SMTPMessage mime = new SMTPMessage(session, new ByteArrayInputStream(message.mime()));
    mime.setEnvelopeFrom(message.envelopeFrom());
    InternetAddress[] to = new InternetAddress[message.recipients().size()];
    for (int i = 0; i < to.length; i++) {
      to[i] = new InternetAddress(message.recipients().get(i), false);
    }
    return new Prepared(mime, to);
  }

  /** Connects, says EHLO, starts TLS and authenticates as the relay is configured to. */
  RelayConnection open() throws MessagingException {
    String protocol = relay.tlsMode() == TlsMode.IMPLICIT ? "smtps" : "smtp";
    if (tlsSockets == null) {
      SMTPTransport transport = (SMTPTransport) session.getTransport(protocol);
      transport.connect(relay.host(), relay.port(), relay.username(), relay.password());
      log.debug("Opened connection to relay {}", relay);
      return new RelayConnection(transport, null);
    }
    // A session of its own, so this connection's TLS socket can be told apart from others'.
    TlsSockets.Capturing sockets = new TlsSockets.Capturing(tlsSockets);
    Properties withSockets = new Properties();
    withSockets.putAll(properties);
    withSockets.put(prefix(relay) + "ssl.socketFactory", sockets);
    SMTPTransport transport =
        (SMTPTransport) Session.getInstance(withSockets).getTransport(protocol);
    transport.connect(relay.host(), relay.port(), relay.username(), relay.password());
    Tls tls = sockets.negotiated();
    if (tls == null) {
      // Never send in plaintext over a relay configured for TLS.
      transport.close();
      throw new MessagingException(
          "relay " + relay.name() + " connection is not encrypted although TLS is required");
    }
    log.debug("Opened connection to relay {} with {} {}", relay, tls.protocol(), tls.cipher());
    return new RelayConnection(transport, tls);
  }

  private static String prefix(Relay relay) {
    return relay.tlsMode() == TlsMode.IMPLICIT ? "mail.smtps." : "mail.smtp.";
  }

  static Properties sessionProperties(Relay relay, String ehloName) {
    String p = prefix(relay);
    Properties props = new Properties();
    props.put(p + "host", relay.host());
    props.put(p + "port", String.valueOf(relay.port()));
    // Jakarta Mail waits forever unless told otherwise.
    props.put(p + "connectiontimeout", String.valueOf(relay.connectTimeout().toMillis()));
    props.put(p + "timeout", String.valueOf(relay.readTimeout().toMillis()));
    props.put(p + "writetimeout", String.valueOf(relay.writeTimeout().toMillis()));
    // A configured EHLO name: no local hostname lookup, which can hang on a misconfigured host.
    props.put(p + "localhost", ehloName);
    // Per-recipient replies: deliver to accepted recipients, report every RCPT reply.
    props.put(p + "sendpartial", "true");
    props.put(p + "reportsuccess", "true");
    props.put(p + "quitwait", "false");
    props.put(p + "auth", String.valueOf(relay.authenticates()));
    props.put(p + "auth.mechanisms", "PLAIN LOGIN");
    switch (relay.tlsMode()) {
      case STARTTLS -> {
        props.put(p + "starttls.enable", "true");
        props.put(p + "starttls.required", "true");
        props.put(p + "ssl.checkserveridentity", "true");
      }
      case IMPLICIT -> {
        props.put(p + "ssl.enable", "true");
        props.put(p + "ssl.checkserveridentity", "true");
      }
      case NONE -> props.put(p + "starttls.enable", "false");
    }
    return props;
  }
}

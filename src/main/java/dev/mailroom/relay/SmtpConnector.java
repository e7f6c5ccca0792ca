package dev.mailroom.relay;

import dev.mailroom.relay.SendResult.Tls;
import dev.mailroom.relay.SmtpSettings.Relay;
import dev.mailroom.relay.SmtpSettings.TlsMode;
import dev.mailroom.system.MailStreams;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import javax.net.ssl.SSLSocketFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens SMTP sessions to one relay, each a {@link PipeliningTransport}: the Jakarta Mail settings
 * (timeouts, EHLO name, sockets without Nagle's delay), TLS verified against the JVM's trust store
 * or the relay's CA bundle, and AUTH when the relay has credentials. A connection to a relay
 * configured for TLS is never used unencrypted.
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

  /**
   * The recipients' addresses as they go into RCPT TO; fails when one cannot be read as an address.
   */
  List<String> addresses(OutgoingMessage message) throws MessagingException {
    List<String> to = new ArrayList<>(message.recipients().size());
    for (String recipient : message.recipients()) {
      to.add(new InternetAddress(recipient, false).getAddress());
    }
    return to;
  }

  /** Connects, says EHLO, starts TLS and authenticates as the relay is configured to. */
  RelayConnection open() throws MessagingException {
    String protocol = relay.tlsMode() == TlsMode.IMPLICIT ? "smtps" : "smtp";
    if (tlsSockets == null) {
      PipeliningTransport transport = new PipeliningTransport(session, protocol);
      transport.connect(relay.host(), relay.port(), relay.username(), relay.password());
      log.debug("Opened connection to relay {}", relay);
      return new RelayConnection(transport, null);
    }
    // A session of its own, so this connection's TLS socket can be told apart from others'.
    TlsSockets.Capturing sockets = new TlsSockets.Capturing(tlsSockets);
    Properties withSockets = new Properties();
    withSockets.putAll(properties);
    withSockets.put(prefix(relay) + "ssl.socketFactory", sockets);
    PipeliningTransport transport =
        new PipeliningTransport(Session.getInstance(withSockets), protocol);
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
    // Small commands go out at once, not held until the previous one is acknowledged: a pipelined
    // MAIL, RCPT and DATA would otherwise wait for the relay's reply to the first.
    props.put(p + "socketFactory", NoDelaySockets.INSTANCE);
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

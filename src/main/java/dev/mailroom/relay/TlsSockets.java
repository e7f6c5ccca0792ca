package dev.mailroom.relay;

import dev.mailroom.relay.SendResult.Tls;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * TLS for relay connections: the trust anchors (the JVM's, or a relay's own PEM bundle) and a way
 * to see which protocol and cipher each connection negotiated, which Jakarta Mail does not expose.
 */
final class TlsSockets {

  private TlsSockets() {}

  /**
   * A socket factory that trusts the certificates of {@code caBundle}, or the JVM's trust store
   * when there is none. Host names are checked separately, by the mail transport.
   */
  static SSLSocketFactory trusting(@Nullable Path caBundle) {
    if (caBundle == null) {
      return (SSLSocketFactory) SSLSocketFactory.getDefault();
    }
    try {
      KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
      anchors.load(null, null);
      int n = 0;
      for (Certificate certificate : readCertificates(caBundle)) {
        anchors.setCertificateEntry("ca-" + n++, certificate);
      }
      if (n == 0) {
        throw new IllegalStateException("CA bundle " + caBundle + " holds no certificate");
      }
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(anchors);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(
          "Cannot use CA bundle " + caBundle + ": " + e.getMessage(), e);
    }
  }

  private static Collection<? extends Certificate> readCertificates(Path pem)
      throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      return CertificateFactory.getInstance("X.509").generateCertificates(in);
    }
  }

  /**
   * Wraps a socket factory for one connection and remembers the last TLS socket it made: the
   * implicit-TLS socket, or the socket STARTTLS layered over the plain one.
   */
  static final class Capturing extends SSLSocketFactory {

    private final SSLSocketFactory delegate;
    private volatile @Nullable SSLSocket last;

    Capturing(SSLSocketFactory delegate) {
      this.delegate = delegate;
    }

    /** The session of the connection, once its handshake completed; null if there was none. */
    @Nullable Tls negotiated() {
      SSLSocket socket = last;
      if (socket == null || socket.isClosed()) {
        return null;
      }
      SSLSession session = socket.getSession();
      if (session == null || session.getCipherSuite().equals("SSL_NULL_WITH_NULL_NULL")) {
        return null;
      }
      return new Tls(session.getProtocol(), session.getCipherSuite());
    }

    private Socket remember(Socket socket) {
      if (socket instanceof SSLSocket ssl) {
        last = ssl;
      }
      return socket;
    }

    @Override
    public Socket createSocket() throws IOException {
      return remember(delegate.createSocket());
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose)
        throws IOException {
      // The TCP socket under an implicit-TLS connection (a STARTTLS one comes from NoDelaySockets).
      return remember(delegate.createSocket(NoDelaySockets.noDelay(s), host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return remember(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
        throws IOException {
      return remember(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return remember(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(
        InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
      return remember(delegate.createSocket(address, port, localAddress, localPort));
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }
  }
}

package dev.mailroom.relay;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Plain sockets with Nagle's algorithm off (TCP_NODELAY). With it on, a command written while the
 * one before is still unacknowledged waits for that acknowledgement: a pipelined RCPT and DATA
 * would go out only with the relay's reply to MAIL, one round trip later.
 */
final class NoDelaySockets extends SocketFactory {

  static final NoDelaySockets INSTANCE = new NoDelaySockets();

  private NoDelaySockets() {}

  /** Jakarta Mail asks for an unconnected socket, and connects it with its own timeout. */
  @Override
  public Socket createSocket() throws IOException {
    return noDelay(new Socket());
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return noDelay(new Socket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return noDelay(new Socket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return noDelay(new Socket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return noDelay(new Socket(address, port, localAddress, localPort));
  }

  static Socket noDelay(Socket socket) throws IOException {
    socket.setTcpNoDelay(true);
    return socket;
  }
}

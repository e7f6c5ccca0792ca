package dev.mailroom.relay;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.helper.SimpleMessageListener;
import org.subethamail.smtp.server.SMTPServer;

/**
 * A real SMTP server, in process, configured by each test with STARTTLS, implicit TLS or AUTH. It
 * accepts every message and keeps the recipients it delivered to.
 */
final class SecureSmtpServer implements AutoCloseable {

  static final String USER = "mailer";
  static final String PASSWORD = "correct horse battery staple";

  private final SMTPServer server;
  private final List<String> delivered = new CopyOnWriteArrayList<>();

  SecureSmtpServer(UnaryOperator<SMTPServer.Builder> configure) {
    SMTPServer.Builder builder =
        SMTPServer.port(0)
            .hostName("secure.test")
            .simpleMessageListener(
                new SimpleMessageListener() {
                  @Override
                  public boolean accept(String from, String recipient) {
                    return true;
                  }

                  @Override
                  public void deliver(String from, String recipient, InputStream data)
                      throws IOException {
                    data.readAllBytes();
                    delivered.add(recipient);
                  }
                });
    server = configure.apply(builder).build();
    server.start();
  }

  /** AUTH PLAIN/LOGIN accepting only {@link #USER} with {@link #PASSWORD}. */
  static EasyAuthenticationHandlerFactory credentials() {
    return new EasyAuthenticationHandlerFactory(
        (username, password, context) -> {
          if (!USER.equals(username) || !PASSWORD.equals(password)) {
            throw new LoginFailedException();
          }
        });
  }

  int port() {
    return server.getPortAllocated();
  }

  List<String> delivered() {
    return List.copyOf(delivered);
  }

  @Override
  public void close() {
    server.stop();
  }
}

package dev.mailroom.inbound;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** VERP is on when a bounce domain is configured; the listener needs it (and says so). */
@Configuration(proxyBeanMethods = false)
class InboundConfiguration {

  /**
   * The sending side asks for this bean (an {@code ObjectProvider<VerpToken>}): present, each
   * recipient gets {@link VerpToken#envelopeSender}; absent, envelope senders stay as they are.
   */
  @Bean
  @ConditionalOnProperty(prefix = "mailroom.bounces", name = "domain")
  VerpToken verpToken(BounceSettings settings) {
    return VerpToken.of(settings);
  }
}

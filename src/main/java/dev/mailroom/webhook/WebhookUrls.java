package dev.mailroom.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Which endpoint URLs the service may call: http or https, with a host that resolves, and unless
 * {@code mailroom.webhooks.allow-private-networks} is set, only to public addresses. Checked when
 * an endpoint is created or changed, and at every connection: the HTTP client asks {@link
 * #checkedAddresses} for the addresses of the host and connects only to those, so a name that has
 * come to resolve elsewhere (DNS rebinding) is caught by the very lookup the connection uses.
 */
@Component
class WebhookUrls {

  static final int MAX_LENGTH = 2048;

  /** Looks a host name up; the system resolver, or a test's. */
  @FunctionalInterface
  interface HostResolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  /** A host that resolves, but to an address the service may not call. */
  static final class RefusedAddressException extends UnknownHostException {
    RefusedAddressException(String message) {
      super(message);
    }
  }

  private final boolean allowPrivateNetworks;
  private final HostResolver resolver;

  @Autowired
  WebhookUrls(WebhookSettings settings, ObjectProvider<HostResolver> resolver) {
    this(settings, resolver.getIfAvailable(() -> InetAddress::getAllByName));
  }

  WebhookUrls(WebhookSettings settings, HostResolver resolver) {
    this.allowPrivateNetworks = settings.allowPrivateNetworks();
    this.resolver = resolver;
  }

  /** Why the service may not call this URL; empty when it may. */
  Optional<String> refusal(String url) {
    Optional<String> form = formRefusal(url);
    if (form.isPresent()) {
      return form;
    }
    String host = URI.create(url).getHost();
    try {
      checkedAddresses(host);
    } catch (RefusedAddressException e) {
      return Optional.of(e.getMessage());
    } catch (UnknownHostException e) {
      return Optional.of("names a host that does not resolve: " + host);
    }
    return Optional.empty();
  }

  /** Why this is not a URL the service may call, judged by its text alone; empty when it is. */
  Optional<String> formRefusal(String url) {
    if (url.length() > MAX_LENGTH) {
      return Optional.of("must be at most " + MAX_LENGTH + " characters");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return Optional.of("is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return Optional.of("must be an http or https URL");
    }
    if (uri.getRawUserInfo() != null) {
      return Optional.of("must not carry credentials");
    }
    if (uri.getRawFragment() != null) {
      return Optional.of("must not have a fragment");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      return Optional.of("must name a host");
    }
    return Optional.empty();
  }

  /**
   * The addresses of the host, looked up once, each checked: what the HTTP client connects to.
   *
   * @throws RefusedAddressException when one of them is not public (and that is not allowed)
   */
  InetAddress[] checkedAddresses(String host) throws UnknownHostException {
    String name =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    InetAddress[] addresses = resolver.resolve(name);
    if (allowPrivateNetworks) {
      return addresses;
    }
    for (InetAddress address : addresses) {
      String kind = privateKind(address);
      if (kind != null) {
        throw new RefusedAddressException(
            "resolves to a "
                + kind
                + " address ("
                + address.getHostAddress()
                + "); only public addresses may be called");
      }
    }
    return addresses;
  }

  /** What kind of non-public address this is, or null for a public one. */
  static @Nullable String privateKind(InetAddress address) {
    if (address.isLoopbackAddress()) {
      return "loopback";
    }
    if (address.isLinkLocalAddress()) {
      return "link-local";
    }
    if (address.isAnyLocalAddress()) {
      return "wildcard";
    }
    if (address.isMulticastAddress()) {
      return "multicast";
    }
    if (address.isSiteLocalAddress()) {
      return "private";
    }
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      if (first == 0) {
        return "reserved";
      }
      // Carrier-grade NAT (RFC 6598), benchmarking (RFC 2544), and 240.0.0.0/4 reserved.
      if (first == 100 && second >= 64 && second < 128) {
        return "private";
      }
      if (first == 198 && (second == 18 || second == 19)) {
        return "reserved";
      }
      if (first >= 240) {
        return "reserved";
      }
    }
    if (address instanceof Inet6Address) {
      int first = b[0] & 0xff;
      // Unique local addresses fc00::/7, and IPv4-compatible or mapped forms of the IPv4 ranges.
      if ((first & 0xfe) == 0xfc) {
        return "private";
      }
      if (isEmbeddedIpv4(b)) {
        try {
          InetAddress v4 = InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16));
          return privateKind(v4);
        } catch (UnknownHostException e) {
          return "reserved";
        }
      }
    }
    return null;
  }

  /** ::a.b.c.d and ::ffff:a.b.c.d (the JDK turns most of the latter into IPv4 already). */
  private static boolean isEmbeddedIpv4(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return (b[10] == 0 && b[11] == 0) || (b[10] == (byte) 0xff && b[11] == (byte) 0xff);
  }
}

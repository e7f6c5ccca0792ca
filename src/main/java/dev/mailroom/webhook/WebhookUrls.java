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
import org.springframework.stereotype.Component;

/**
 * Which endpoint URLs the service may call: http or https, with a host that resolves, and unless
 * {@code mailroom.webhooks.allow-private-networks} is set, only to public addresses. Checked when
 * an endpoint is created or changed, and again before every delivery, as a name may resolve
 * elsewhere later (DNS rebinding). The HTTP client resolves the name once more when it connects;
 * the window between the two lookups is a known limit of checking names rather than connections.
 */
@Component
class WebhookUrls {

  static final int MAX_LENGTH = 2048;

  private final boolean allowPrivateNetworks;

  WebhookUrls(WebhookSettings settings) {
    this.allowPrivateNetworks = settings.allowPrivateNetworks();
  }

  /** Why the service may not call this URL; empty when it may. */
  Optional<String> refusal(String url) {
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
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      return Optional.of("names a host that does not resolve: " + host);
    }
    if (allowPrivateNetworks) {
      return Optional.empty();
    }
    for (InetAddress address : addresses) {
      String kind = privateKind(address);
      if (kind != null) {
        return Optional.of(
            "resolves to a "
                + kind
                + " address ("
                + address.getHostAddress()
                + "); only public addresses may be called");
      }
    }
    return Optional.empty();
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

package dev.mailroom.domain;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Asks a resolver for the TXT and MX records of a name, one bounded query each: the configured
 * resolver ({@code mailroom.domains.dns-resolver}) or the system's, with {@code dns-timeout}.
 */
@Component
class DnsLookup {

  /** EDNS0 with room for a 2048-bit DKIM key's TXT record, which passes 512 bytes. */
  private static final int UDP_PAYLOAD = 1232;

  private final Resolver resolver;

  DnsLookup(DomainSettings settings) {
    this.resolver = resolver(settings);
  }

  /**
   * What the resolver said for a name and type.
   *
   * @param values each TXT record with its strings joined, or each MX as {@code <preference>
   *     <host>} with the host lower case and without its final dot
   * @param failure why there is no answer (timeout, SERVFAIL); null when the resolver answered
   */
  record Answer(List<String> values, @Nullable String failure) {}

  Answer txt(String name) {
    return query(name, Type.TXT);
  }

  Answer mx(String name) {
    return query(name, Type.MX);
  }

  private Answer query(String name, int type) {
    Name absolute;
    try {
      absolute = Name.fromString(name, Name.root);
    } catch (TextParseException e) {
      return new Answer(List.of(), "not a DNS name");
    }
    Message response;
    try {
      response = resolver.send(Message.newQuery(Record.newRecord(absolute, type, DClass.IN)));
    } catch (IOException e) {
      return new Answer(List.of(), "no answer from the resolver: " + e.getMessage());
    }
    int rcode = response.getRcode();
    if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
      return new Answer(List.of(), "the resolver answered " + Rcode.string(rcode));
    }
    List<String> values = new ArrayList<>();
    // A CNAME on the way (delegated DKIM records often are) is followed by the resolver; only the
    // records of the type asked for count.
    for (Record record : response.getSection(Section.ANSWER)) {
      if (record instanceof TXTRecord txt && type == Type.TXT) {
        values.add(String.join("", txt.getStrings()));
      } else if (record instanceof MXRecord mx && type == Type.MX) {
        values.add(mx.getPriority() + " " + host(mx.getTarget()));
      }
    }
    return new Answer(values, null);
  }

  static String host(Name name) {
    String text = name.toString(true);
    return text.toLowerCase(java.util.Locale.ROOT);
  }

  private static Resolver resolver(DomainSettings settings) {
    Resolver resolver;
    String address = settings.dnsResolver();
    if (address != null && !address.isBlank()) {
      int colon = address.lastIndexOf(':');
      String host = colon < 0 ? address : address.substring(0, colon);
      int port = colon < 0 ? 53 : Integer.parseInt(address.substring(colon + 1));
      resolver = new SimpleResolver(new InetSocketAddress(host, port));
    } else {
      ExtendedResolver system = new ExtendedResolver();
      system.setRetries(1);
      resolver = system;
    }
    resolver.setTimeout(settings.dnsTimeout());
    resolver.setEDNS(0, UDP_PAYLOAD, 0, List.of());
    return resolver;
  }
}

package dev.mailroom.domain;

import dev.mailroom.domain.SigningKeys.DomainSigning;
import dev.mailroom.message.DkimSigner;
import dev.mailroom.system.FieldProblem;
import dev.mailroom.system.InvalidRequestException;
import java.net.IDN;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * What intake asks of sender domains: may this project send from this address, and the message
 * signed with the keys of its domain. Answers from memory ({@link SigningKeys}); no query per
 * email.
 */
@Component
public class SenderSigning {

  private final SigningKeys keys;
  private final DkimSigner signer;
  private final DomainSettings settings;

  SenderSigning(SigningKeys keys, DkimSigner signer, DomainSettings settings) {
    this.keys = keys;
    this.signer = signer;
    this.settings = settings;
  }

  /**
   * With {@code mailroom.domains.require-verified}, refuses (403 at {@code pointer}) a sender whose
   * domain is not a verified domain of the project. A sender the operator configured (no {@code
   * from} in the request) is not checked; neither is an address without a domain, which validation
   * refuses.
   */
  public void checkSender(String project, @Nullable String address, String pointer) {
    if (!settings.requireVerified() || address == null) {
      return;
    }
    String domain = domainOf(address);
    if (domain == null) {
      return;
    }
    Optional<DomainSigning> signing = lookup(project, domain);
    if (signing.isPresent() && signing.get().verified()) {
      return;
    }
    String detail =
        signing.isPresent()
            ? "the DNS records of sender domain '"
                + signing.get().domain()
                + "' are not verified yet; publish them and POST /domains/"
                + signing.get().domain()
                + "/verify"
            : "'" + domain + "' is not a sender domain of this project; add it with POST /domains";
    throw new InvalidRequestException(
        HttpStatus.FORBIDDEN,
        "Sender domain not verified",
        List.of(FieldProblem.at(pointer, detail)));
  }

  /** The message with the DKIM signatures of the sender's domain, or unchanged if it has none. */
  public byte[] sign(String project, String address, byte[] message) {
    String domain = domainOf(address);
    if (domain == null) {
      return message;
    }
    return lookup(project, domain)
        .map(signing -> signer.sign(message, signing.keys(), Instant.now()))
        .orElse(message);
  }

  /**
   * The domain itself, or with {@code sign-subdomains} the nearest parent that is a domain of the
   * project ({@code acme.example} for {@code mail.eu.acme.example}).
   */
  private Optional<DomainSigning> lookup(String project, String domain) {
    Optional<DomainSigning> exact = keys.find(project, domain);
    if (exact.isPresent() || !settings.signSubdomains()) {
      return exact;
    }
    String parent = domain;
    for (int dot = parent.indexOf('.'); dot > 0; dot = parent.indexOf('.')) {
      parent = parent.substring(dot + 1);
      if (parent.indexOf('.') < 0) {
        break;
      }
      Optional<DomainSigning> found = keys.find(project, parent);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  static @Nullable String domainOf(String address) {
    int at = address.lastIndexOf('@');
    if (at < 0 || at == address.length() - 1) {
      return null;
    }
    try {
      String domain = IDN.toASCII(address.substring(at + 1).strip()).toLowerCase(Locale.ROOT);
      return domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}

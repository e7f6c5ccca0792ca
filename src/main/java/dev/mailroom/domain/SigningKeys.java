package dev.mailroom.domain;

import dev.mailroom.message.DkimSigner.SigningKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The signing keys of every project's domains, decrypted once and held in memory, so that intake
 * signs without a query or a decryption per email. Reloaded after every change this replica makes
 * (create, delete, rotate, a verification that moves keys) and every {@code
 * mailroom.domains.refresh-interval}, for the changes of other replicas; a key already decrypted is
 * not decrypted again.
 *
 * <p>Loaded at startup: a key that cannot be decrypted (a changed or missing encryption key) stops
 * the start, rather than mail going out unsigned.
 */
@Component
class SigningKeys implements SmartInitializingSingleton {

  private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);

  private final DomainRepository domains;
  private final KeyVault vault;
  private final TransactionTemplate readOnly;

  /** The keys of a domain that sign, and whether its records are verified. */
  record DomainSigning(String domain, List<SigningKey> keys, boolean verified) {}

  private record Snapshot(
      Map<String, Map<String, DomainSigning>> byProject, Map<UUID, SigningKey> decrypted) {}

  private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of());

  SigningKeys(DomainRepository domains, KeyVault vault, TransactionTemplate transaction) {
    this.domains = domains;
    this.vault = vault;
    TransactionTemplate template = new TransactionTemplate(transaction.getTransactionManager());
    template.setReadOnly(true);
    this.readOnly = template;
  }

  @Override
  public void afterSingletonsInstantiated() {
    refresh();
  }

  /** The domain of a project, exactly this name. */
  Optional<DomainSigning> find(String project, String domain) {
    Map<String, DomainSigning> ofProject = snapshot.byProject().get(project);
    return ofProject == null ? Optional.empty() : Optional.ofNullable(ofProject.get(domain));
  }

  @Scheduled(
      fixedDelayString = "${mailroom.domains.refresh-interval:30s}",
      initialDelayString = "${mailroom.domains.refresh-interval:30s}")
  void scheduledRefresh() {
    try {
      refresh();
    } catch (RuntimeException e) {
      // The keys loaded before keep signing; the next run tries again.
      log.warn("Could not reload the DKIM signing keys: {}", e.getMessage());
    }
  }

  synchronized void refresh() {
    List<ActiveKey> active = readOnly.execute(tx -> domains.findActiveKeys());
    Snapshot previous = snapshot;
    Map<UUID, SigningKey> decrypted = new HashMap<>();
    Map<String, Map<String, List<SigningKey>>> keys = new HashMap<>();
    Map<String, @Nullable Object> verified = new HashMap<>();
    for (ActiveKey key : active) {
      SigningKey signing = previous.decrypted().get(key.id());
      if (signing == null) {
        signing =
            new SigningKey(
                key.domain(),
                key.selector(),
                key.algorithm(),
                DkimKeys.privateKey(
                    key.algorithm(), vault.decrypt(key.id(), key.encryptedPrivateKey())));
      }
      decrypted.put(key.id(), signing);
      keys.computeIfAbsent(key.project(), p -> new HashMap<>())
          .computeIfAbsent(key.domain(), d -> new ArrayList<>())
          .add(signing);
      if (key.verifiedAt() != null) {
        verified.put(key.project() + "/" + key.domain(), Boolean.TRUE);
      }
    }
    Map<String, Map<String, DomainSigning>> byProject = new HashMap<>();
    keys.forEach(
        (project, ofProject) -> {
          Map<String, DomainSigning> signings = new HashMap<>();
          ofProject.forEach(
              (domain, list) ->
                  signings.put(
                      domain,
                      new DomainSigning(
                          domain,
                          List.copyOf(list),
                          verified.containsKey(project + "/" + domain))));
          byProject.put(project, Map.copyOf(signings));
        });
    snapshot = new Snapshot(Map.copyOf(byProject), Map.copyOf(decrypted));
  }
}

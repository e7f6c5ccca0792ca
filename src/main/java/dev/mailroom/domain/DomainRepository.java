package dev.mailroom.domain;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface DomainRepository extends JpaRepository<Domain, UUID> {

  Optional<Domain> findByProjectAndName(String project, String name);

  List<Domain> findByProjectOrderByName(String project);

  boolean existsByProjectAndName(String project, String name);

  /** Every signing key of every project, for the signing cache. */
  @Query(
      "select new dev.mailroom.domain.ActiveKey(k.id, d.project, d.name, k.selector, k.algorithm,"
          + " k.encryptedPrivateKey, d.verifiedAt)"
          + " from DomainKey k join k.domain d"
          + " where k.state = dev.mailroom.domain.KeyState.ACTIVE"
          + " order by d.project, d.name, k.algorithm")
  List<ActiveKey> findActiveKeys();

  /** The domains checked longest ago (never checked first): the next to check again. */
  @Query("select d.id from Domain d order by d.checkedAt asc nulls first, d.name")
  List<UUID> findIdsToRecheck(Limit limit);
}

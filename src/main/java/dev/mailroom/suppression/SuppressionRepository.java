package dev.mailroom.suppression;

import java.util.List;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;

/** Suppressions by hand and their pages: keyset paging in address order, within one project. */
interface SuppressionRepository extends JpaRepository<Suppression, Suppression.Key> {

  List<Suppression> findByProjectAndAddressGreaterThanOrderByAddress(
      String project, String after, Limit limit);

  List<Suppression> findByProjectAndReasonAndAddressGreaterThanOrderByAddress(
      String project, SuppressionReason reason, String after, Limit limit);
}

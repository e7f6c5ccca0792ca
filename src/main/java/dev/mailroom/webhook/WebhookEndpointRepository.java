package dev.mailroom.webhook;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;

/** A project's endpoints; another project's are never found. */
interface WebhookEndpointRepository extends JpaRepository<WebhookEndpoint, UUID> {

  Optional<WebhookEndpoint> findByIdAndProject(UUID id, String project);

  List<WebhookEndpoint> findByProjectOrderByCreatedAtAscIdAsc(String project);

  long countByProject(String project);
}

package dev.mailroom.email;

import java.util.List;
import java.util.UUID;

/** Published inside the intake transaction; listeners act after it commits. */
public record EmailQueued(List<UUID> ids) {}

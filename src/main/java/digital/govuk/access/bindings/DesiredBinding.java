package digital.govuk.access.bindings;

import java.time.Instant;

/**
 * A RoleBinding the rules say should exist.
 *
 * @param level  {@code deploy} or {@code admin}
 * @param expiry when it is removed, for time-limited access; null otherwise
 */
public record DesiredBinding(String namespace, String name, String level, String clusterRole, Instant expiry) {
}

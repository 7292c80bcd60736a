package digital.govuk.access.operator;

import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.rules.OnePerson;
import digital.govuk.access.rules.Problem;
import digital.govuk.access.status.StatusBuilder;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;

/**
 * One person, one EngineerAccess, as the operator sees it: the EngineerAccess objects that share an identity with
 * one are found through an index on JOSDK's cache of them (a look-up, not a scan), and {@link OnePerson} says
 * which one keeps the person. Also remembers whom each refusal names, so that when that one is deleted or changes
 * its subject, the refused ones are looked at again.
 */
final class SamePerson {
    static final String INDEX = "identity";

    private final IndexerResourceCache<EngineerAccess> cache;
    /** By the name of the EngineerAccess that keeps a person: those refused because of it. */
    private final Map<String, Set<String>> refusedBecauseOf = new ConcurrentHashMap<>();

    SamePerson(IndexerResourceCache<EngineerAccess> cache) {
        this.cache = cache;
        cache.addIndexer(INDEX, ea -> ea.getSpec() == null ? List.of() : List.copyOf(OnePerson.identities(ea.getSpec())));
    }

    /** Why this EngineerAccess is refused because another came first for the same person, if it is. */
    Optional<Problem> refusal(EngineerAccess ea) {
        Collection<EngineerAccess> others = sharing(ea);
        if (others.isEmpty()) {
            return Optional.empty();
        }
        Optional<Problem> refused = OnePerson.refusal(claim(ea), others.stream().map(SamePerson::claim).toList());
        refused.ifPresent(p -> others.forEach(o -> refusedBecauseOf.computeIfAbsent(o.getMetadata().getName(), k -> ConcurrentHashMap.newKeySet())
                        .add(ea.getMetadata().getName())));
        return refused;
    }

    /**
     * The EngineerAccess objects to look at again after {@code ea} changed or was deleted: those refused while it
     * shared an identity with them (it may no longer), and those sharing one now whose status does not yet say
     * what the rule says of them.
     */
    Set<String> toLookAgain(EngineerAccess ea, boolean deleted) {
        Set<String> again = refusedBecauseOf.remove(ea.getMetadata().getName());
        Set<String> out = again == null ? new HashSet<>() : new HashSet<>(again);
        if (!deleted) {
            for (EngineerAccess other : sharing(ea)) {
                if (refusal(other).isPresent() != shownRefused(other)) {
                    out.add(other.getMetadata().getName());
                }
            }
        }
        out.remove(ea.getMetadata().getName());
        return out;
    }

    private static boolean shownRefused(EngineerAccess ea) {
        return ea.getStatus() != null && ea.getStatus().conditions != null && ea.getStatus().conditions.stream()
                .anyMatch(c -> StatusBuilder.SPEC_VALID.equals(c.type) && OnePerson.REASON.equals(c.reason));
    }

    private Collection<EngineerAccess> sharing(EngineerAccess ea) {
        Map<String, EngineerAccess> out = new LinkedHashMap<>();
        if (ea.getSpec() == null) {
            return List.of();
        }
        for (String id : OnePerson.identities(ea.getSpec())) {
            for (EngineerAccess other : cache.byIndex(INDEX, id)) {
                if (!other.getMetadata().getName().equals(ea.getMetadata().getName())) {
                    out.put(other.getMetadata().getName(), other);
                }
            }
        }
        return out.values();
    }

    private static OnePerson.Claim claim(EngineerAccess ea) {
        String created = ea.getMetadata().getCreationTimestamp();
        Instant at = null;
        try {
            at = created == null ? null : Instant.parse(created);
        } catch (RuntimeException e) {
            // none counts as latest
        }
        return new OnePerson.Claim(ea.getMetadata().getName(), ea.getSpec(), at);
    }
}

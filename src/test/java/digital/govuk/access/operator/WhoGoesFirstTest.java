package digital.govuk.access.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.EngineerAccessStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/**
 * Decision 67: while reconciliations wait, an engineer goes ahead of the others when a person changed it since its
 * status was written (an edit, a new engineer) or when the change its status records has come; otherwise it waits its
 * turn.
 */
class WhoGoesFirstTest {
    static final Instant NOW = Instant.parse("2026-03-04T17:30:00Z");

    @Test
    void aNewEngineerWithoutAStatusGoesFirst() {
        assertThat(EngineerAccessReconciler.urgent(engineer(1L, null), NOW)).isTrue();
    }

    @Test
    void anEditSinceTheStatusWasWrittenGoesFirst() {
        assertThat(EngineerAccessReconciler.urgent(engineer(3L, status(2L, null)), NOW)).isTrue();
    }

    @Test
    void aRecordedChangeThatHasComeGoesFirstAndOneToComeWaits() {
        assertThat(EngineerAccessReconciler.urgent(engineer(2L, status(2L, NOW.toString())), NOW)).isTrue();
        assertThat(EngineerAccessReconciler.urgent(engineer(2L, status(2L, NOW.plusNanos(1).toString())), NOW)).isFalse();
    }

    @Test
    void anEngineerUpToDateWithNothingDueWaits() {
        assertThat(EngineerAccessReconciler.urgent(engineer(2L, status(2L, null)), NOW)).isFalse();
        assertThat(EngineerAccessReconciler.urgent(engineer(2L, status(2L, "not an instant")), NOW)).isFalse();
    }

    static EngineerAccess engineer(Long generation, EngineerAccessStatus status) {
        EngineerAccess ea = new EngineerAccess();
        ea.setMetadata(new ObjectMetaBuilder().withName("jo").withGeneration(generation).build());
        ea.setStatus(status);
        return ea;
    }

    static EngineerAccessStatus status(Long observedGeneration, String next) {
        EngineerAccessStatus s = new EngineerAccessStatus();
        s.observedGeneration = observedGeneration;
        s.nextTransitionTime = next;
        return s;
    }
}

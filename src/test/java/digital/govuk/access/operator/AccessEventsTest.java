package digital.govuk.access.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import digital.govuk.access.api.v1alpha1.AccessStage;
import digital.govuk.access.api.v1alpha1.AccessTransition;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.EngineerAccessStatus;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.rules.AccessRules;
import digital.govuk.access.rules.Decision;
import digital.govuk.access.rules.EffectivePolicy;

/** The history entry AccessEvents words for a change of access, without a cluster. */
class AccessEventsTest {
    static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

    static EngineerAccessStatus status(Level level, boolean supervised, List<AccessTransition> history) {
        EngineerAccessStatus s = new EngineerAccessStatus();
        s.level = level;
        s.supervised = supervised;
        s.history = history;
        return s;
    }

    @Test
    void keepsTheLastTwentyChangesAndDropsTheOldest() {
        EngineerAccess ea = Fixtures.engineer("busy", "");
        Decision decision = AccessRules.decide(ea.getSpec(), EffectivePolicy.defaults(), NOW);
        List<AccessTransition> old = new ArrayList<>();
        for (int i = 0; i < EngineerAccessStatus.HISTORY; i++) {
            old.add(new AccessTransition(NOW.minusSeconds(1000 - i).toString(), AccessStage.Deploy, AccessStage.None, "LongAbsence",
                    "spec.absences[0]", "entry " + i));
        }
        List<AccessTransition> history = AccessEvents.history(ea, decision, status(Level.None, false, old),
                status(Level.Deploy, false, List.of()), NOW);
        assertThat(history).hasSize(EngineerAccessStatus.HISTORY);
        assertThat(history.get(0).message).as("the oldest is dropped").isEqualTo("entry 1");
        assertThat(history.get(EngineerAccessStatus.HISTORY - 1)).hasToString(NOW + " None->Deploy DeployGranted spec.deployApproval");
    }

    @Test
    void noEntryWhileTheAccessStaysAndTheFirstStatusStartsFromNone() {
        EngineerAccess ea = Fixtures.engineer("steady", "");
        Decision decision = AccessRules.decide(ea.getSpec(), EffectivePolicy.defaults(), NOW);
        List<AccessTransition> kept = List.of(new AccessTransition("2026-01-01T00:00:00Z", AccessStage.None, AccessStage.Deploy,
                "DeployGranted", "spec.deployApproval", "granted"));
        assertThat(AccessEvents.history(ea, decision, status(Level.Deploy, false, kept), status(Level.Deploy, false, List.of()), NOW))
                .isEqualTo(kept);
        assertThat(AccessEvents.history(ea, decision, null, status(Level.Deploy, false, List.of()), NOW))
                .extracting(AccessTransition::toString).containsExactly(NOW + " None->Deploy DeployGranted spec.deployApproval");
    }

    @Test
    void peopleReadTimesInWholeSecondsAsKubernetesShowsThem() {
        EngineerAccess ea = Fixtures.engineer("precise", "");
        Instant precise = NOW.plusNanos(874_771_078);
        Decision decision = AccessRules.decide(ea.getSpec(), EffectivePolicy.defaults(), precise);
        assertThat(AccessEvents.history(ea, decision, null, status(Level.Deploy, false, List.of()), precise))
                .extracting(AccessTransition::toString).containsExactly(NOW + " None->Deploy DeployGranted spec.deployApproval");
    }

    @Test
    void whileThePolicyIsInvalidAnEndingExceptionIsAnExpiry() {
        EngineerAccess ea = Fixtures.engineer("frozen", "");
        EngineerAccessStatus before = status(Level.Admin, true, List.of());
        before.accessExpiryTime = NOW.toString();
        List<AccessTransition> history = AccessEvents.history(ea, null, before, status(Level.Deploy, false, List.of()), NOW);
        assertThat(history).singleElement().satisfies(t -> {
            assertThat(t.reason).isEqualTo("ExceptionExpired");
            assertThat(t.fact).isNull();
            assertThat(t.message).isEqualTo("Admin (supervised) -> Deploy: the exception reaches its expiryTime");
        });
    }
}

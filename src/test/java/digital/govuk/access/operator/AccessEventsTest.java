package digital.govuk.access.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import digital.govuk.access.api.v1alpha1.AccessStage;
import digital.govuk.access.api.v1alpha1.AccessTransition;
import digital.govuk.access.api.v1alpha1.BindingStatus;
import digital.govuk.access.api.v1alpha1.Condition;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.EngineerAccessStatus;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.rules.AccessRules;
import digital.govuk.access.rules.Decision;
import digital.govuk.access.rules.EffectivePolicy;
import digital.govuk.access.rules.PolicyReader;
import digital.govuk.access.status.StatusBuilder;

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

    /** Decision 70: a record held by finalizers, its bindings gone, says it holds nothing and why; its facts stay. */
    @Test
    void anEngineerAccessBeingDeletedHoldsNothingAndItsHistorySaysSo() {
        EngineerAccess ea = Fixtures.engineer("leaving", "");
        ea.getMetadata().setFinalizers(List.of("example.com/keep", "example.com/audit"));
        ea.getMetadata().setGeneration(3L);
        EngineerAccessStatus previous = status(Level.Admin, true, new ArrayList<>(List.of(new AccessTransition("2026-12-01T09:00:00Z",
                AccessStage.Deploy, AccessStage.AdminSupervised, "ExceptionStarted", "spec.exceptions[0]", "started"))));
        previous.bindings = List.of(new BindingStatus("apps", "leaving-admin", "production-admin", "2026-12-09T17:00:00Z"));
        previous.accessExpiryTime = "2026-12-09T17:00:00Z";
        previous.nextTransitionTime = "2026-12-09T17:00:00Z";
        previous.conditions = List.of(new Condition(StatusBuilder.READY, "True", "Reconciled", "Production Admin (supervised)"),
                new Condition(StatusBuilder.SPEC_VALID, "True", "Valid", "The spec is valid"));
        ea.setStatus(previous);

        EngineerAccessStatus held = AccessEvents.whileDeleting(ea, NOW);
        assertThat(held.level).isEqualTo(Level.None);
        assertThat(held.supervised).isFalse();
        assertThat(held.bindings).isEmpty();
        assertThat(held.accessExpiryTime).isNull();
        assertThat(held.nextTransitionTime).isNull();
        assertThat(held.observedGeneration).isEqualTo(3L);
        assertThat(held.conditions).filteredOn(c -> c.type.equals(StatusBuilder.READY)).singleElement().satisfies(c -> {
            assertThat(c.status).isEqualTo("False");
            assertThat(c.reason).isEqualTo(StatusBuilder.BEING_DELETED);
            assertThat(c.message).isEqualTo("The EngineerAccess is being deleted (held by example.com/keep, example.com/audit), so it"
                    + " grants no access: its RoleBindings are gone");
            assertThat(c.lastTransitionTime).isEqualTo(NOW.toString());
        });
        assertThat(held.conditions).filteredOn(c -> c.type.equals(StatusBuilder.SPEC_VALID)).singleElement()
                .satisfies(c -> assertThat(c.reason).as("what it said of the spec stays").isEqualTo("Valid"));
        assertThat(held.history).extracting(AccessTransition::toString)
                .containsExactly("2026-12-01T09:00:00Z Deploy->AdminSupervised ExceptionStarted spec.exceptions[0]",
                        NOW + " AdminSupervised->None Deleted null");
        assertThat(held.history.get(1).message).startsWith("Admin (supervised) -> None: the EngineerAccess is deleted");

        ea.setStatus(held);
        assertThat(AccessEvents.whileDeleting(ea, NOW.plusSeconds(60)).history).as("no second entry").isEqualTo(held.history);
    }

    /** Decision 79: a grant on the read ahead, undone in the same reconciliation, is recorded as a grant and a removal. */
    @Test
    void aStagePassedThroughIsRecordedAsEnteredAndLeft() {
        Instant start = NOW.minusSeconds(1);
        EngineerAccess granted = Fixtures.engineer("brief", Fixtures.exception(start.toString(), start.plusSeconds(7200).toString()));
        EngineerAccess withdrawn = Fixtures.engineer("brief", "");
        EffectivePolicy policy = PolicyReader.read(Fixtures.policy(Fixtures.APPROVERS).getSpec()).policy();
        Decision admin = AccessRules.decide(granted.getSpec(), policy, NOW);
        Decision deploy = AccessRules.decide(withdrawn.getSpec(), policy, NOW);
        List<AccessTransition> kept = List.of(new AccessTransition("2026-01-01T00:00:00Z", AccessStage.None, AccessStage.Deploy,
                "DeployGranted", "spec.deployApproval", "granted"));
        EngineerAccessStatus previous = status(Level.Deploy, false, kept);

        EngineerAccessStatus recorded = AccessEvents.passedThrough(previous, new AccessEvents.PassedThrough(granted.getSpec(), admin), NOW);
        EngineerAccessStatus after = status(Level.Deploy, false, AccessEvents.history(withdrawn, deploy, recorded, status(Level.Deploy, false, List.of()), NOW));
        assertThat(after.history).extracting(AccessTransition::toString).containsExactly(kept.get(0).toString(),
                NOW + " Deploy->AdminSupervised ExceptionStarted spec.exceptions[0]", NOW + " AdminSupervised->Deploy RequirementLost spec.probation");
        assertThat(AccessEvents.addedSince(previous, after)).as("both are logged").hasSize(2);
        assertThat(AccessEvents.addedSince(null, after)).hasSize(3);
        assertThat(AccessEvents.addedSince(after, after)).isEmpty();

        assertThat(AccessEvents.passedThrough(previous, null, NOW)).as("no stage passed through").isSameAs(previous);
        assertThat(AccessEvents.passedThrough(previous, new AccessEvents.PassedThrough(withdrawn.getSpec(), deploy), NOW))
                .as("a stage the history already ends in").isSameAs(previous);
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

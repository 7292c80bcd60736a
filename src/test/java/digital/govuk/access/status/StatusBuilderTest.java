package digital.govuk.access.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import digital.govuk.access.api.v1alpha1.BindingStatus;
import digital.govuk.access.api.v1alpha1.Condition;
import digital.govuk.access.api.v1alpha1.EngineerAccessSpec;
import digital.govuk.access.api.v1alpha1.EngineerAccessStatus;
import digital.govuk.access.rules.AccessRules;
import digital.govuk.access.rules.Decision;
import digital.govuk.access.rules.EffectivePolicy;
import io.fabric8.kubernetes.client.utils.Serialization;

/** Conditions follow the Kubernetes conventions: lastTransitionTime moves only when status does. */
class StatusBuilderTest {
    static final Instant T0 = Instant.parse("2026-12-02T12:00:00Z");
    static final Instant T1 = Instant.parse("2026-12-03T12:00:00Z");

    static EngineerAccessSpec spec(String approvedOn) {
        return Serialization.unmarshal("""
                fullName: Jo
                role: Developer
                employment: CivilServant
                subject: {kind: User, name: jo@example.gov.uk}
                clearance: {level: BPSS, grantedOn: "2026-01-05"}
                deployApproval:
                  approvedBy: lead@example.gov.uk
                  approvedOn: "%s"
                  confirmations: {codeReview: true, releaseResponsibilities: true, rollback: true, gettingHelp: true}
                """.formatted(approvedOn), EngineerAccessSpec.class);
    }

    static EngineerAccessStatus build(EngineerAccessSpec spec, Instant at, EngineerAccessStatus previous, long generation) {
        Decision d = AccessRules.decide(spec, EffectivePolicy.defaults(), at);
        return StatusBuilder.build(d, PolicyState.builtInDefaults(),
                List.of(new BindingStatus("apps", "jo-deploy", "production-deploy", null)), null, previous, generation, at);
    }

    static Condition condition(EngineerAccessStatus s, String type) {
        return s.conditions.stream().filter(c -> c.type.equals(type)).findFirst().orElseThrow();
    }

    @Test
    void sameInputsGiveAnEqualStatusSoTheOperatorSkipsTheWrite() {
        EngineerAccessStatus first = build(spec("2026-02-02"), T0, null, 3);
        EngineerAccessStatus again = build(spec("2026-02-02"), T1, first, 3);
        assertThat(again).isEqualTo(first);
        assertThat(condition(again, "DeployAccess").lastTransitionTime).isEqualTo(T0.toString());
        assertThat(again.conditions).allSatisfy(c -> assertThat(c.observedGeneration).isEqualTo(3L));
        assertThat(again.observedGeneration).isEqualTo(3L);
    }

    @Test
    void lastTransitionTimeMovesOnlyForConditionsWhoseStatusChanged() {
        // The approval is dated in the future at T0 (no Deploy) and has taken effect at T1.
        EngineerAccessStatus before = build(spec("2026-12-03"), T0, null, 1);
        assertThat(condition(before, "DeployAccess").status).isEqualTo("False");
        EngineerAccessStatus after = build(spec("2026-12-03"), T1, before, 1);
        assertThat(condition(after, "DeployAccess").status).isEqualTo("True");
        assertThat(condition(after, "DeployAccess").lastTransitionTime).isEqualTo(T1.toString());
        // AdminAccess stays False, though its message may differ: its time stays.
        assertThat(condition(after, "AdminAccess").status).isEqualTo("False");
        assertThat(condition(after, "AdminAccess").lastTransitionTime).isEqualTo(T0.toString());
        assertThat(condition(after, "SpecValid").lastTransitionTime).isEqualTo(T0.toString());
    }

    @Test
    void aNewGenerationIsStampedOnEveryCondition() {
        EngineerAccessStatus first = build(spec("2026-02-02"), T0, null, 1);
        EngineerAccessStatus next = build(spec("2026-02-02"), T0, first, 2);
        assertThat(next).isNotEqualTo(first);
        assertThat(next.conditions).allSatisfy(c -> assertThat(c.observedGeneration).isEqualTo(2L));
    }
}

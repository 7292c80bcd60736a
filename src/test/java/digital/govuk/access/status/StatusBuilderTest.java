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
import digital.govuk.access.rules.PolicyReader;
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
        return StatusBuilder.build(d, PolicyState.of(PolicyReader.read(null)),
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
    void aConditionsTimeIsInWholeSecondsAsKubernetesShowsIt() {
        EngineerAccessStatus status = build(spec("2026-02-02"), T0.plusMillis(874), null, 1);
        assertThat(status.conditions).allSatisfy(c -> assertThat(c.lastTransitionTime).isEqualTo(T0.toString()));
    }

    @Test
    void aNewGenerationIsStampedOnEveryCondition() {
        EngineerAccessStatus first = build(spec("2026-02-02"), T0, null, 1);
        EngineerAccessStatus next = build(spec("2026-02-02"), T0, first, 2);
        assertThat(next).isNotEqualTo(first);
        assertThat(next.conditions).allSatisfy(c -> assertThat(c.observedGeneration).isEqualTo(2L));
    }

    @Test
    void manyProblemsMakeAReadableBoundedMessage() {
        // 300 shifts, each with a start time that is not an instant: 300 problems.
        StringBuilder yaml = new StringBuilder("fullName: Jo\nrole: Developer\nemployment: CivilServant\n"
                + "subject: {kind: User, name: jo@example.gov.uk}\nshifts:\n");
        for (int i = 0; i < 300; i++) {
            yaml.append("- {role: Shadow, startTime: \"shift ").append(i).append("\", endTime: \"2026-08-07T17:30:00Z\"}\n");
        }
        EngineerAccessSpec spec = Serialization.unmarshal(yaml.toString(), EngineerAccessSpec.class);
        Decision d = AccessRules.decide(spec, EffectivePolicy.defaults(), T0);
        assertThat(d.problems()).hasSize(300);

        EngineerAccessStatus s = StatusBuilder.build(d, PolicyState.of(PolicyReader.read(null)), List.of(), null, null, 1L, T0);

        String message = condition(s, "SpecValid").message;
        assertThat(message).isEqualTo("spec.shifts[0].startTime: 'shift 0' is not an RFC 3339 instant (for example 2026-08-03T09:00:00Z); "
                + "spec.shifts[1].startTime: 'shift 1' is not an RFC 3339 instant (for example 2026-08-03T09:00:00Z); "
                + "spec.shifts[2].startTime: 'shift 2' is not an RFC 3339 instant (for example 2026-08-03T09:00:00Z); and 297 more");
        assertThat(condition(s, "Ready").message).endsWith("; and 297 more").hasSizeLessThan(400);
    }

    @Test
    void aListIsCutAfterItsFirstEntriesWithHowManyMore() {
        assertThat(StatusBuilder.summary(List.of("a", "b", "c"))).isEqualTo("a; b; c");
        assertThat(StatusBuilder.summary(List.of("a", "b", "c", "d", "e"))).isEqualTo("a; b; c; and 2 more");
        assertThat(StatusBuilder.listed(List.of("a", "b", "c"), 2)).containsExactly("a", "b", "and 1 more");
    }
}

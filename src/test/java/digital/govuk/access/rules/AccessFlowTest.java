package digital.govuk.access.rules;

import static digital.govuk.access.api.v1alpha1.AccessStage.Admin;
import static digital.govuk.access.api.v1alpha1.AccessStage.AdminSupervised;
import static digital.govuk.access.api.v1alpha1.AccessStage.Deploy;
import static digital.govuk.access.api.v1alpha1.AccessStage.None;
import static digital.govuk.access.rules.Specs.HEAD_OF_TECH;
import static digital.govuk.access.rules.Specs.SUPERVISOR;
import static digital.govuk.access.rules.Specs.TECH_LEAD;
import static digital.govuk.access.rules.Specs.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import digital.govuk.access.api.v1alpha1.AccessStage;
import digital.govuk.access.api.v1alpha1.ClearanceLevel;
import digital.govuk.access.api.v1alpha1.EngineerAccessSpec;
import digital.govuk.access.rules.AccessFlow.Move;
import digital.govuk.access.rules.AccessFlow.Transition;

/**
 * The move and the fact named for each change of stage, by time and by edit (the property test in
 * AccessRulesPropertiesTest covers every change by time of generated careers).
 */
class AccessFlowTest {
    private static final EffectivePolicy P = Specs.withApprovers();
    private static final String EX_START = "2026-11-20T09:00:00Z";
    private static final String EX_EXPIRY = "2026-12-04T17:30:00Z";

    private static Transition between(AccessStage from, String fromExpiry, EngineerAccessSpec spec, EffectivePolicy policy, String now) {
        Instant t = at(now);
        return AccessFlow.between(from, fromExpiry == null ? null : at(fromExpiry), AccessRules.decide(spec, policy, t), spec, t);
    }

    private static String describe(Transition t) {
        return t.move() + " " + t.from() + "->" + t.to() + " " + t.fact() + " by=" + t.approvedBy() + " supervisor=" + t.supervisor();
    }

    @Test
    void aDeployApprovalNamesItsApprover() {
        assertThat(describe(between(None, null, Specs.deployReady().build(), P, "2026-03-01T12:00:00Z")))
                .isEqualTo("DeployGranted None->Deploy spec.deployApproval by=" + TECH_LEAD + " supervisor=null");
    }

    @Test
    void anExceptionNamesItsApproverAndSupervisorWhenItStartsAndWhenItExpires() {
        EngineerAccessSpec spec = Specs.deployReady().exception(HEAD_OF_TECH, SUPERVISOR, EX_START, EX_EXPIRY).build();
        assertThat(describe(between(Deploy, null, spec, P, EX_START)))
                .isEqualTo("ExceptionStarted Deploy->AdminSupervised spec.exceptions[0] by=" + HEAD_OF_TECH + " supervisor=" + SUPERVISOR);
        assertThat(describe(between(AdminSupervised, EX_EXPIRY, spec, P, EX_EXPIRY)))
                .isEqualTo("ExceptionExpired AdminSupervised->Deploy spec.exceptions[0] by=" + HEAD_OF_TECH + " supervisor=" + SUPERVISOR);
    }

    @Test
    void anAdminShadowShiftNamesTheShiftWhenItStartsAndEnds() {
        EngineerAccessSpec spec = Specs.adminReady().build();
        spec.shifts.get(1).supervisor = SUPERVISOR;
        assertThat(describe(between(Deploy, null, spec, P, "2026-09-07T09:00:00Z")))
                .isEqualTo("AdminShadowShiftStarted Deploy->AdminSupervised spec.shifts[1] by=null supervisor=" + SUPERVISOR);
        assertThat(describe(between(AdminSupervised, null, spec, P, "2026-09-11T17:30:00Z")))
                .isEqualTo("AdminShadowShiftEnded AdminSupervised->Admin spec.shifts[1] by=null supervisor=" + SUPERVISOR);
        assertThat(AccessFlow.Move.AdminShadowShiftEnded.has(None, Admin, false)).as("first seen after the shift").isTrue();
    }

    @Test
    void aLongAbsenceNamesTheAbsence() {
        EngineerAccessSpec spec = Specs.adminReady().absence("2026-02-10", "2026-02-20").absence("2026-10-01", null).build();
        assertThat(describe(between(Admin, null, spec, P, "2026-11-20T12:00:00Z")))
                .isEqualTo("LongAbsence Admin->None spec.absences[1] by=null supervisor=null");
    }

    @Test
    void editsNameTheFactThatNoLongerHolds() {
        assertThat(describe(between(Deploy, null, Specs.deployReady().noApproval().build(), P, "2026-03-01T12:00:00Z")))
                .isEqualTo("RequirementLost Deploy->None spec.deployApproval by=null supervisor=null");
        assertThat(describe(between(Deploy, null, Specs.deployReady().clearance(ClearanceLevel.None, null).build(), P,
                "2026-03-01T12:00:00Z")))
                .isEqualTo("RequirementLost Deploy->None spec.clearance by=null supervisor=null");
        // The policy no longer lists the approver: the exception is rejected, not expired, though the stage falls.
        EngineerAccessSpec excepted = Specs.deployReady().exception(HEAD_OF_TECH, SUPERVISOR, EX_START, EX_EXPIRY).build();
        assertThat(describe(between(AdminSupervised, EX_EXPIRY, excepted, Specs.policy().build(), "2026-11-25T12:00:00Z")))
                .isEqualTo("RequirementLost AdminSupervised->Deploy spec.exceptions[0] by=" + HEAD_OF_TECH + " supervisor=" + SUPERVISOR);
    }

    @Test
    void anInvalidSpecNamesTheFirstFieldAtFault() {
        EngineerAccessSpec spec = Specs.deployReady().shadow("2026-08-07T17:30:00Z", "2026-08-03T09:00:00Z").build();
        Transition t = between(Deploy, null, spec, P, "2026-09-01T12:00:00Z");
        assertThat(t.move()).isEqualTo(Move.SpecInvalid);
        assertThat(t.fact()).isEqualTo("spec.shifts[0].endTime");
    }

    @Test
    void noTransitionWhileTheStageStays() {
        assertThat(between(Deploy, null, Specs.deployReady().build(), P, "2026-03-01T12:00:00Z")).isNull();
    }

    @Test
    void everyMoveHasAnEdgeAndEveryStageIsReachedByTime() {
        for (Move move : Move.values()) {
            assertThat(move.edges).as("%s", move).isNotEmpty();
        }
        for (AccessStage stage : AccessStage.values()) {
            if (stage != None) {
                assertThat(java.util.Arrays.stream(Move.values()).anyMatch(m -> m.edges.stream().anyMatch(e -> e.byTime() && e.to() == stage)))
                        .as("%s is reached by time", stage).isTrue();
            }
        }
    }
}

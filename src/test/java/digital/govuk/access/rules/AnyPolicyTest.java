package digital.govuk.access.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

/**
 * Decision 78: what any policy could grant, read from the spec alone. That it never falls below a decision is the
 * property {@code AccessRulesPropertiesTest.noPolicyGrantsABindingBeyondWhatAnyPolicyCould}; these cases show it
 * says no where no policy could say yes.
 */
class AnyPolicyTest {
    static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

    @Test
    void anApprovedEngineerCouldDeployAndOneWhoEarnedAdminCouldBeAdmin() {
        assertThat(AnyPolicy.of(Specs.deployReady().build(), NOW)).isEqualTo(new AnyPolicy.Most(true, false));
        assertThat(AnyPolicy.of(Specs.adminReady().build(), NOW)).isEqualTo(new AnyPolicy.Most(true, true));
    }

    @Test
    void withoutAnApprovalNoPolicyGrantsDeploy() {
        assertThat(AnyPolicy.of(Specs.deployReady().noApproval().build(), NOW).deploy()).isFalse();
    }

    @Test
    void aSelfApprovalOrAMissingConfirmationIsNoApprovalUnderAnyPolicy() {
        assertThat(AnyPolicy.of(Specs.engineer().approval(" Jane.Doe@Example.gov.uk ", "2026-02-01").build(), NOW).deploy()).isFalse();
        assertThat(AnyPolicy.of(Specs.engineer().approval(Specs.TECH_LEAD, "2026-02-01", true, true, false, true).build(), NOW)
                .deploy()).isFalse();
    }

    @Test
    void adminNeedsAnAdminShadowShiftStartedWithProbationPassedOrAnExceptionRunningNow() {
        assertThat(AnyPolicy.of(Specs.deployReady().probation("2026-07-01").build(), NOW).admin()).isFalse();
        assertThat(AnyPolicy.of(Specs.deployReady().probation("2026-07-01").adminShadow("2026-12-07T09:00:00Z", "2026-12-11T17:00:00Z")
                .build(), NOW).admin()).as("an AdminShadow shift not yet started").isFalse();
        assertThat(AnyPolicy.of(Specs.deployReady().adminShadow("2026-09-07T09:00:00Z", "2026-09-11T17:30:00Z").build(), NOW).admin())
                .as("probation not passed").isFalse();

        Specs.Builder running = Specs.deployReady().exception(Specs.HEAD_OF_TECH, Specs.SUPERVISOR, "2026-12-01T09:00:00Z", "2026-12-03T09:00:00Z");
        assertThat(AnyPolicy.of(running.build(), NOW).admin()).isTrue();
        assertThat(AnyPolicy.of(running.build(), Instant.parse("2026-12-03T09:00:00Z")).admin()).as("at its expiry").isFalse();
        assertThat(AnyPolicy.of(Specs.deployReady().exception(Specs.HEAD_OF_TECH, Specs.ENGINEER, "2026-12-01T09:00:00Z",
                "2026-12-03T09:00:00Z").build(), NOW).admin()).as("supervised by the engineer").isFalse();
    }
}

package digital.govuk.access.operator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.AccessPolicyStatus;
import digital.govuk.access.api.v1alpha1.PolicyInForce;
import digital.govuk.access.status.PolicyState;

/**
 * Decision 73: which valid policy stands in for an invalid one, and when it only takes access away because a later
 * edit may have been valid, in force, and never recorded. Decision 76: what stands in when there is no AccessPolicy.
 */
class PoliciesTest {
    private static final String UID = "6a1f0c3e-policy";

    @Test
    void aValidPolicyIsUsedAsWritten() {
        PolicyState state = new Policies().state(policy(4, true, recorded(2, null), 2L));
        assertThat(state.valid()).isTrue();
        assertThat(state.grantsWithheld()).isFalse();
    }

    @Test
    void anInvalidEditRightAfterTheRecordedOneKeepsItFullyInForce() {
        PolicyState state = new Policies().state(policy(3, false, recorded(2, null), 2L));
        assertThat(state.inForce()).isEqualTo(2L);
        assertThat(state.grantsWithheld()).isFalse();
    }

    @Test
    void anInvalidGenerationAlreadyRecordedAsObservedLeavesNoGap() {
        // Generation 3 was invalid and recorded as observed; 4 is invalid too.
        PolicyState state = new Policies().state(policy(4, false, recorded(2, null), 3L));
        assertThat(state.inForce()).isEqualTo(2L);
        assertThat(state.grantsWithheld()).isFalse();
    }

    @Test
    void aGenerationNoOneRecordedBeforeAnInvalidOneWithholdsGrants() {
        // Found after a restart: generation 3 was never recorded, and may have been valid and taken access away.
        PolicyState state = new Policies().state(policy(4, false, recorded(2, null), 2L));
        assertThat(state.usable()).isTrue();
        assertThat(state.inForce()).isEqualTo(2L);
        assertThat(state.grantsWithheld()).isTrue();
    }

    @Test
    void aRecordThatWithholdsGrantsKeepsDoingSoUntilAValidEdit() {
        Policies policies = new Policies();
        assertThat(policies.state(policy(5, false, recorded(2, true), 5L)).grantsWithheld()).isTrue();
        assertThat(policies.state(policy(6, false, recorded(2, true), 5L)).grantsWithheld()).isTrue();
        PolicyState valid = policies.state(policy(7, true, recorded(2, true), 6L));
        assertThat(valid.valid()).isTrue();
        assertThat(valid.grantsWithheld()).isFalse();
    }

    @Test
    void generationsThisProcessSawLeaveNoGap() {
        Policies policies = new Policies();
        // This process saw generation 3 (invalid) while the record could not be written, then 4.
        assertThat(policies.state(policy(3, false, recorded(2, null), 2L)).grantsWithheld()).isFalse();
        PolicyState state = policies.state(policy(4, false, recorded(2, null), 2L));
        assertThat(state.inForce()).isEqualTo(2L);
        assertThat(state.grantsWithheld()).isFalse();
        // The same generation again (every reconciliation asks) is still no gap.
        assertThat(policies.state(policy(4, false, recorded(2, null), 2L)).grantsWithheld()).isFalse();
    }

    @Test
    void aValidGenerationThisProcessSawStandsInFullyWhenNothingCameBetween() {
        Policies policies = new Policies();
        policies.state(policy(3, true, recorded(2, null), 2L));
        PolicyState state = policies.state(policy(4, false, recorded(2, null), 2L));
        assertThat(state.inForce()).isEqualTo(3L);
        assertThat(state.grantsWithheld()).isFalse();
    }

    @Test
    void aGenerationThisProcessDidNotSeeAfterTheValidOneItSawWithholdsGrants() {
        Policies policies = new Policies();
        policies.state(policy(3, true, recorded(2, null), 2L));
        PolicyState state = policies.state(policy(5, false, recorded(2, null), 2L));
        assertThat(state.inForce()).isEqualTo(3L);
        assertThat(state.grantsWithheld()).isTrue();
    }

    @Test
    void withNoValidPolicyEverRecordedAccessIsFrozenNotWithheld() {
        PolicyState state = new Policies().state(policy(4, false, null, 2L));
        assertThat(state.usable()).isFalse();
        assertThat(state.grantsWithheld()).isFalse();
    }

    @Test
    void aPolicyCreatedAgainStartsAfresh() {
        Policies policies = new Policies();
        policies.state(policy(3, false, recorded(2, null), 2L));
        AccessPolicy again = policy(2, false, recorded(1, null), 1L);
        again.getMetadata().setUid("another-uid");
        assertThat(policies.state(again).grantsWithheld()).isFalse();
    }

    @Test
    void withNoAccessPolicyAndNoneSeenAccessIsFrozen() {
        // A restart, or a cluster that never had one: the built-in defaults may be looser than the organisation's.
        PolicyState state = new Policies().absent();
        assertThat(state.usable()).isFalse();
        assertThat(state.builtIn()).isTrue();
        assertThat(state.valid()).isFalse();
        assertThat(state.problems()).containsExactly(PolicyState.NO_POLICY);
    }

    @Test
    void aDeletedValidPolicyStaysInForceButOnlyTakesAccessAway() {
        Policies policies = new Policies();
        policies.state(policy(3, true, recorded(2, null), 2L));
        PolicyState state = policies.absent();
        assertThat(state.builtIn()).isTrue();
        assertThat(state.usable()).isTrue();
        assertThat(state.inForce()).isEqualTo(3L);
        // The deleted policy's, not the built-in defaults (which have no exception approvers).
        assertThat(state.policy().exceptionApprovers()).containsOnlyKeys("head.of.tech@example.gov.uk");
        assertThat(state.grantsWithheld()).isTrue();
    }

    @Test
    void aDeletedInvalidPolicyLeavesItsLastValidOneInForceOnlyTakingAccessAway() {
        Policies policies = new Policies();
        policies.state(policy(4, false, recorded(2, null), 3L));
        PolicyState state = policies.absent();
        assertThat(state.inForce()).isEqualTo(2L);
        assertThat(state.grantsWithheld()).isTrue();
    }

    @Test
    void aDeletedPolicyThatWasNeverValidLeavesAccessFrozen() {
        Policies policies = new Policies();
        policies.state(policy(4, false, null, 3L));
        assertThat(policies.absent().usable()).isFalse();
    }

    @Test
    void anOlderGenerationAskedForLateDoesNotReplaceTheNewerOneInForce() {
        Policies policies = new Policies();
        policies.state(policy(5, true, recorded(4, null), 4L));
        // A reconciliation still holding generation 4 (invalid, recorded 2) answers after one holding 5.
        policies.state(policy(4, false, recorded(2, null), 3L));
        assertThat(policies.absent().inForce()).isEqualTo(5L);
    }

    private static PolicyInForce recorded(long generation, Boolean grantsWithheld) {
        PolicyInForce inForce = new PolicyInForce(generation, Fixtures.policy(Fixtures.APPROVERS).getSpec());
        inForce.grantsWithheld = grantsWithheld;
        return inForce;
    }

    private static AccessPolicy policy(long generation, boolean valid, PolicyInForce inForce, Long observedGeneration) {
        AccessPolicy policy = Fixtures.policy(Fixtures.APPROVERS + (valid ? "" : "timeZone: Mars/Olympus_Mons\n"));
        policy.getMetadata().setUid(UID);
        policy.getMetadata().setGeneration(generation);
        AccessPolicyStatus status = new AccessPolicyStatus();
        status.inForce = inForce;
        status.observedGeneration = observedGeneration;
        policy.setStatus(status);
        return policy;
    }
}

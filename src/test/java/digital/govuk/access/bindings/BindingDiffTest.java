package digital.govuk.access.bindings;

import static digital.govuk.access.bindings.UnexplainedTest.ADMIN;
import static digital.govuk.access.bindings.UnexplainedTest.OUR_LABELS;
import static digital.govuk.access.bindings.UnexplainedTest.ours;
import static digital.govuk.access.bindings.UnexplainedTest.rb;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import digital.govuk.access.api.v1alpha1.SubjectKind;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;

/**
 * Decisions 45 and 74: a role the operator may not bind stops grants, never a revocation, and never keeps access the
 * decision does not give.
 */
class BindingDiffTest {
    static final String NEW_ADMIN = "production-admin-v2";
    static final String FAY = "fay@example.gov.uk";

    static RoleBinding admin(String role, String... subjects) {
        return rb("apps", "fay-admin", "ClusterRole", role, OUR_LABELS, List.of(ours()),
                Arrays.stream(subjects).map(UnexplainedTest::user).toArray(Subject[]::new));
    }

    @Test
    void aBindingThatGivesWhatIsWantedStaysAsItIsWhenItsRoleCannotBeBound() {
        RoleBinding held = admin(ADMIN, FAY);
        held.getMetadata().setResourceVersion("41");
        List<RoleBinding> desired = BindingDiff.keepingUnbindable(List.of(admin(ADMIN, FAY)), List.of(held), Set.of(ADMIN));
        assertThat(desired).singleElement().isSameAs(held);
        assertThat(BindingDiff.diff(desired, List.of(held)).none()).isTrue();
    }

    @Test
    void noBindingIsMadeToARoleThatCannotBeBound() {
        assertThat(BindingDiff.keepingUnbindable(List.of(admin(ADMIN, FAY)), List.of(), Set.of(ADMIN))).isEmpty();
    }

    @Test
    void aBindingToARoleThePolicyNoLongerNamesIsRemovedWhenTheNewRoleCannotBeBound() {
        // The policy's admin role changed to one the operator may not bind: the old role's binding gives access no
        // rule gives any more.
        RoleBinding held = admin(ADMIN, FAY);
        List<RoleBinding> desired = BindingDiff.keepingUnbindable(List.of(admin(NEW_ADMIN, FAY)), List.of(held), Set.of(NEW_ADMIN));
        assertThat(desired).isEmpty();
        assertThat(BindingDiff.diff(desired, List.of(held)).delete()).containsExactly(held);
    }

    @Test
    void aBindingForAnotherSubjectIsRemovedWhenItsRoleCannotBeBound() {
        // The subject was corrected (or someone added a subject): the old one must not keep the role.
        RoleBinding held = admin(ADMIN, "fay.old@example.gov.uk");
        RoleBinding added = admin(ADMIN, FAY, "mallory@example.gov.uk");
        assertThat(BindingDiff.keepingUnbindable(List.of(admin(ADMIN, FAY)), List.of(held), Set.of(ADMIN))).isEmpty();
        assertThat(BindingDiff.keepingUnbindable(List.of(admin(ADMIN, FAY)), List.of(added), Set.of(ADMIN))).isEmpty();
    }

    @Test
    void whileNothingNewIsGrantedOnlyBindingsThatGiveWhatIsWantedStay() {
        // An EngineerAccess with a field the operator does not know (43), or a policy that only takes access away (73).
        RoleBinding same = admin(ADMIN, FAY);
        assertThat(BindingDiff.alreadyHeld(List.of(admin(ADMIN, FAY)), List.of(same))).containsExactly(same);
        assertThat(BindingDiff.alreadyHeld(List.of(admin(ADMIN, FAY)), List.of(admin(ADMIN, "fay.old@example.gov.uk"))))
                .as("the subject changed: the old one does not keep the role").isEmpty();
        assertThat(BindingDiff.alreadyHeld(List.of(admin(NEW_ADMIN, FAY)), List.of(same))).as("the role changed").isEmpty();
        assertThat(BindingDiff.alreadyHeld(List.of(), List.of(same))).as("no longer wanted").isEmpty();
        assertThat(BindingDiff.alreadyHeld(List.of(admin(ADMIN, FAY)), List.of())).as("nothing new").isEmpty();
    }

    @Test
    void withNoDecisionABindingIsKeptOnlyForTheSubjectNamedNow() {
        RoleBinding fay = admin(ADMIN, FAY);
        RoleBinding before = admin(ADMIN, "fay.old@example.gov.uk");
        RoleBinding added = admin(ADMIN, FAY, "mallory@example.gov.uk");
        assertThat(BindingDiff.forSubject(List.of(fay, before, added), new digital.govuk.access.api.v1alpha1.Subject(SubjectKind.User, FAY)))
                .containsExactly(fay);
        assertThat(BindingDiff.forSubject(List.of(fay), new digital.govuk.access.api.v1alpha1.Subject(SubjectKind.Group, FAY)))
                .as("a group of the same name is not the person").isEmpty();
    }

    @Test
    void rolesThatCanBeBoundAreWantedAsDecided() {
        RoleBinding want = admin(NEW_ADMIN, FAY);
        assertThat(BindingDiff.keepingUnbindable(List.of(want), List.of(admin(ADMIN, FAY)), Set.of("production-deploy")))
                .containsExactly(want);
    }
}

package digital.govuk.access.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import digital.govuk.access.api.v1alpha1.EngineerAccessSpec;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;

/**
 * The chart's ValidatingAdmissionPolicy (issue 7): nobody writes their own access, and an approval is
 * stamped by the person it names, except by the trusted GitOps identity. The rendered policy's CEL is
 * evaluated directly, case by case and without a server, against admission requests built as the API server
 * builds them; it/CurrentKubernetesTest shows a real API server admitting and refusing the same requests.
 */
class AdmissionPolicyTest {
    static final String FLUX = "system:serviceaccount:flux-system:kustomize-controller";
    static final String ARGO = "system:serviceaccount:argocd:argocd-application-controller";
    static final String ADA = "ada.engineer@example.gov.uk";
    static final String TESS = "tess.lead@example.gov.uk";
    static final String HEAD = "head.of.tech@example.gov.uk";
    static final String LEE = "lee.lead-dev@example.gov.uk";
    static final String MALLORY = "mallory.editor@example.gov.uk";
    /** Jane's subject is the user name {@code jane}; she also signs in as her e-mail address, which spec.email records. */
    static final String JANE_BY_EMAIL = "Jane@example.gov.uk";

    static AdmissionPolicyCel policy;
    /** The same policy in strict mode (admissionPolicy.strict), with a second trusted identity. */
    static AdmissionPolicyCel strictPolicy;

    @BeforeAll
    static void renderThePolicy() {
        policy = render("admissionPolicy: {enabled: true, trustedUsernames: [" + FLUX + "]}");
        strictPolicy = render("admissionPolicy: {enabled: true, strict: true, trustedUsernames: [" + FLUX + ", " + ARGO + "]}");
    }

    static AdmissionPolicyCel render(String values) {
        Chart.Rendered r = Chart.render(values, Chart.KUBE_WITH_ADMISSION_POLICY);
        ValidatingAdmissionPolicy vap = r.named("ValidatingAdmissionPolicy", Chart.APPROVALS_POLICY, ValidatingAdmissionPolicy.class);
        assertThat(vap.getSpec().getMatchConstraints().getResourceRules()).allSatisfy(rule ->
                assertThat(rule.getResources()).as("never the status subresource the operator writes")
                        .containsExactly("engineeraccesses"));
        return new AdmissionPolicyCel(vap);
    }

    // --- Rule 1: nobody creates or changes the EngineerAccess that grants them access ---

    @Test
    void creatingYourOwnEngineerAccessIsRefused() {
        AdmissionPolicyCel.Outcome o = create(ADA, engineer(user(ADA)));
        assertThat(o.allowed()).isFalse();
        assertThat(o.messages()).containsExactly("You cannot create or change your own EngineerAccess (spec.subject.name is you, "
                + ADA + "). Ask someone else with edit rights to make this change.");
    }

    @Test
    void yourOwnNameIsRecognisedWhateverItsCaseAndSpaces() {
        assertThat(create(ADA, engineer(user("  Ada.Engineer@Example.GOV.UK "))).allowed()).isFalse();
    }

    @Test
    void creatingSomeoneElsesEngineerAccessIsAllowed() {
        assertThat(create(MALLORY, engineer(user(ADA))).allowed()).isTrue();
    }

    @Test
    void changingYourOwnEngineerAccessIsRefusedEvenWithoutTouchingApprovals() {
        Map<String, Object> old = engineer(user(ADA));
        Map<String, Object> changed = engineer(user(ADA));
        changed.put("metadata", Map.of("name", "ada", "labels", Map.of("team", "platform")));
        assertThat(update(ADA, changed, old).allowed()).isFalse();
    }

    @Test
    void movingSomeoneElsesEngineerAccessToYourselfIsRefused() {
        AdmissionPolicyCel.Outcome o = update(MALLORY, engineer(user(MALLORY)), engineer(user(ADA)));
        assertThat(o.allowed()).isFalse();
        assertThat(o.messages()).anySatisfy(m -> assertThat(m).startsWith("You cannot create or change your own EngineerAccess"));
    }

    @Test
    void aGroupSubjectCannotBeWrittenByItsMembers() {
        Map<String, Object> sre = engineer(Map.of("kind", "Group", "name", "SRE-Team"));
        AdmissionPolicyCel.Outcome member = admit("CREATE", MALLORY, List.of("system:authenticated", "sre-team"), sre, null);
        assertThat(member.allowed()).isFalse();
        assertThat(member.messages()).containsExactly("You cannot create or change an EngineerAccess whose subject is a group "
                + "you belong to. Ask someone else with edit rights to make this change.");
        assertThat(admit("CREATE", MALLORY, List.of("system:authenticated", "developers"), sre, null).allowed()).isTrue();
        assertThat(admit("CREATE", "sre-team", List.of(), sre, null).allowed())
                .as("a user named like the group is not its member").isTrue();
    }

    // --- Rule 1: the engineer is also the person named by spec.email ---

    @Test
    void creatingOrChangingYourOwnEngineerAccessUnderYourEmailIsRefused() {
        AdmissionPolicyCel.Outcome o = create(JANE_BY_EMAIL, jane());
        assertThat(o.allowed()).isFalse();
        assertThat(o.messages()).containsExactly("You cannot create or change your own EngineerAccess (spec.email is you, "
                + JANE_BY_EMAIL + "). Ask someone else with edit rights to make this change.");
        Map<String, Object> withoutEmail = jane();
        spec(withoutEmail).remove("email");
        assertThat(update(JANE_BY_EMAIL, withoutEmail, jane()).allowed()).as("removing the e-mail address is a change to your own").isFalse();
        assertThat(update(JANE_BY_EMAIL, jane(), withoutEmail).allowed()).as("so is adding it").isFalse();
        assertThat(create("jane", jane()).allowed()).as("and the subject name still counts").isFalse();
    }

    @Test
    void approvingYourselfUnderYourEmailIsRefused() {
        AdmissionPolicyCel.Outcome deploy = update(JANE_BY_EMAIL, withDeployApproval(jane(), JANE_BY_EMAIL), jane());
        assertThat(deploy.allowed()).isFalse();
        assertThat(deploy.messages()).containsExactly("You cannot create or change your own EngineerAccess (spec.email is you, "
                + JANE_BY_EMAIL + "). Ask someone else with edit rights to make this change.");
        assertThat(update(JANE_BY_EMAIL, withExceptions(jane(), exception(" jane@EXAMPLE.gov.uk", "2026-12-04T17:30:00Z")), jane())
                .allowed()).as("an exception, and the address compared as names are").isFalse();
        Map<String, Object> noEmail = jane();
        spec(noEmail).remove("email");
        assertThat(update(JANE_BY_EMAIL, withDeployApproval(noEmail, JANE_BY_EMAIL), noEmail).allowed())
                .as("without spec.email the policy cannot tell; the operator's rules then need the address").isTrue();
    }

    @Test
    void someoneElsesEmailIsNotYours() {
        assertThat(update(MALLORY, withDeployApproval(jane(), JANE_BY_EMAIL), jane()).messages())
                .as("only the approval rule applies").singleElement().satisfies(m -> assertThat(m).startsWith("Only " + JANE_BY_EMAIL));
        assertThat(update(TESS, withDeployApproval(jane(), TESS), jane()).allowed()).isTrue();
    }

    // --- Rule 2: a deploy approval is stamped by the approver it names ---

    @Test
    void addingADeployApprovalForSomeoneElseIsRefused() {
        Map<String, Object> approved = withDeployApproval(engineer(user(ADA)), TESS);
        AdmissionPolicyCel.Outcome o = update(MALLORY, approved, engineer(user(ADA)));
        assertThat(o.allowed()).isFalse();
        assertThat(o.messages()).containsExactly("Only " + TESS + " may add or change this deploy approval (spec.deployApproval), "
                + "and you are " + MALLORY + ". Ask them to record it, or leave spec.deployApproval as it was.");
        assertThat(create(MALLORY, approved).allowed()).as("on CREATE too").isFalse();
    }

    @Test
    void theNamedApproverMayAddTheirDeployApproval() {
        assertThat(update(TESS, withDeployApproval(engineer(user(ADA)), TESS), engineer(user(ADA))).allowed()).isTrue();
        assertThat(create(TESS, withDeployApproval(engineer(user(ADA)), " Tess.Lead@example.gov.uk")).allowed())
                .as("approvedBy compared trimmed and case-insensitively").isTrue();
    }

    @Test
    void changingAnExistingDeployApprovalIsRefusedUnlessByItsApprover() {
        Map<String, Object> old = withDeployApproval(engineer(user(ADA)), TESS);
        Map<String, Object> redated = withDeployApproval(engineer(user(ADA)), TESS);
        approval(redated).put("approvedOn", "2026-01-01");
        assertThat(update(MALLORY, redated, old).allowed()).isFalse();
        assertThat(update(TESS, redated, old).allowed()).isTrue();
    }

    @Test
    void anApprovalCannotBeMovedToAnotherPerson() {
        Map<String, Object> old = withDeployApproval(engineer(user(ADA)), TESS);
        Map<String, Object> moved = withDeployApproval(engineer(user("bob.other@example.gov.uk")), TESS);
        AdmissionPolicyCel.Outcome o = update(MALLORY, moved, old);
        assertThat(o.allowed()).isFalse();
        assertThat(o.messages()).singleElement().satisfies(m ->
                assertThat(m).contains("moving an EngineerAccess to another subject counts as a new approval"));
        assertThat(update(TESS, moved, old).allowed()).isTrue();
    }

    // --- Rule 2: an exception is stamped by the approver it names ---

    @Test
    void addingOrChangingAnExceptionIsRefusedUnlessByItsApprover() {
        Map<String, Object> old = withExceptions(engineer(user(ADA)), exception(HEAD, "2026-12-04T17:30:00Z"));
        Map<String, Object> extended = withExceptions(engineer(user(ADA)), exception(HEAD, "2026-12-18T17:30:00Z"));
        AdmissionPolicyCel.Outcome o = update(MALLORY, extended, old);
        assertThat(o.allowed()).isFalse();
        assertThat(o.messages()).containsExactly("Only the approver named in an exception may add or change it: spec.exceptions "
                + "has a new or changed entry approved by " + HEAD + ", and you are " + MALLORY
                + ". Ask them to record it, or leave spec.exceptions as they were.");
        assertThat(update(HEAD, extended, old).allowed()).isTrue();
    }

    @Test
    void anApproverMayAddTheirOwnExceptionNextToOthersButNotSomeoneElses() {
        Map<String, Object> old = withExceptions(engineer(user(ADA)), exception(LEE, "2026-12-04T17:30:00Z"));
        Map<String, Object> added = withExceptions(engineer(user(ADA)), exception(LEE, "2026-12-04T17:30:00Z"),
                exception(HEAD, "2026-12-20T17:30:00Z"));
        assertThat(update(HEAD, added, old).allowed()).isTrue();
        assertThat(update(LEE, added, old).allowed()).isFalse();
        assertThat(create(HEAD, added).allowed()).as("on CREATE every exception is new").isFalse();
    }

    // --- Edits that leave approvals alone, and removals ---

    @Test
    void anUnrelatedEditKeepsUnchangedApprovalsAndIsAllowed() {
        Map<String, Object> old = withExceptions(withDeployApproval(engineer(user(ADA)), TESS), exception(HEAD, "2026-12-04T17:30:00Z"));
        Map<String, Object> edited = withExceptions(withDeployApproval(engineer(user(ADA)), TESS), exception(HEAD, "2026-12-04T17:30:00Z"));
        spec(edited).put("shifts", List.of(Map.of("role", "Shadow", "startTime", "2026-08-03T09:00:00Z", "endTime", "2026-08-07T17:30:00Z")));
        spec(edited).put("fullName", "Ada Engineer-Lovelace");
        assertThat(update(MALLORY, edited, old).allowed()).isTrue();
    }

    @Test
    void reorderingExceptionsChangesNoApproval() {
        Map<String, Object> first = exception(HEAD, "2026-12-04T17:30:00Z");
        Map<String, Object> second = exception(LEE, "2026-12-10T17:30:00Z");
        assertThat(update(MALLORY, withExceptions(engineer(user(ADA)), second, first),
                withExceptions(engineer(user(ADA)), first, second)).allowed()).isTrue();
    }

    @Test
    void removingApprovalsIsAlwaysAllowed() {
        Map<String, Object> old = withExceptions(withDeployApproval(engineer(user(ADA)), TESS), exception(HEAD, "2026-12-04T17:30:00Z"),
                exception(LEE, "2026-12-10T17:30:00Z"));
        assertThat(update(MALLORY, engineer(user(ADA)), old).allowed()).as("both kinds removed").isTrue();
        assertThat(update(MALLORY, withExceptions(withDeployApproval(engineer(user(ADA)), TESS), exception(LEE, "2026-12-10T17:30:00Z")),
                old).allowed()).as("one exception removed").isTrue();
    }

    // --- Rule 3: nobody deletes their own EngineerAccess ---

    static final String OWN_DELETE = "You may not remove your own access record: spec.subject.name is you, "
            + ADA + ". Access always ends, and not by the engineer's own hand: deleting your own EngineerAccess (with "
            + "--cascade=orphan, say) could leave its RoleBindings in place with no record behind them. Ask someone else with edit "
            + "rights to delete it.";

    @Test
    void deletingYourOwnEngineerAccessIsRefusedWhateverTheCascade() {
        Map<String, Object> own = withDeployApproval(engineer(user(ADA)), TESS);
        AdmissionPolicyCel.Outcome o = delete(ADA, own);
        assertThat(o.allowed()).isFalse();
        assertThat(o.messages()).containsExactly(OWN_DELETE);
        for (Map<String, Object> how : List.<Map<String, Object>>of(Map.of("propagationPolicy", "Orphan"),
                Map.of("orphanDependents", true), Map.of("propagationPolicy", "Foreground"))) {
            assertThat(delete(ADA, List.of("system:authenticated"), own, deleteOptions(how)).messages()).as("%s", how)
                    .containsExactly(OWN_DELETE);
        }
        assertThat(delete(ADA, engineer(user("  Ada.Engineer@Example.GOV.UK "))).allowed()).as("compared as names are").isFalse();
    }

    @Test
    void deletingAnEngineerAccessWhoseGroupYouAreInIsRefused() {
        Map<String, Object> sre = engineer(Map.of("kind", "Group", "name", "SRE-Team"));
        AdmissionPolicyCel.Outcome member = delete(MALLORY, List.of("system:authenticated", "sre-team"), sre, deleteOptions(Map.of()));
        assertThat(member.allowed()).isFalse();
        assertThat(member.messages()).singleElement().satisfies(m ->
                assertThat(m).startsWith("You may not remove your own access record: its subject is a group you belong to. "));
        assertThat(delete(MALLORY, List.of("system:authenticated", "developers"), sre, deleteOptions(Map.of())).allowed()).isTrue();
    }

    @Test
    void deletingSomeoneElsesEngineerAccessIsAllowedWithItsApprovals() {
        Map<String, Object> approved = withExceptions(withDeployApproval(engineer(user(ADA)), TESS), exception(HEAD, "2026-12-04T17:30:00Z"));
        assertThat(delete(MALLORY, approved).allowed()).isTrue();
        assertThat(delete(TESS, approved).allowed()).as("its approver too").isTrue();
    }

    @Test
    void deletingYourOwnEngineerAccessUnderYourEmailIsRefused() {
        AdmissionPolicyCel.Outcome o = delete(JANE_BY_EMAIL, jane());
        assertThat(o.allowed()).isFalse();
        assertThat(o.messages()).singleElement().satisfies(m ->
                assertThat(m).startsWith("You may not remove your own access record: spec.email is you, " + JANE_BY_EMAIL + ". "));
        assertThat(delete(MALLORY, jane()).allowed()).isTrue();
    }

    // --- Rule 4: nobody leaves RoleBindings behind without their EngineerAccess ---

    static final String ORPHAN_DELETE = "An EngineerAccess may not be deleted with --cascade=orphan. Access always ends, and its "
            + "RoleBindings would stay in place with no record behind them, never to be removed. Delete it without "
            + "--cascade=orphan: its RoleBindings go with it.";

    @Test
    void deletingSomeoneElsesEngineerAccessWithOrphanCascadeIsRefused() {
        Map<String, Object> ada = withDeployApproval(engineer(user(ADA)), TESS);
        AdmissionPolicyCel.Outcome o = delete(MALLORY, List.of("system:authenticated"), ada, deleteOptions(Map.of("propagationPolicy", "Orphan")));
        assertThat(o.allowed()).isFalse();
        assertThat(o.messages()).containsExactly(ORPHAN_DELETE);
        assertThat(delete(MALLORY, List.of("system:authenticated"), ada, deleteOptions(Map.of("orphanDependents", true))).messages())
                .as("older clients").containsExactly(ORPHAN_DELETE);
        for (Map<String, Object> how : List.<Map<String, Object>>of(Map.of("propagationPolicy", "Background"),
                Map.of("propagationPolicy", "Foreground"), Map.of("orphanDependents", false))) {
            assertThat(delete(MALLORY, List.of("system:authenticated"), ada, deleteOptions(how)).allowed()).as("%s", how).isTrue();
        }
        assertThat(delete(FLUX, List.of("system:authenticated"), ada, deleteOptions(Map.of("propagationPolicy", "Orphan"))).allowed())
                .as("the trusted identity is not checked").isTrue();
    }

    @Test
    void addingTheOrphanFinalizerIsRefused() {
        Map<String, Object> orphaning = engineer(user(ADA));
        orphaning.put("metadata", Map.of("name", "ada", "finalizers", List.of("example.com/audit", "orphan")));
        AdmissionPolicyCel.Outcome o = update(MALLORY, orphaning, engineer(user(ADA)));
        assertThat(o.allowed()).isFalse();
        assertThat(o.messages()).containsExactly("You cannot add the finalizer orphan to an EngineerAccess (metadata.finalizers): "
                + "deleting it would then work as --cascade=orphan. Access always ends, and its RoleBindings would stay in place "
                + "with no record behind them, never to be removed. Leave metadata.finalizers without orphan.");
        assertThat(create(MALLORY, orphaning).allowed()).as("on CREATE too").isFalse();
        assertThat(update(MALLORY, engineer(user(ADA)), orphaning).allowed()).as("removing it").isTrue();
        Map<String, Object> labelled = engineer(user(ADA));
        labelled.put("metadata", Map.of("name", "ada", "finalizers", List.of("orphan"), "labels", Map.of("team", "platform")));
        assertThat(update(MALLORY, labelled, orphaning).allowed()).as("it was there already").isTrue();
        Map<String, Object> audited = engineer(user(ADA));
        audited.put("metadata", Map.of("name", "ada", "finalizers", List.of("example.com/audit")));
        assertThat(update(MALLORY, audited, engineer(user(ADA))).allowed()).as("another finalizer").isTrue();
    }

    @Test
    void theTrustedIdentityMayDeleteAnyEngineerAccess() {
        assertThat(delete(FLUX, engineer(user(ADA))).allowed()).isTrue();
        assertThat(delete(FLUX, engineer(user(FLUX))).allowed()).as("even one naming it").isTrue();
    }

    // --- Strict mode: only the trusted identities write facts; approvers still write approvals ---

    static final String STRICT_IDENTITIES = "Strict mode allows only the trusted identities (" + FLUX + ", " + ARGO + ") to ";

    @Test
    void withoutStrictModeAnyEditorMayCreateAnEngineerAndChangeItsFacts() {
        assertThat(create(MALLORY, engineer(user(ADA))).allowed()).isTrue();
        Map<String, Object> changed = engineer(user(ADA));
        spec(changed).put("clearance", Map.of("level", "DV", "grantedOn", "2026-01-12"));
        spec(changed).put("shifts", List.of(Map.of("role", "AdminShadow", "startTime", "2026-08-03T09:00:00Z", "endTime", "2026-08-07T17:30:00Z")));
        spec(changed).put("absences", List.of(Map.of("from", "2026-09-01", "until", "2026-09-05")));
        assertThat(update(MALLORY, changed, engineer(user(ADA))).allowed()).isTrue();
    }

    @Test
    void strictModeRefusesCreatingAnEngineerAccessExceptByTheTrusted() {
        AdmissionPolicyCel.Outcome o = strictCreate(MALLORY, engineer(user(ADA)));
        assertThat(o.allowed()).isFalse();
        assertThat(o.messages()).containsExactly(STRICT_IDENTITIES + "create an EngineerAccess, and you are " + MALLORY
                + ". Make this change through them, for example in a pull request.");
        assertThat(strictCreate(TESS, withDeployApproval(engineer(user(ADA)), TESS)).allowed())
                .as("not even with the approver's own approval in it").isFalse();
        assertThat(strictCreate(FLUX, withDeployApproval(engineer(user(ADA)), TESS)).allowed()).isTrue();
        assertThat(strictCreate(ARGO, engineer(user(ADA))).allowed()).as("every trusted identity").isTrue();
    }

    @Test
    void strictModeRefusesChangingAFactNamingTheField() {
        Map<String, Object> old = withDeployApproval(engineer(user(ADA)), TESS);
        Map<String, Object> cleared = withDeployApproval(engineer(user(ADA)), TESS);
        spec(cleared).put("clearance", Map.of("level", "DV", "grantedOn", "2026-01-12"));
        AdmissionPolicyCel.Outcome o = strictUpdate(MALLORY, cleared, old);
        assertThat(o.allowed()).isFalse();
        assertThat(o.messages()).containsExactly(STRICT_IDENTITIES + "change spec.clearance, and you are " + MALLORY
                + ". Only approvals (spec.deployApproval, spec.exceptions) may be written here, by the approver they name. "
                + "Make this change through the trusted identities, for example in a pull request.");

        Map<String, Object> scheduled = engineer(user(ADA));
        spec(scheduled).put("shifts", List.of(Map.of("role", "AdminShadow", "startTime", "2026-08-03T09:00:00Z", "endTime", "2026-08-07T17:30:00Z")));
        spec(scheduled).put("absences", List.of(Map.of("from", "2026-09-01", "until", "2026-09-05")));
        assertThat(strictUpdate(MALLORY, scheduled, engineer(user(ADA))).messages()).singleElement().satisfies(m ->
                assertThat(m).startsWith(STRICT_IDENTITIES + "change spec.shifts, spec.absences, and you are "));
        Map<String, Object> moreShifts = engineer(user(ADA));
        spec(moreShifts).put("shifts", List.of(Map.of("role", "AdminShadow", "startTime", "2026-08-03T09:00:00Z", "endTime", "2026-08-07T17:30:00Z"),
                Map.of("role", "Shadow", "startTime", "2026-08-10T09:00:00Z", "endTime", "2026-08-14T17:30:00Z")));
        assertThat(strictUpdate(TESS, moreShifts, scheduled).allowed()).as("a changed list, by an approver").isFalse();
        assertThat(strictUpdate(MALLORY, engineer(user(ADA)), scheduled).messages()).as("removing facts is a change too")
                .singleElement().satisfies(m -> assertThat(m).contains("change spec.shifts, spec.absences, and you are"));
        assertThat(strictUpdate(FLUX, cleared, old).allowed()).isTrue();
    }

    /** Every field of the spec but the approvals, and spec.email (not in this branch's types yet), is a fact. */
    @Test
    void strictModeGuardsEveryFactOfTheSpec() {
        Set<String> facts = new TreeSet<>(Arrays.stream(EngineerAccessSpec.class.getFields())
                .filter(f -> !Modifier.isStatic(f.getModifiers())).map(Field::getName).toList());
        facts.removeAll(Set.of("deployApproval", "exceptions"));
        facts.add("email");
        assertThat(facts).contains("subject", "clearance", "employment", "probation", "shifts", "absences");
        for (String fact : facts) {
            Map<String, Object> old = jane();
            Map<String, Object> changed = jane();
            if (spec(old).containsKey(fact)) {
                spec(changed).remove(fact);
            } else {
                spec(changed).put(fact, "added");
            }
            assertThat(strictUpdate(MALLORY, changed, old).messages()).as("spec.%s", fact).singleElement().satisfies(m ->
                    assertThat(m).startsWith(STRICT_IDENTITIES + "change spec." + fact + ", and you are " + MALLORY));
        }
    }

    @Test
    void strictModeStillLetsTheNamedApproverAddTheirApproval() {
        Map<String, Object> old = withExceptions(engineer(user(ADA)), exception(LEE, "2026-12-04T17:30:00Z"));
        assertThat(strictUpdate(TESS, withDeployApproval(withExceptions(engineer(user(ADA)), exception(LEE, "2026-12-04T17:30:00Z")), TESS),
                old).allowed()).isTrue();
        assertThat(strictUpdate(HEAD, withExceptions(engineer(user(ADA)), exception(LEE, "2026-12-04T17:30:00Z"),
                exception(HEAD, "2026-12-20T17:30:00Z")), old).allowed()).isTrue();
        AdmissionPolicyCel.Outcome forged = strictUpdate(MALLORY, withDeployApproval(withExceptions(engineer(user(ADA)),
                exception(LEE, "2026-12-04T17:30:00Z")), TESS), old);
        assertThat(forged.messages()).as("someone else's approval: the approval rule, not strict mode")
                .singleElement().satisfies(m -> assertThat(m).startsWith("Only " + TESS));
        assertThat(strictUpdate(MALLORY, engineer(user(ADA)), old).allowed()).as("removing an approval").isTrue();
        Map<String, Object> labelled = engineer(user(ADA));
        labelled.put("metadata", Map.of("name", "ada", "labels", Map.of("team", "platform")));
        assertThat(strictUpdate(MALLORY, labelled, engineer(user(ADA))).allowed()).as("metadata is not a fact").isTrue();
    }

    @Test
    void strictModeKeepsTheRulesOnDeleting() {
        assertThat(strictDelete(MALLORY, engineer(user(ADA))).allowed()).as("someone else's").isTrue();
        assertThat(strictDelete(ADA, engineer(user(ADA))).messages()).containsExactly(OWN_DELETE);
        assertThat(strictDelete(FLUX, engineer(user(FLUX))).allowed()).isTrue();
    }

    // --- The trusted GitOps identity, and objects with little in them ---

    @Test
    void theTrustedIdentityIsNotChecked() {
        Map<String, Object> approved = withExceptions(withDeployApproval(engineer(user(ADA)), TESS), exception(HEAD, "2026-12-04T17:30:00Z"));
        assertThat(create(FLUX, approved).allowed()).isTrue();
        assertThat(update(FLUX, engineer(user(ADA)), approved).allowed()).isTrue();
        assertThat(update(FLUX, withDeployApproval(engineer(user("bob.other@example.gov.uk")), MALLORY), approved).allowed()).isTrue();
        assertThat(create(FLUX, engineer(user(FLUX))).allowed()).as("even its own name").isTrue();
        assertThat(create(FLUX + "-other", engineer(user(FLUX + "-other"))).allowed()).as("an exact name, not a prefix").isFalse();
    }

    @Test
    void missingOptionalFieldsAreNoError() {
        Map<String, Object> bare = new LinkedHashMap<>(Map.of("apiVersion", "access.govuk.digital/v1alpha1", "kind", "EngineerAccess",
                "metadata", Map.of("name", "bare")));
        assertThat(create(MALLORY, bare).allowed()).as("no spec at all").isTrue();
        Map<String, Object> noSubject = engineer(user(ADA));
        spec(noSubject).remove("subject");
        assertThat(create(MALLORY, noSubject).allowed()).as("no subject").isTrue();
        assertThat(update(MALLORY, engineer(user(ADA)), bare).allowed()).as("old object without spec").isTrue();
        Map<String, Object> approvalWithoutApprover = withDeployApproval(engineer(user(ADA)), TESS);
        approval(approvalWithoutApprover).remove("approvedBy");
        AdmissionPolicyCel.Outcome o = create(MALLORY, approvalWithoutApprover);
        assertThat(o.allowed()).isFalse();
        assertThat(o.messages()).singleElement().satisfies(m -> assertThat(m).startsWith("Only the approver named in approvedBy may add"));
    }

    // --- Sample requests, built as the API server builds them ---

    static AdmissionPolicyCel.Outcome create(String user, Map<String, Object> object) {
        return admit("CREATE", user, List.of("system:authenticated"), object, null);
    }

    static AdmissionPolicyCel.Outcome update(String user, Map<String, Object> object, Map<String, Object> oldObject) {
        return admit("UPDATE", user, List.of("system:authenticated"), object, oldObject);
    }

    /** A DELETE as the API server asks it: object null, the object being deleted as oldObject, how in the options. */
    static AdmissionPolicyCel.Outcome delete(String user, List<String> groups, Map<String, Object> oldObject, Map<String, Object> options) {
        return admit("DELETE", user, groups, null, oldObject, options);
    }

    static AdmissionPolicyCel.Outcome delete(String user, Map<String, Object> oldObject) {
        return delete(user, List.of("system:authenticated"), oldObject, deleteOptions(Map.of()));
    }

    static AdmissionPolicyCel.Outcome admit(String operation, String user, List<String> groups, Map<String, Object> object,
            Map<String, Object> oldObject) {
        String kind = operation.charAt(0) + operation.substring(1).toLowerCase() + "Options";
        return admit(operation, user, groups, object, oldObject, Map.of("apiVersion", "meta.k8s.io/v1", "kind", kind));
    }

    static AdmissionPolicyCel.Outcome admit(String operation, String user, List<String> groups, Map<String, Object> object,
            Map<String, Object> oldObject, Map<String, Object> options) {
        return admit(policy, operation, user, groups, object, oldObject, options);
    }

    static AdmissionPolicyCel.Outcome strictCreate(String user, Map<String, Object> object) {
        return admit(strictPolicy, "CREATE", user, List.of("system:authenticated"), object, null,
                Map.of("apiVersion", "meta.k8s.io/v1", "kind", "CreateOptions"));
    }

    static AdmissionPolicyCel.Outcome strictUpdate(String user, Map<String, Object> object, Map<String, Object> oldObject) {
        return admit(strictPolicy, "UPDATE", user, List.of("system:authenticated"), object, oldObject,
                Map.of("apiVersion", "meta.k8s.io/v1", "kind", "UpdateOptions"));
    }

    static AdmissionPolicyCel.Outcome strictDelete(String user, Map<String, Object> oldObject) {
        return admit(strictPolicy, "DELETE", user, List.of("system:authenticated"), null, oldObject, deleteOptions(Map.of()));
    }

    static AdmissionPolicyCel.Outcome admit(AdmissionPolicyCel policy, String operation, String user, List<String> groups,
            Map<String, Object> object, Map<String, Object> oldObject, Map<String, Object> options) {
        Map<String, Object> request = Map.of(
                "operation", operation,
                "userInfo", Map.of("username", user, "groups", groups),
                "resource", Map.of("group", "access.govuk.digital", "version", "v1alpha1", "resource", "engineeraccesses"),
                "name", "ada",
                "options", options);
        return policy.admit(request, object, oldObject);
    }

    /** DeleteOptions as kubectl sends them: {@code --cascade=orphan} is propagationPolicy Orphan; background is the default. */
    static Map<String, Object> deleteOptions(Map<String, Object> how) {
        Map<String, Object> options = new LinkedHashMap<>(Map.of("apiVersion", "meta.k8s.io/v1", "kind", "DeleteOptions"));
        options.putAll(how);
        return options;
    }

    static Map<String, Object> user(String name) {
        return Map.of("kind", "User", "name", name);
    }

    /** An EngineerAccess with the required fields and no approvals; every part is a mutable map. */
    static Map<String, Object> engineer(Map<String, Object> subject) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("fullName", "Ada Engineer");
        spec.put("role", "Developer");
        spec.put("employment", "CivilServant");
        spec.put("subject", subject);
        spec.put("clearance", Map.of("level", "BPSS", "grantedOn", "2026-01-12"));
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("apiVersion", "access.govuk.digital/v1alpha1");
        object.put("kind", "EngineerAccess");
        object.put("metadata", Map.of("name", "ada"));
        object.put("spec", spec);
        return object;
    }

    /** Jane's EngineerAccess: subject {@code User jane}, spec.email her address in lower case. */
    static Map<String, Object> jane() {
        Map<String, Object> jane = engineer(user("jane"));
        spec(jane).put("fullName", "Jane Engineer");
        spec(jane).put("email", "jane@example.gov.uk");
        return jane;
    }

    static Map<String, Object> withDeployApproval(Map<String, Object> engineer, String approvedBy) {
        Map<String, Object> approval = new LinkedHashMap<>();
        approval.put("approvedBy", approvedBy);
        approval.put("approvedOn", "2026-02-01");
        approval.put("confirmations", Map.of("codeReview", true, "releaseResponsibilities", true, "rollback", true, "gettingHelp", true));
        spec(engineer).put("deployApproval", approval);
        return engineer;
    }

    @SafeVarargs
    static Map<String, Object> withExceptions(Map<String, Object> engineer, Map<String, Object>... exceptions) {
        spec(engineer).put("exceptions", new ArrayList<>(List.of(exceptions)));
        return engineer;
    }

    static Map<String, Object> exception(String approvedBy, String expiryTime) {
        return Map.of("approvedBy", approvedBy, "businessCase", "Cover for incident response",
                "supervisor", "sam.primary@example.gov.uk", "startTime", "2026-11-20T09:00:00Z", "expiryTime", expiryTime);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(Map<String, Object> engineer) {
        return (Map<String, Object>) engineer.get("spec");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> approval(Map<String, Object> engineer) {
        return (Map<String, Object>) spec(engineer).get("deployApproval");
    }
}

package digital.govuk.access.operator;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.jboss.logging.Logger;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.AccessPolicyStatus;
import digital.govuk.access.api.v1alpha1.Condition;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.PolicyInForce;
import digital.govuk.access.bindings.Unexplained;
import digital.govuk.access.operator.runtime.ClockSkew;
import digital.govuk.access.operator.runtime.StartupWait;
import digital.govuk.access.status.PolicyState;
import digital.govuk.access.status.StatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import io.quarkiverse.operatorsdk.annotations.RBACVerbs;

/**
 * Tells each AccessPolicy whether it is used and valid. Only the one named {@code default} is used; the
 * EngineerAccess reconciler reads it (and re-reconciles every engineer when its spec, or its validity, changes).
 * A policy that names a ClusterRole the operator may not bind is invalid; that is asked again every
 * {@link BindRights#NO_FOR}, so fixing the operator's rights is noticed without editing the policy.
 */
@ControllerConfiguration(name = AccessPolicyReconciler.NAME)
// AccessPolicy objects are only watched (this reconciler's informer, and the EngineerAccess reconciler's); only
// their status is written, with a plain update. ClusterRoleBindings are listed to find access the operator did
// not grant (UnexplainedAccess), never changed.
@RBACRule(apiGroups = EngineerAccess.GROUP, resources = "accesspolicies", verbs = {RBACVerbs.LIST, RBACVerbs.WATCH})
@RBACRule(apiGroups = EngineerAccess.GROUP, resources = "accesspolicies/status", verbs = RBACVerbs.UPDATE)
@RBACRule(apiGroups = "rbac.authorization.k8s.io", resources = "clusterrolebindings", verbs = RBACVerbs.LIST)
public class AccessPolicyReconciler implements Reconciler<AccessPolicy> {
    public static final String NAME = "accesspolicy";
    static final String VALID = "Valid";
    static final String IN_FORCE = "InForce";
    static final String UNEXPLAINED_COUNTED = "UnexplainedCounted";

    private static final Logger LOG = Logger.getLogger(AccessPolicyReconciler.class);
    /** When to try again after the policy's status could not be written. */
    static final Duration STATUS_RETRY = Duration.ofSeconds(10);

    private final Clock clock;
    private final BindRights bindRights;
    private final UnexplainedAccess unexplained;
    private final ClockSkew clockSkew;
    private final Policies policies;

    public AccessPolicyReconciler(Clock clock, BindRights bindRights, UnexplainedAccess unexplained, ClockSkew clockSkew, Policies policies) {
        this.policies = policies;
        this.clock = clock;
        this.clockSkew = clockSkew;
        this.bindRights = bindRights;
        this.unexplained = unexplained;
    }

    @Override
    public UpdateControl<AccessPolicy> reconcile(AccessPolicy policy, Context<AccessPolicy> context) {
        clockSkew.start();
        AccessPolicyStatus status = new AccessPolicyStatus();
        status.observedGeneration = policy.getMetadata().getGeneration();
        List<Condition> conditions = new ArrayList<>();
        boolean askAgain = false;
        boolean lookAgain = false;
        if (!AccessPolicy.DEFAULT_NAME.equals(policy.getMetadata().getName())) {
            conditions.add(new Condition("Active", "False", "NotDefault",
                    "Ignored: the operator only uses the AccessPolicy named default"));
        } else {
            PolicyState state = bindRights.check(policies.state(policy));
            conditions.add(new Condition("Active", "True", "Default", "The operator uses this policy"));
            AccessPolicyStatus before = policy.getStatus();
            if (state.problems().isEmpty()) {
                // Valid as written (a role it may not bind is the operator's rights, not the policy's): recorded, so
                // that it stays in force if a later edit is invalid, also after a restart.
                status.inForce = new PolicyInForce(policy.getMetadata().getGeneration(), policy.getSpec());
            } else if (state.inForce() != null) {
                // The last valid one stays recorded; a newer valid generation this process saw but could not record
                // yet (decision 44) is recorded now.
                PolicyInForce last = policies.lastValid(policy);
                status.inForce = new PolicyInForce(last.generation, last.spec);
                // Recorded, so that a restart keeps it (decision 73).
                status.inForce.grantsWithheld = state.grantsWithheld() ? Boolean.TRUE : null;
            }
            if (state.valid()) {
                conditions.add(new Condition(VALID, "True", "Valid", "The policy is valid"));
            } else {
                List<String> problems = state.allProblems().stream().map(Object::toString).toList();
                status.problems.addAll(StatusBuilder.listed(problems, StatusBuilder.STATUS_LISTS));
                Condition valid = StatusBuilder.policyCondition(state);
                conditions.add(new Condition(VALID, "False", valid.reason, valid.message));
                askAgain = BindRights.refused(state);
            }
            Condition counted = null;
            if (state.usable()) {
                UnexplainedAccess.Found found = unexplained.find(state.policy());
                if (found.read()) {
                    status.unexplainedBindings = found.grants().size();
                    status.unexplained = new ArrayList<>(found.grants().stream().limit(StatusBuilder.STATUS_LISTS)
                            .map(Unexplained.Grant::line).toList());
                } else if (before != null) {
                    // Kept, and the condition says they are old: an auditor must not read them as checked now.
                    status.unexplainedBindings = before.unexplainedBindings;
                    status.unexplained = before.unexplained;
                }
                counted = unexplainedCounted(found, status.unexplainedBindings != null);
                lookAgain = true;
            }
            conditions.add(status.inForce != null
                    ? new Condition(IN_FORCE, "True", state.problems().isEmpty() ? "Current" : "LastValid",
                            "Decisions are made with generation " + status.inForce.generation + " of this policy"
                                    + (state.problems().isEmpty() ? "" : ", the last valid one; the current one is invalid")
                                    + (state.grantsWithheld() ? StatusBuilder.GRANTS_WITHHELD : ""))
                    : new Condition(IN_FORCE, "False", "NoValidPolicy",
                            "No valid version of this policy was ever recorded, so access is frozen: nothing is granted or"
                                    + " revoked, and only time-limited access ends"));
            if (counted != null) {
                conditions.add(counted);
            }
        }
        AccessPolicyStatus previous = policy.getStatus();
        status.conditions = StatusBuilder.stamp(conditions, previous == null ? null : previous.conditions,
                status.observedGeneration, clock.instant());
        if (previous == null || !Objects.equals(previous.observedGeneration, status.observedGeneration)
                || !Objects.equals(previous.conditions, status.conditions) || !Objects.equals(previous.problems, status.problems)
                || !sameInForce(previous.inForce, status.inForce)
                || !Objects.equals(previous.unexplainedBindings, status.unexplainedBindings)
                || !Objects.equals(previous.unexplained, status.unexplained)) {
            try {
                StatusWrites.replace(policy, status, context, AccessPolicy::new);
            } catch (RuntimeException e) {
                // Said in words, and tried again: the engineers do not wait for this record (Policies keeps the newest
                // valid policy this process saw in force meanwhile, decision 44).
                LOG.warnf("policy=%s reason=StatusNotWritten message=\"could not write the status of the AccessPolicy: %s; the operator"
                        + " tries again in %d s\"", policy.getMetadata().getName(), ApiErrors.inWords(e), STATUS_RETRY.toSeconds());
                return UpdateControl.<AccessPolicy>noUpdate().rescheduleAfter(STATUS_RETRY.toMillis());
            }
        }
        UpdateControl<AccessPolicy> done = UpdateControl.noUpdate();
        return askAgain ? done.rescheduleAfter(BindRights.NO_FOR.toMillis())
                : lookAgain ? done.rescheduleAfter(unexplained.every.toMillis()) : done;
    }

    /**
     * Whether unexplainedBindings and unexplained are what the latest look found (decision 49). The message names no
     * count or time, so that a look finding the same as the last one writes nothing.
     */
    private Condition unexplainedCounted(UnexplainedAccess.Found found, boolean kept) {
        if (found.read()) {
            return new Condition(UNEXPLAINED_COUNTED, "True", "Counted", "unexplainedBindings is what the latest look found (the"
                    + " operator reads every RoleBinding and ClusterRoleBinding for access it did not grant once every "
                    + StartupWait.inWords(unexplained.every) + ")");
        }
        return new Condition(UNEXPLAINED_COUNTED, "False", "BindingsNotRead", "The latest look could not read the RoleBindings"
                + " and ClusterRoleBindings (" + found.problem() + ")"
                + (kept ? ", so unexplainedBindings and unexplained are what an earlier look found, before this condition's"
                        + " lastTransitionTime, and nobody has checked them since" : ", so access the operator did not grant is not known")
                + "; the operator looks again every " + StartupWait.inWords(unexplained.every));
    }

    /** Compared as JSON: the API classes are plain data without equals. */
    private static boolean sameInForce(PolicyInForce a, PolicyInForce b) {
        return a == null || b == null ? a == b : Serialization.asJson(a).equals(Serialization.asJson(b));
    }

    /** The status of the policy's Valid condition as last written ("True", "False"), or null. */
    static String validity(AccessPolicy policy) {
        if (policy.getStatus() == null || policy.getStatus().conditions == null) {
            return null;
        }
        return policy.getStatus().conditions.stream().filter(c -> VALID.equals(c.type)).map(c -> c.status).findFirst().orElse(null);
    }
}

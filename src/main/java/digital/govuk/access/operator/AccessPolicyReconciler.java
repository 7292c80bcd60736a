package digital.govuk.access.operator;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.AccessPolicyStatus;
import digital.govuk.access.api.v1alpha1.Condition;
import digital.govuk.access.rules.PolicyReader;
import digital.govuk.access.status.PolicyState;
import digital.govuk.access.status.StatusBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

/**
 * Tells each AccessPolicy whether it is used and valid. Only the one named {@code default} is used; the
 * EngineerAccess reconciler reads it (and re-reconciles every engineer when its spec, or its validity, changes).
 * A policy that names a ClusterRole the operator may not bind is invalid; that is asked again every
 * {@link BindRights#NO_FOR}, so fixing the operator's rights is noticed without editing the policy.
 */
@ControllerConfiguration(name = AccessPolicyReconciler.NAME)
public class AccessPolicyReconciler implements Reconciler<AccessPolicy> {
    public static final String NAME = "accesspolicy";
    static final String VALID = "Valid";

    private final Clock clock;
    private final BindRights bindRights;

    public AccessPolicyReconciler(Clock clock, BindRights bindRights) {
        this.clock = clock;
        this.bindRights = bindRights;
    }

    @Override
    public UpdateControl<AccessPolicy> reconcile(AccessPolicy policy, Context<AccessPolicy> context) {
        AccessPolicyStatus status = new AccessPolicyStatus();
        status.observedGeneration = policy.getMetadata().getGeneration();
        List<Condition> conditions = new ArrayList<>();
        boolean askAgain = false;
        if (!AccessPolicy.DEFAULT_NAME.equals(policy.getMetadata().getName())) {
            conditions.add(new Condition("Active", "False", "NotDefault",
                    "Ignored: the operator only uses the AccessPolicy named default"));
        } else {
            PolicyState state = bindRights.check(PolicyState.of(PolicyReader.read(policy.getSpec())));
            conditions.add(new Condition("Active", "True", "Default", "The operator uses this policy"));
            if (state.valid()) {
                conditions.add(new Condition(VALID, "True", "Valid", "The policy is valid"));
            } else {
                List<String> problems = state.problems().stream().map(Object::toString).toList();
                status.problems.addAll(StatusBuilder.listed(problems, StatusBuilder.STATUS_LISTS));
                conditions.add(new Condition(VALID, "False", "InvalidPolicy",
                        "Access is frozen until this is fixed: " + StatusBuilder.summary(problems)));
                askAgain = BindRights.refused(state);
            }
        }
        AccessPolicyStatus previous = policy.getStatus();
        status.conditions = StatusBuilder.stamp(conditions, previous == null ? null : previous.conditions,
                status.observedGeneration, clock.instant());
        if (previous == null || !Objects.equals(previous.observedGeneration, status.observedGeneration)
                || !Objects.equals(previous.conditions, status.conditions) || !Objects.equals(previous.problems, status.problems)) {
            StatusWrites.replace(policy, status, context, AccessPolicy::new);
        }
        UpdateControl<AccessPolicy> done = UpdateControl.noUpdate();
        return askAgain ? done.rescheduleAfter(BindRights.NO_FOR.toMillis()) : done;
    }

    /** The status of the policy's Valid condition as last written ("True", "False"), or null. */
    static String validity(AccessPolicy policy) {
        if (policy.getStatus() == null || policy.getStatus().conditions == null) {
            return null;
        }
        return policy.getStatus().conditions.stream().filter(c -> VALID.equals(c.type)).map(c -> c.status).findFirst().orElse(null);
    }
}

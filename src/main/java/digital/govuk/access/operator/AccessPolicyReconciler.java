package digital.govuk.access.operator;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.AccessPolicyStatus;
import digital.govuk.access.api.v1alpha1.Condition;
import digital.govuk.access.rules.PolicyReader;
import digital.govuk.access.status.StatusBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

/**
 * Tells each AccessPolicy whether it is used and valid. Only the one named {@code default} is used; the
 * EngineerAccess reconciler reads it (and re-reconciles every engineer when it changes).
 */
@ControllerConfiguration(name = AccessPolicyReconciler.NAME)
public class AccessPolicyReconciler implements Reconciler<AccessPolicy> {
    public static final String NAME = "accesspolicy";

    private final Clock clock;

    public AccessPolicyReconciler(Clock clock) {
        this.clock = clock;
    }

    @Override
    public UpdateControl<AccessPolicy> reconcile(AccessPolicy policy, Context<AccessPolicy> context) {
        AccessPolicyStatus status = new AccessPolicyStatus();
        status.observedGeneration = policy.getMetadata().getGeneration();
        List<Condition> conditions = new ArrayList<>();
        if (!AccessPolicy.DEFAULT_NAME.equals(policy.getMetadata().getName())) {
            conditions.add(new Condition("Active", "False", "NotDefault",
                    "Ignored: the operator only uses the AccessPolicy named default"));
        } else {
            PolicyReader.Result read = PolicyReader.read(policy.getSpec());
            conditions.add(new Condition("Active", "True", "Default", "The operator uses this policy"));
            if (read.valid()) {
                conditions.add(new Condition("Valid", "True", "Valid", "The policy is valid"));
            } else {
                List<String> problems = read.problems().stream().map(Object::toString).toList();
                status.problems.addAll(StatusBuilder.listed(problems, StatusBuilder.STATUS_LISTS));
                conditions.add(new Condition("Valid", "False", "InvalidPolicy",
                        "Access is frozen until this is fixed: " + StatusBuilder.summary(problems)));
            }
        }
        AccessPolicyStatus previous = policy.getStatus();
        status.conditions = StatusBuilder.stamp(conditions, previous == null ? null : previous.conditions,
                status.observedGeneration, clock.instant());
        if (previous == null || !Objects.equals(previous.observedGeneration, status.observedGeneration)
                || !Objects.equals(previous.conditions, status.conditions) || !Objects.equals(previous.problems, status.problems)) {
            StatusWrites.replace(policy, status, context, AccessPolicy::new);
        }
        return UpdateControl.noUpdate();
    }
}

package digital.govuk.access.operator;

import java.util.ArrayList;
import java.util.List;

import digital.govuk.access.api.UnknownFields;
import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.PolicyInForce;
import digital.govuk.access.rules.EffectivePolicy;
import digital.govuk.access.rules.PolicyReader;
import digital.govuk.access.rules.Problem;
import digital.govuk.access.status.PolicyState;

/**
 * The AccessPolicy as the operator uses it. A valid policy is used as written. An invalid one (a wrong value, or a
 * field this operator does not know) does not stop decisions: the last valid policy, recorded in the AccessPolicy's
 * status ({@code status.inForce}) so that a restart finds it, stays in force, and revocations, expiries and long
 * absences still apply. Only when no valid policy was ever recorded is access frozen.
 */
final class Policies {
    private Policies() {
    }

    static PolicyState state(AccessPolicy policy) {
        PolicyReader.Result read = PolicyReader.read(policy.getSpec());
        List<Problem> problems = new ArrayList<>(read.problems());
        UnknownFields.of(policy).forEach(field -> problems.add(new Problem(field, UnknownFields.MESSAGE)));
        if (problems.isEmpty()) {
            return PolicyState.of(read);
        }
        PolicyInForce last = policy.getStatus() == null ? null : policy.getStatus().inForce;
        EffectivePolicy lastPolicy = last == null || last.spec == null ? null : PolicyReader.read(last.spec).policy();
        return PolicyState.invalid(problems, lastPolicy, last == null ? null : last.generation);
    }
}

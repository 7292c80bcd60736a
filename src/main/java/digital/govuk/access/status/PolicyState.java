package digital.govuk.access.status;

import java.util.List;

import digital.govuk.access.rules.EffectivePolicy;
import digital.govuk.access.rules.PolicyReader;
import digital.govuk.access.rules.Problem;

/**
 * The policy in force: the AccessPolicy named default, or the built-in defaults when there is none.
 *
 * @param policy   the checked policy; null when the AccessPolicy is invalid
 * @param problems why it is invalid
 * @param builtIn  true when no AccessPolicy named default exists
 */
public record PolicyState(EffectivePolicy policy, List<Problem> problems, boolean builtIn) {

    public static PolicyState builtInDefaults() {
        return new PolicyState(EffectivePolicy.defaults(), List.of(), true);
    }

    public static PolicyState of(PolicyReader.Result read) {
        return new PolicyState(read.policy(), read.problems(), false);
    }

    public boolean valid() {
        return policy != null;
    }
}

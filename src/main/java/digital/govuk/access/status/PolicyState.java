package digital.govuk.access.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import digital.govuk.access.rules.EffectivePolicy;
import digital.govuk.access.rules.PolicyReader;
import digital.govuk.access.rules.Problem;

/**
 * The policy in force, and what is wrong with the AccessPolicy as written.
 *
 * @param policy     the policy decisions are made with: the AccessPolicy named default when it is valid, the last
 *                   valid one when it is not ({@code inForce} names its generation), the built-in defaults when there
 *                   is no AccessPolicy; null when no valid policy was ever recorded (access is then frozen)
 * @param problems   why the AccessPolicy as written is invalid
 * @param builtIn    true when no AccessPolicy named default exists
 * @param inForce    the generation of the last valid AccessPolicy, when it stands in for an invalid one; else null
 * @param unbindable the ClusterRoles the operator may not bind, each with the problem to show: no new binding to
 *                   them is made, and none is removed for that reason
 * @param grantsWithheld true when the last valid policy in force may be older than a valid edit that was never
 *                   recorded: it then only takes access away (decision 73)
 */
public record PolicyState(EffectivePolicy policy, List<Problem> problems, boolean builtIn, Long inForce,
        Map<String, Problem> unbindable, boolean grantsWithheld) {

    public static PolicyState builtInDefaults() {
        return new PolicyState(EffectivePolicy.defaults(), List.of(), true, null, Map.of(), false);
    }

    public static PolicyState of(PolicyReader.Result read) {
        return new PolicyState(read.policy(), read.problems(), false, null, Map.of(), false);
    }

    /** An invalid AccessPolicy, with the last valid one (of {@code generation}) in force, or none. */
    public static PolicyState invalid(List<Problem> problems, EffectivePolicy last, Long generation) {
        return invalid(problems, last, generation, false);
    }

    /**
     * The same, where {@code grantsWithheld} says the last valid one may be older than a valid edit that was never
     * recorded, so it only takes access away.
     */
    public static PolicyState invalid(List<Problem> problems, EffectivePolicy last, Long generation, boolean grantsWithheld) {
        return new PolicyState(last, List.copyOf(problems), false, last == null ? null : generation, Map.of(),
                last != null && grantsWithheld);
    }

    /** The same, with these ClusterRoles the operator may not bind. */
    public PolicyState withUnbindable(Map<String, Problem> roles) {
        return new PolicyState(policy, problems, builtIn, inForce, Map.copyOf(roles), grantsWithheld);
    }

    /** The AccessPolicy as written is valid, and the operator may bind every role it names. */
    public boolean valid() {
        return problems.isEmpty() && unbindable.isEmpty();
    }

    /** A policy is in force: decisions are made. False only when no valid policy was ever recorded. */
    public boolean usable() {
        return policy != null;
    }

    /** Every problem to show: the policy's own, then the roles the operator may not bind. */
    public List<Problem> allProblems() {
        List<Problem> all = new ArrayList<>(problems);
        all.addAll(unbindable.values());
        return all;
    }
}

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
 *                   valid one when it is not ({@code inForce} names its generation), or when it was deleted and this
 *                   process knew it; null when no valid policy is known (access is then frozen)
 * @param problems   why the AccessPolicy as written is invalid, or {@link #NO_POLICY} when there is none
 * @param builtIn    true when no AccessPolicy named default exists: the operator grants nothing (decision 76); a plan
 *                   from files assumes the built-in defaults
 * @param inForce    the generation of the last valid AccessPolicy, when it stands in for an invalid one; else null
 * @param unbindable the ClusterRoles the operator may not bind, each with the problem to show: no new binding to
 *                   them is made, and none is removed for that reason
 * @param grantsWithheld true when the last valid policy in force may be older than a valid edit that was never
 *                   recorded: it then only takes access away (decision 73)
 */
public record PolicyState(EffectivePolicy policy, List<Problem> problems, boolean builtIn, Long inForce,
        Map<String, Problem> unbindable, boolean grantsWithheld) {

    /**
     * The built-in defaults, for {@code plan} from files that hold no AccessPolicy named default: a what-if, since
     * the files may leave the cluster's policy out. The operator never decides with them (decision 76).
     */
    public static PolicyState builtInDefaults() {
        return new PolicyState(EffectivePolicy.defaults(), List.of(), true, null, Map.of(), false);
    }

    /** Why nothing is granted while no AccessPolicy named default exists (decision 76). */
    public static final Problem NO_POLICY = new Problem("AccessPolicy default", "there is none");

    /**
     * No AccessPolicy named default: nothing is granted (decision 76). The last valid policy of one this process saw
     * deleted stays in force and only takes access away; with none known, access is frozen.
     *
     * @param lastKnown  the last valid policy of the deleted AccessPolicy, or null
     * @param generation its generation
     */
    public static PolicyState absent(EffectivePolicy lastKnown, Long generation) {
        return new PolicyState(lastKnown, List.of(NO_POLICY), true, lastKnown == null ? null : generation, Map.of(),
                lastKnown != null);
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

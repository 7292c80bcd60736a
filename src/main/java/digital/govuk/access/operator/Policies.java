package digital.govuk.access.operator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Singleton;

import digital.govuk.access.api.UnknownFields;
import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.AccessPolicySpec;
import digital.govuk.access.api.v1alpha1.PolicyInForce;
import digital.govuk.access.rules.EffectivePolicy;
import digital.govuk.access.rules.PolicyReader;
import digital.govuk.access.rules.Problem;
import digital.govuk.access.status.PolicyState;

/**
 * The AccessPolicy as the operator uses it. A valid policy is used as written. An invalid one (a wrong value, or a
 * field this operator does not know) does not stop decisions: the last valid policy stays in force, and revocations,
 * expiries and long absences still apply. Only when no valid policy was ever recorded is access frozen.
 * <p>
 * The last valid policy is the one recorded in the AccessPolicy's status ({@code status.inForce}), so that a restart
 * finds it, or a newer valid generation of the same AccessPolicy that this process saw and has not yet recorded
 * (decision 44): a valid edit is in force at once, before its record is written, so an invalid edit close behind it,
 * or one that follows while the status cannot be written, must not bring back the older policy, and with it access
 * the valid edit took away.
 * <p>
 * After a restart, the record can be older than a valid edit an earlier process used but never recorded (its status
 * could not be written). When generations came between the last one recorded and the current invalid one that no one
 * recorded or this process saw, one of them may have been valid and taken access away, so the recorded policy then only
 * takes access away until the policy is valid again (decision 73), and says so in the record.
 * <p>
 * With no AccessPolicy named default nothing is granted (decision 76): its absence is no rule, and the built-in
 * defaults may be looser than the organisation's. When this process saw the AccessPolicy before it was deleted, the
 * policy in force then stays in force and only takes access away; otherwise (a restart, a cluster that never had one)
 * access is frozen.
 */
@Singleton
public class Policies {
    /** A valid generation of the AccessPolicy this process saw. */
    private record Seen(String uid, long generation, AccessPolicySpec spec) {
    }

    /** The newest generation of the AccessPolicy this process saw, valid or not, and the one before it. */
    private record Observed(String uid, long latest, Long previous) {
    }

    /** The policy in force for the newest generation of the AccessPolicy this process decided with (null: frozen). */
    private record InForce(String uid, long generation, EffectivePolicy policy, Long policyGeneration) {
    }

    private final AtomicReference<Seen> newestValid = new AtomicReference<>();
    private final AtomicReference<Observed> observed = new AtomicReference<>();
    private final AtomicReference<InForce> lastInForce = new AtomicReference<>();

    PolicyState state(AccessPolicy policy) {
        Long seenBefore = observe(policy);
        PolicyReader.Result read = PolicyReader.read(policy.getSpec());
        List<Problem> problems = new ArrayList<>(read.problems());
        UnknownFields.of(policy).forEach(field -> problems.add(new Problem(field, UnknownFields.MESSAGE)));
        if (problems.isEmpty()) {
            saw(policy);
            inForce(policy, read.policy(), policy.getMetadata().getGeneration());
            return PolicyState.of(read);
        }
        PolicyInForce last = lastValid(policy);
        EffectivePolicy lastPolicy = last == null || last.spec == null ? null : PolicyReader.read(last.spec).policy();
        inForce(policy, lastPolicy, last == null ? null : last.generation);
        return PolicyState.invalid(problems, lastPolicy, last == null ? null : last.generation,
                last != null && mayMissAValidEdit(policy, last, seenBefore));
    }

    /**
     * The policy while no AccessPolicy named default exists: the one in force for the last AccessPolicy this process
     * saw, which then only takes access away, or none (access frozen) when it saw none (decision 76).
     */
    PolicyState absent() {
        InForce last = lastInForce.get();
        return last == null ? PolicyState.absent(null, null) : PolicyState.absent(last.policy(), last.policyGeneration());
    }

    /** Remembers the policy in force for this generation of the AccessPolicy, unless a newer one is known. */
    private void inForce(AccessPolicy policy, EffectivePolicy inForce, Long policyGeneration) {
        String uid = policy.getMetadata().getUid();
        Long generation = policy.getMetadata().getGeneration();
        if (uid == null || generation == null) {
            return;
        }
        InForce now = new InForce(uid, generation, inForce, policyGeneration);
        lastInForce.accumulateAndGet(now, (before, next) -> before == null || !before.uid().equals(next.uid())
                || next.generation() >= before.generation() ? next : before);
    }

    /**
     * Whether a generation between the last valid one in force and the current, invalid one may have been valid and
     * in force without a record: none of them was recorded as observed, nor seen by this process. A record that says
     * so already (an earlier process found the same) stays so until a valid generation replaces it.
     */
    private static boolean mayMissAValidEdit(AccessPolicy policy, PolicyInForce last, Long seenBefore) {
        Long current = policy.getMetadata().getGeneration();
        if (Boolean.TRUE.equals(last.grantsWithheld)) {
            return true;
        }
        if (current == null || last.generation == null) {
            return false;
        }
        long known = last.generation;
        if (policy.getStatus() != null && policy.getStatus().observedGeneration != null) {
            known = Math.max(known, policy.getStatus().observedGeneration);
        }
        if (seenBefore != null) {
            known = Math.max(known, seenBefore);
        }
        return known < current - 1;
    }

    /** Notes this generation as seen, and returns the newest generation of the same AccessPolicy seen before it, or null. */
    private Long observe(AccessPolicy policy) {
        String uid = policy.getMetadata().getUid();
        Long generation = policy.getMetadata().getGeneration();
        if (uid == null || generation == null) {
            return null;
        }
        Observed before = observed.getAndUpdate(o -> o == null || !o.uid().equals(uid) ? new Observed(uid, generation, null)
                : generation > o.latest() ? new Observed(uid, generation, o.latest()) : o);
        if (before == null || !before.uid().equals(uid)) {
            return null;
        }
        return before.latest() < generation ? Long.valueOf(before.latest()) : before.latest() == generation ? before.previous() : null;
    }

    /**
     * The valid policy that stands in for this one while it is invalid: the newer of the one its status records and
     * the last valid generation of it this process saw; null when there is neither.
     */
    PolicyInForce lastValid(AccessPolicy policy) {
        PolicyInForce recorded = policy.getStatus() == null ? null : policy.getStatus().inForce;
        Seen seen = newestValid.get();
        Long current = policy.getMetadata().getGeneration();
        boolean seenIsNewer = seen != null && seen.uid().equals(policy.getMetadata().getUid())
                && (current == null || seen.generation() < current)
                && (recorded == null || recorded.generation == null || seen.generation() > recorded.generation);
        return seenIsNewer ? new PolicyInForce(seen.generation(), seen.spec()) : recorded;
    }

    /** Remembers a valid generation: the newest of each AccessPolicy (one created again starts afresh). */
    private void saw(AccessPolicy policy) {
        String uid = policy.getMetadata().getUid();
        Long generation = policy.getMetadata().getGeneration();
        if (uid == null || generation == null) {
            return;
        }
        Seen now = new Seen(uid, generation, policy.getSpec());
        newestValid.accumulateAndGet(now, (before, next) -> before == null || !before.uid().equals(next.uid())
                || next.generation() >= before.generation() ? next : before);
    }
}

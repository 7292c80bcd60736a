package digital.govuk.access.status;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import digital.govuk.access.api.v1alpha1.BindingStatus;
import digital.govuk.access.api.v1alpha1.Condition;
import digital.govuk.access.api.v1alpha1.EngineerAccessStatus;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.api.v1alpha1.RotaStatus;
import digital.govuk.access.api.v1alpha1.Unmet;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.rules.Decision;
import digital.govuk.access.rules.Problem;
import digital.govuk.access.rules.Values;

/**
 * Builds an EngineerAccess status from a decision and the bindings that exist. Pure: the operator and
 * the {@code plan} command both call it, so {@code plan -o json} prints what the operator writes.
 * Conditions keep their lastTransitionTime unless their status changes.
 */
public final class StatusBuilder {
    public static final String READY = "Ready";
    public static final String DEPLOY_ACCESS = "DeployAccess";
    public static final String ADMIN_ACCESS = "AdminAccess";
    public static final String REVOKED = "Revoked";
    public static final String SPEC_VALID = "SpecValid";
    public static final String POLICY_VALID = "PolicyValid";
    public static final String ROTA_ORDER = "RotaOrder";
    /** A condition message lists at most this many problems, then says how many more there are. */
    public static final int MESSAGE_LISTS = 3;
    /** The AccessPolicy's {@code status.problems} lists at most this many problems, then how many more. */
    public static final int STATUS_LISTS = 20;

    private StatusBuilder() {
    }

    /**
     * The status for a valid policy.
     *
     * @param bindings   the managed bindings that exist now
     * @param notInSync  why the bindings are not what the decision asks for (after a failed write, or a name taken
     *                   by a binding that is not ours): the Ready condition's reason and message; null when they are
     * @param previous   the status written before, for lastTransitionTime; may be null
     */
    public static EngineerAccessStatus build(Decision d, PolicyState policy, List<BindingStatus> bindings, Condition notInSync,
            EngineerAccessStatus previous, Long generation, Instant now) {
        EngineerAccessStatus s = new EngineerAccessStatus();
        s.observedGeneration = generation;
        s.level = d.level();
        s.supervised = d.supervised();
        s.accessExpiryTime = format(d.accessExpiryTime());
        s.nextTransitionTime = format(d.nextTransitionTime());
        s.unmet = new ArrayList<>(d.unmet());
        s.unmetCount = s.unmet.size();
        s.exceptions = new ArrayList<>(d.exceptions());
        s.rota = d.rota();
        s.bindings = sorted(bindings);

        List<Condition> conditions = new ArrayList<>();
        if (!d.specValid()) {
            String problems = join(d.problems());
            conditions.add(new Condition(READY, "False", "SpecInvalid", "The spec is invalid, so no access is granted: " + problems));
            conditions.add(new Condition(DEPLOY_ACCESS, "False", "SpecInvalid", "No access from an invalid spec"));
            conditions.add(new Condition(ADMIN_ACCESS, "False", "SpecInvalid", "No access from an invalid spec"));
            conditions.add(new Condition(REVOKED, "False", "NotRevoked", "No long absence revokes access"));
            conditions.add(specCondition(d));
        } else {
            conditions.add(notInSync == null
                    ? new Condition(READY, "True", "Reconciled", summary(d, s.bindings))
                    : new Condition(READY, "False", notInSync.reason, notInSync.message));
            conditions.add(deployCondition(d));
            conditions.add(adminCondition(d));
            conditions.add(d.revoked()
                    ? new Condition(REVOKED, "True", "LongAbsence", messageOf(d.unmet(), Level.Deploy, "LongAbsence"))
                    : new Condition(REVOKED, "False", "NotRevoked", "No long absence revokes access"));
            conditions.add(specCondition(d));
        }
        conditions.add(policyCondition(policy));
        conditions.add(d.rotaOrderProblems().isEmpty()
                ? new Condition(ROTA_ORDER, "True", "InOrder", "No Primary or OnCall shift started before the engineer was eligible")
                : new Condition(ROTA_ORDER, "False", "ShiftBeforeEligible", summary(d.rotaOrderProblems())));
        s.conditions = stamp(conditions, previous, generation, now);
        return s;
    }

    /**
     * The status while no valid AccessPolicy was ever recorded: the operator grants nothing new, and access ends only
     * at its expiry or when no policy could grant it (decision 78). The level shown is what the bindings give.
     */
    public static EngineerAccessStatus withInvalidPolicy(PolicyState policy, List<BindingStatus> bindings,
            Instant nextExpiry, EngineerAccessStatus previous, Long generation, Instant now) {
        String reason = policy.builtIn() ? NO_POLICY_REASON : "PolicyInvalid";
        String why = policy.builtIn() ? NO_POLICY + ", so access is frozen until one is created (" + FROZEN_ENDS + ")"
                : "The AccessPolicy default is invalid, so access is frozen (" + FROZEN_ENDS + "): "
                        + join(policy.allProblems());
        return frozen(policy, reason, why, new Condition(SPEC_VALID, "Unknown", reason,
                "The spec cannot be checked without a valid policy"), bindings, nextExpiry, previous, generation, now);
    }

    /** How access ends while it is frozen (decisions 15, 78). */
    public static final String FROZEN_ENDS = "access ends only at its expiry, or when no policy could grant it";

    /** Why nothing is granted while no AccessPolicy named default exists (decision 76). */
    public static final String NO_POLICY_REASON = "NoPolicy";

    /** Said while no AccessPolicy named default exists (decision 76). */
    public static final String NO_POLICY = "There is no AccessPolicy named default";

    /** Said of the deleted AccessPolicy's last policy, which stays in force while there is none (decision 76). */
    private static String lastKnown(PolicyState policy) {
        return NO_POLICY + ", so nothing is granted until one is created. The policy in force before it was deleted"
                + " (generation " + policy.inForce() + ") still takes access away";
    }

    /** Why nothing new is granted while the policy in force may be older than an unrecorded valid edit (decision 73). */
    public static final String GRANTS_WITHHELD_REASON = "GrantsWithheld";

    /** Said of the policy in force while it only takes access away (decision 73). */
    public static final String GRANTS_WITHHELD = ". A later edit of the policy may have been valid and was never recorded (the"
            + " operator was stopped or could not write the AccessPolicy status), so until the policy is valid again this one"
            + " only takes access away: nothing new is granted";

    /**
     * The status while the policy in force only takes access away (decision 73): the bindings shown are those that
     * remain (the ones the decision by that policy still wants, until their expiry), and the level is what they give.
     */
    public static EngineerAccessStatus withGrantsWithheld(Decision d, PolicyState policy, List<BindingStatus> bindings,
            Instant next, EngineerAccessStatus previous, Long generation, Instant now) {
        String why = policy.builtIn() ? lastKnown(policy)
                : "The AccessPolicy default is invalid (" + join(policy.allProblems()) + ")" + GRANTS_WITHHELD;
        return frozen(policy, GRANTS_WITHHELD_REASON, why, specCondition(d), bindings, next, previous, generation, now);
    }

    /** Why an EngineerAccess with fields this operator does not know is refused, and what happens meanwhile. */
    public static final String OPERATOR_OUTDATED = "OperatorOutdated";

    /**
     * The status of an EngineerAccess that has fields this operator does not know (its CRD is newer): nothing new is
     * granted; the bindings shown are those that remain (the ones its known facts still want, until their expiry).
     */
    public static EngineerAccessStatus withUnknownFields(List<Problem> unknown, PolicyState policy, List<BindingStatus> bindings,
            Instant next, EngineerAccessStatus previous, Long generation, Instant now) {
        String problems = join(unknown);
        String why = "This operator is older than the EngineerAccess CRD and must be upgraded: " + problems
                + ". Until then nothing new is granted, and access ends as the facts it knows and the expiries say";
        return frozen(policy, OPERATOR_OUTDATED, why, new Condition(SPEC_VALID, "False", OPERATOR_OUTDATED, problems),
                bindings, next, previous, generation, now);
    }

    private static EngineerAccessStatus frozen(PolicyState policy, String reason, String why, Condition specValid,
            List<BindingStatus> bindings, Instant next, EngineerAccessStatus previous, Long generation, Instant now) {
        EngineerAccessStatus s = new EngineerAccessStatus();
        s.observedGeneration = generation;
        s.bindings = sorted(bindings);
        boolean admin = bindings.stream().anyMatch(b -> b.name.endsWith("-" + ManagedBindings.ADMIN));
        boolean deploy = bindings.stream().anyMatch(b -> b.name.endsWith("-" + ManagedBindings.DEPLOY));
        s.level = admin ? Level.Admin : deploy ? Level.Deploy : Level.None;
        s.supervised = previous != null && admin ? previous.supervised : Boolean.FALSE;
        s.accessExpiryTime = bindings.stream().map(b -> b.expiryTime).filter(e -> e != null).min(Comparator.naturalOrder()).orElse(null);
        s.nextTransitionTime = format(next);
        s.rota = new RotaStatus(0, List.of());
        s.unmetCount = 0;
        List<Condition> conditions = new ArrayList<>();
        conditions.add(new Condition(READY, "False", reason, why));
        conditions.add(new Condition(DEPLOY_ACCESS, deploy ? "True" : "False", reason, why));
        conditions.add(new Condition(ADMIN_ACCESS, admin ? "True" : "False", reason, why));
        conditions.add(new Condition(REVOKED, "Unknown", reason, why));
        conditions.add(specValid);
        conditions.add(policyCondition(policy));
        conditions.add(new Condition(ROTA_ORDER, "Unknown", reason, why));
        s.conditions = stamp(conditions, previous, generation, now);
        return s;
    }

    /** Why an EngineerAccess marked for deletion holds nothing (decision 70). */
    public static final String BEING_DELETED = "BeingDeleted";

    /**
     * The status of an EngineerAccess marked for deletion whose bindings are all gone (decision 70): it holds nothing,
     * and says why. What the last status said of its spec, policy, exceptions and rota order stays; its history is
     * the caller's to add to.
     *
     * @param finalizers what holds the record (its metadata.finalizers)
     */
    public static EngineerAccessStatus beingDeleted(EngineerAccessStatus previous, List<String> finalizers, Long generation, Instant now) {
        EngineerAccessStatus s = new EngineerAccessStatus();
        s.observedGeneration = generation;
        s.level = Level.None;
        s.supervised = Boolean.FALSE;
        s.unmetCount = 0;
        s.exceptions = previous == null || previous.exceptions == null ? new ArrayList<>() : new ArrayList<>(previous.exceptions);
        s.rota = new RotaStatus(previous == null || previous.rota == null || previous.rota.secondaryShiftsCompleted == null ? 0
                : previous.rota.secondaryShiftsCompleted, List.of());
        s.history = previous == null || previous.history == null ? new ArrayList<>() : new ArrayList<>(previous.history);
        String why = "The EngineerAccess is being deleted"
                + (finalizers == null || finalizers.isEmpty() ? "" : " (held by " + String.join(", ", listed(finalizers.stream().map(Values::cut).toList(), MESSAGE_LISTS)) + ")")
                + ", so it grants no access: its RoleBindings are gone";
        List<Condition> conditions = new ArrayList<>();
        conditions.add(new Condition(READY, "False", BEING_DELETED, why));
        conditions.add(new Condition(DEPLOY_ACCESS, "False", BEING_DELETED, why));
        conditions.add(new Condition(ADMIN_ACCESS, "False", BEING_DELETED, why));
        conditions.add(new Condition(REVOKED, "False", BEING_DELETED, why));
        for (String kept : List.of(SPEC_VALID, POLICY_VALID, ROTA_ORDER)) {
            Condition c = condition(previous, kept);
            if (c != null) {
                conditions.add(new Condition(c.type, c.status, c.reason, c.message));
            }
        }
        s.conditions = stamp(conditions, previous, generation, now);
        return s;
    }

    /** The condition of that type in a status, or null. */
    public static Condition condition(EngineerAccessStatus status, String type) {
        return status == null || status.conditions == null ? null
                : status.conditions.stream().filter(c -> type.equals(c.type)).findFirst().orElse(null);
    }

    /** Whether a status already says its EngineerAccess is being deleted (decision 70). */
    public static boolean saysBeingDeleted(EngineerAccessStatus status) {
        Condition ready = condition(status, READY);
        return ready != null && BEING_DELETED.equals(ready.reason);
    }

    /** Whether a status says that access is held: a level above None, or a binding listed. */
    public static boolean holdsAccess(EngineerAccessStatus status) {
        return status != null && ((status.level != null && status.level != Level.None) || (status.bindings != null && !status.bindings.isEmpty()));
    }

    /** The PolicyValid condition: valid, absent (decision 76), or invalid with the policy that stays in force. */
    public static Condition policyCondition(PolicyState policy) {
        if (policy.builtIn() && policy.problems().isEmpty()) {
            return new Condition(POLICY_VALID, "True", "BuiltInDefaults", "No AccessPolicy named default was given: this plan assumes"
                    + " the built-in defaults. Without one in the cluster the operator grants nothing");
        }
        if (policy.builtIn()) {
            return new Condition(POLICY_VALID, "False", NO_POLICY_REASON, policy.usable() ? lastKnown(policy)
                    : NO_POLICY + ", so access is frozen until one is created: nothing new is granted, and " + FROZEN_ENDS);
        }
        if (!policy.valid()) {
            String problems = join(policy.allProblems());
            if (policy.problems().isEmpty()) {
                return new Condition(POLICY_VALID, "False", "RoleNotBindable", problems
                        + ". No new binding to that role is made; none is removed for this reason");
            }
            return new Condition(POLICY_VALID, "False", "InvalidPolicy", policy.inForce() != null
                    ? problems + ". The last valid AccessPolicy (generation " + policy.inForce() + ") stays in force until this is fixed"
                            + (policy.grantsWithheld() ? GRANTS_WITHHELD : "")
                    : problems + ". No valid AccessPolicy was recorded before, so access is frozen until this is fixed: nothing new"
                            + " is granted, and " + FROZEN_ENDS);
        }
        return new Condition(POLICY_VALID, "True", "Valid", "The AccessPolicy default is valid");
    }

    private static Condition specCondition(Decision d) {
        return d.specValid() ? new Condition(SPEC_VALID, "True", "Valid", "The spec is valid")
                : new Condition(SPEC_VALID, "False", specReason(d.problems()), join(d.problems()));
    }

    /** InvalidSpec, or the reason a problem gives that is not about the spec's own values (DuplicateSubject...). */
    static String specReason(List<Problem> problems) {
        return problems.stream().map(Problem::reason).filter(r -> r != null).findFirst().orElse("InvalidSpec");
    }

    private static Condition deployCondition(Decision d) {
        if (d.level() == Level.Deploy || (d.level() == Level.Admin && d.deployOnItsOwn())) {
            return new Condition(DEPLOY_ACCESS, "True", "Granted", "Production Deploy: the deploy rules hold");
        }
        if (d.level() == Level.Admin) {
            return new Condition(DEPLOY_ACCESS, "True", "IncludedInAdmin", "Production Deploy comes with Admin access");
        }
        return new Condition(DEPLOY_ACCESS, "False", reasonOf(d.unmet(), Level.Deploy), messageOf(d.unmet(), Level.Deploy, null));
    }

    private static Condition adminCondition(Decision d) {
        if (d.level() == Level.Admin) {
            if (d.earnedAdmin()) {
                return d.supervised()
                        ? new Condition(ADMIN_ACCESS, "True", "AdminShadowShift", "Production Admin, supervised during the AdminShadow shift")
                        : new Condition(ADMIN_ACCESS, "True", "Earned", "Production Admin, earned through Technical 2nd Line");
            }
            return new Condition(ADMIN_ACCESS, "True", "Exception", "Production Admin by exception, supervised, until "
                    + format(d.accessExpiryTime()));
        }
        return new Condition(ADMIN_ACCESS, "False", reasonOf(d.unmet(), Level.Admin), messageOf(d.unmet(), Level.Admin, null));
    }

    private static String reasonOf(List<Unmet> unmet, Level level) {
        return unmet.stream().filter(u -> u.level == level).map(u -> u.code.name()).findFirst().orElse("NotGranted");
    }

    private static String messageOf(List<Unmet> unmet, Level level, String code) {
        return summary(unmet.stream().filter(u -> u.level == level && (code == null || u.code.name().equals(code)))
                .map(u -> u.message).toList());
    }

    private static String summary(Decision d, List<BindingStatus> bindings) {
        String level = switch (d.level()) {
            case None -> "No production access";
            case Deploy -> "Production Deploy";
            case Admin -> d.supervised() ? "Production Admin (supervised)" : "Production Admin";
        };
        return level + " with " + bindings.size() + (bindings.size() == 1 ? " RoleBinding" : " RoleBindings");
    }

    /**
     * Sets lastTransitionTime (kept from the previous conditions unless the status changed) and observedGeneration.
     */
    static List<Condition> stamp(List<Condition> conditions, EngineerAccessStatus previous, Long generation, Instant now) {
        return stamp(conditions, previous == null ? null : previous.conditions, generation, now);
    }

    public static List<Condition> stamp(List<Condition> conditions, List<Condition> previous, Long generation, Instant now) {
        for (Condition c : conditions) {
            Condition before = previous == null ? null
                    : previous.stream().filter(p -> c.type.equals(p.type)).findFirst().orElse(null);
            c.lastTransitionTime = before != null && c.status.equals(before.status) && before.lastTransitionTime != null
                    ? before.lastTransitionTime
                    : shown(now);
            c.observedGeneration = generation;
        }
        return conditions;
    }

    private static List<BindingStatus> sorted(List<BindingStatus> bindings) {
        List<BindingStatus> list = new ArrayList<>(bindings);
        list.sort(Comparator.comparing((BindingStatus b) -> b.namespace).thenComparing(b -> b.name));
        return list;
    }

    private static String join(List<Problem> problems) {
        return summary(problems.stream().map(Problem::toString).toList());
    }

    /**
     * Many problems in one message that stays readable and bounded: the first {@value #MESSAGE_LISTS},
     * then "and N more". This is the one place condition messages are cut; Events repeat them.
     */
    public static String summary(List<String> parts) {
        return String.join("; ", listed(parts, MESSAGE_LISTS));
    }

    /** The first {@code max} entries, and a last one saying how many more there are. */
    public static List<String> listed(List<String> parts, int max) {
        if (parts.size() <= max) {
            return parts;
        }
        List<String> shown = new ArrayList<>(parts.subList(0, max));
        shown.add("and " + (parts.size() - max) + " more");
        return shown;
    }

    /** Instants in status: RFC 3339 in UTC, whole seconds unless the fact had a fraction. */
    public static String format(Instant t) {
        return t == null ? null : t.toString();
    }

    /**
     * An instant as people read it, in whole seconds as Kubernetes shows times (2026-12-02T17:15:57Z, never
     * 2026-12-02T17:15:57.874771078Z): Events, history, conditions, and the CLI's headings. Times the operator
     * acts on (expiries, the next transition) keep their exact value.
     */
    public static String shown(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}

package digital.govuk.access.operator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import digital.govuk.access.api.v1alpha1.AccessStage;
import digital.govuk.access.api.v1alpha1.AccessTransition;
import digital.govuk.access.api.v1alpha1.BindingStatus;
import digital.govuk.access.api.v1alpha1.Condition;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.EngineerAccessSpec;
import digital.govuk.access.api.v1alpha1.EngineerAccessStatus;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.bindings.BindingDiff;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.operator.runtime.AccessMetrics;
import digital.govuk.access.rules.AccessFlow;
import digital.govuk.access.rules.Decision;
import digital.govuk.access.rules.Values;
import digital.govuk.access.status.StatusBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * What the operator says about a reconciliation: the Events and log lines for grants, revocations,
 * expiries, repairs, rejections and problems, the entry of status.history for each change of access, the
 * Ready condition when bindings could not be applied, and the metrics that count them. All wording lives
 * here; {@link Audit} writes Events and log lines, and the reconciler writes the history with the status.
 */
@ApplicationScoped
public class AccessEvents {
    private static final Logger LOG = Logger.getLogger(AccessEvents.class);
    static final String BINDING_NAME_CONFLICT = "BindingNameConflict";
    static final String BINDINGS_NOT_APPLIED = "BindingsNotApplied";

    private final Audit audit;
    private final AccessMetrics metrics;
    /** The failure last said for each engineer whose reconciliation has not finished since (decision 29). */
    private final Map<String, String> saidFailures = new ConcurrentHashMap<>();

    public AccessEvents(Audit audit, AccessMetrics metrics) {
        this.audit = audit;
        this.metrics = metrics;
    }

    /** The Ready condition for bindings that could not all be applied; null when they were. */
    static Condition notInSync(BindingWriter.Result result) {
        if (result.complete()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (BindingWriter.Conflict c : result.conflicts()) {
            parts.add(conflict(c));
        }
        parts.addAll(result.failures());
        String reason = result.conflicts().isEmpty() ? BINDINGS_NOT_APPLIED : BINDING_NAME_CONFLICT;
        String retry = result.conflicts().isEmpty() ? "; the operator tries again by itself" : "";
        return new Condition(StatusBuilder.READY, "False", reason, String.join("; ", parts) + retry);
    }

    static String conflict(BindingWriter.Conflict c) {
        return "RoleBinding " + c.name() + " in namespace " + c.namespace() + " already exists and was not made by the operator"
                + " for this EngineerAccess, so it was left alone and " + c.clusterRole() + " was not granted in " + c.namespace()
                + ". Remove or rename that RoleBinding and the operator grants the access by itself";
    }

    /**
     * Records what changed between the previous status and this one, and what was done to the bindings; returns
     * the status.history to write with this status: the previous one, and this change of access if there is one,
     * at most {@value EngineerAccessStatus#HISTORY} entries.
     */
    List<AccessTransition> record(EngineerAccess ea, Decision decision, EngineerAccessStatus previous, EngineerAccessStatus status,
            BindingWriter.Result result, PassedThrough through, Instant now) {
        String level = String.valueOf(status.level);
        Set<String> before = previous == null || previous.bindings == null ? Set.of()
                : previous.bindings.stream().map(b -> b.namespace + "/" + b.name).collect(Collectors.toSet());
        List<RoleBinding> granted = result.created().stream().filter(rb -> !before.contains(BindingDiff.key(rb))).toList();
        List<RoleBinding> restored = new ArrayList<>(result.repaired());
        result.created().stream().filter(rb -> before.contains(BindingDiff.key(rb))).forEach(restored::add);
        if (!granted.isEmpty()) {
            audit.record(ea, "AccessGranted", false, level, namespacesOf(granted), "Granted " + describe(granted)
                    + " (" + StatusBuilder.shown(now) + ")" + (Boolean.TRUE.equals(status.supervised) ? "; Admin must be used under supervision" : ""));
        }
        if (!restored.isEmpty()) {
            audit.record(ea, "BindingRestored", true, level, namespacesOf(restored),
                    "Restored " + describe(restored) + " after it was changed or deleted outside the operator");
        }
        List<RoleBinding> expired = result.deleted().stream().filter(rb -> {
            Instant expiry = BindingDiff.expiryOf(rb);
            return expiry != null && !expiry.isAfter(now);
        }).toList();
        List<RoleBinding> revoked = result.deleted().stream().filter(rb -> !expired.contains(rb)).toList();
        if (!expired.isEmpty()) {
            audit.record(ea, "AccessExpired", false, level, namespacesOf(expired),
                    "Time-limited access ended: removed " + describe(expired));
        }
        if (!revoked.isEmpty()) {
            String reason = decision != null && decision.specValid() && decision.revoked() ? "AccessRevokedLongAbsence" : "AccessRevoked";
            String why = revoked.stream().map(rb -> rb.getRoleRef().getName() + " in " + rb.getMetadata().getNamespace()
                    + " (" + whyRemoved(rb, decision) + ")").collect(Collectors.joining("; "));
            audit.record(ea, reason, true, level, namespacesOf(revoked), "Removed " + why);
            metrics.revoked(reason, revoked.size());
        }
        metrics.granted("AccessGranted", granted.size());
        metrics.granted("BindingRestored", restored.size());
        metrics.expired("AccessExpired", expired.size());
        recordLateness(previous, granted, expired, revoked, result, now);
        if (becameFalse(previous, status, StatusBuilder.SPEC_VALID)) {
            Condition specValid = StatusBuilder.condition(status, StatusBuilder.SPEC_VALID);
            audit.record(ea, "SpecInvalid", true, level, "-", StatusBuilder.OPERATOR_OUTDATED.equals(specValid.reason)
                    ? StatusBuilder.condition(status, StatusBuilder.READY).message
                    : "The spec is invalid, so no access is granted: " + specValid.message);
        }
        if (becameFalse(previous, status, StatusBuilder.POLICY_VALID)) {
            audit.record(ea, "PolicyInvalid", true, level, "-", StatusBuilder.condition(status, StatusBuilder.POLICY_VALID).message);
        }
        for (var e : status.exceptions) {
            if (e.reason == null) {
                continue;
            }
            boolean same = previous != null && previous.exceptions != null && previous.exceptions.stream()
                    .anyMatch(p -> Objects.equals(p.index, e.index) && p.state == e.state && p.reason == e.reason);
            if (!same) {
                audit.record(ea, "ExceptionRejected", true, level, "-",
                        "Exception " + e.index + " rejected (" + e.reason + "): " + e.message);
            }
        }
        recordProblems(ea, previous, result, level);
        EngineerAccessStatus recorded = passedThrough(previous, through, now);
        if (!result.complete()) {
            // The change of access is recorded once the binding changes it describes are all accepted: the retry
            // that applies them records it then. A stage passed through was held all the same.
            return new ArrayList<>(historyOf(recorded));
        }
        return history(ea, decision, recorded, status, now);
    }

    /**
     * A stage of access held for a moment within one reconciliation: a grant at its instant, on the copy read ahead,
     * undone by the same reconciliation once the read after it showed the facts withdrawn (decision 79). {@code spec}
     * and {@code decision} are those it was granted on; its writes were all accepted.
     */
    record PassedThrough(EngineerAccessSpec spec, Decision decision) {
    }

    /** Logs the changes of access that this status adds to status.history, once the status is written. */
    void written(EngineerAccess ea, EngineerAccessStatus previous, EngineerAccessStatus status) {
        String namespaces = status.bindings == null || status.bindings.isEmpty() ? "-"
                : status.bindings.stream().map(b -> b.namespace).distinct().sorted().collect(Collectors.joining(","));
        for (AccessTransition t : addedSince(previous, status)) {
            LOG.infof("engineer=%s level=%s namespaces=%s reason=%s fact=%s message=\"%s\"", ea.getMetadata().getName(), t.toLevel.name(),
                    namespaces, t.reason, t.fact == null ? "-" : t.fact, t.message);
        }
    }

    /** The entries of status.history after the last one {@code previous} held (all of them when it held none). */
    static List<AccessTransition> addedSince(EngineerAccessStatus previous, EngineerAccessStatus status) {
        List<AccessTransition> history = historyOf(status);
        AccessTransition last = last(previous);
        if (last == null) {
            return history;
        }
        String json = Serialization.asJson(last);
        for (int i = history.size() - 1; i >= 0; i--) {
            if (json.equals(Serialization.asJson(history.get(i)))) {
                return history.subList(i + 1, history.size());
            }
        }
        return history;
    }

    private static AccessTransition last(EngineerAccessStatus status) {
        List<AccessTransition> history = historyOf(status);
        return history.isEmpty() ? null : history.get(history.size() - 1);
    }

    /** The status.history of {@code status}, empty when there is no status or no history yet. */
    private static List<AccessTransition> historyOf(EngineerAccessStatus status) {
        return status == null || status.history == null ? List.of() : status.history;
    }

    /**
     * The history with this reconciliation's change of access, if any (from None when there was no status yet); its
     * log line follows once the status is written ({@link #written}). Written in the same status write as the rest, so a write that fails records nothing and
     * the retry records the change once.
     */
    static List<AccessTransition> history(EngineerAccess ea, Decision decision, EngineerAccessStatus previous,
            EngineerAccessStatus status, Instant now) {
        List<AccessTransition> history = historyOf(previous);
        AccessStage from = recordedStage(previous);
        AccessStage to = AccessStage.of(status.level, Boolean.TRUE.equals(status.supervised));
        Instant fromExpiry = previous == null ? null : parse(previous.accessExpiryTime);
        // While grants are withheld the level is what the bindings give, which can be below the decision's: its facts
        // then explain nothing, and the change is told as frozen access tells it.
        boolean decided = decision != null && AccessStage.of(decision.level(), decision.supervised()) == to;
        AccessFlow.Transition t = decided ? AccessFlow.between(from, fromExpiry, decision, ea.getSpec(), now)
                : AccessFlow.frozen(from, fromExpiry, to, now);
        if (t == null) {
            return new ArrayList<>(history);
        }
        return added(history, entry(t, now));
    }

    /**
     * What the history recorded before this reconciliation's last change: {@code previous}, or, when the bindings
     * passed {@code through} another stage on the way (decision 79), a status whose history also holds the move into
     * that stage, entered at {@code now}. So a grant undone at once is on the record as a grant and a removal.
     */
    static EngineerAccessStatus passedThrough(EngineerAccessStatus previous, PassedThrough through, Instant now) {
        if (through == null || through.decision() == null) {
            return previous;
        }
        AccessFlow.Transition entered = AccessFlow.between(recordedStage(previous), previous == null ? null : parse(previous.accessExpiryTime),
                through.decision(), through.spec(), now);
        if (entered == null) {
            return previous;
        }
        EngineerAccessStatus held = new EngineerAccessStatus();
        held.history = added(historyOf(previous), entry(entered, now));
        return held;
    }

    private static AccessTransition entry(AccessFlow.Transition t, Instant now) {
        return new AccessTransition(StatusBuilder.shown(now), t.from(), t.to(), t.move().name(), t.fact(), transition(t));
    }

    /**
     * The stage the history last recorded: a status written while binding changes failed may show a level whose change
     * the history has not recorded yet. None when there was no status yet.
     */
    private static AccessStage recordedStage(EngineerAccessStatus previous) {
        AccessTransition recorded = last(previous);
        return recorded != null && recorded.toLevel != null ? recorded.toLevel
                : previous == null || previous.level == null ? AccessStage.None : AccessStage.of(previous.level, Boolean.TRUE.equals(previous.supervised));
    }

    /** The history with one more entry, at most {@value EngineerAccessStatus#HISTORY}: the oldest go first. */
    private static List<AccessTransition> added(List<AccessTransition> history, AccessTransition entry) {
        List<AccessTransition> out = new ArrayList<>(history);
        out.add(entry);
        return out.size() > EngineerAccessStatus.HISTORY ? new ArrayList<>(out.subList(out.size() - EngineerAccessStatus.HISTORY, out.size())) : out;
    }

    /** A change of access in words: {@code Deploy -> Admin (supervised): an exception ... starts (spec.exceptions[0], approved by ...)}. */
    static String transition(AccessFlow.Transition t) {
        List<String> about = new ArrayList<>();
        if (t.fact() != null) {
            about.add(t.fact());
        }
        if (t.approvedBy() != null) {
            about.add("approved by " + Values.cut(t.approvedBy()));
        }
        if (t.supervisor() != null && !t.supervisor().isBlank()) {
            about.add("supervised by " + Values.cut(t.supervisor()));
        }
        return t.from().words() + " -> " + t.to().words() + ": " + t.move().rule
                + (about.isEmpty() ? "" : " (" + String.join(", ", about) + ")");
    }

    /**
     * How late each change that was due was applied: an expired binding from its expiry; a grant or a
     * revocation from the previous status's nextTransitionTime, when that instant has come (otherwise the
     * change follows an edit, not the clock, and is not late).
     */
    private void recordLateness(EngineerAccessStatus previous, List<RoleBinding> granted, List<RoleBinding> expired,
            List<RoleBinding> revoked, BindingWriter.Result result, Instant now) {
        for (RoleBinding rb : expired) {
            Instant accepted = result.accepted().get(BindingDiff.key(rb));
            if (accepted != null) {
                metrics.late(Duration.between(BindingDiff.expiryOf(rb), accepted));
            }
        }
        Instant due = previous == null || previous.nextTransitionTime == null ? null : parse(previous.nextTransitionTime);
        if (due == null || due.isAfter(now)) {
            return;
        }
        for (List<RoleBinding> changed : List.of(granted, revoked)) {
            for (RoleBinding rb : changed) {
                Instant accepted = result.accepted().get(BindingDiff.key(rb));
                if (accepted != null) {
                    metrics.late(Duration.between(due, accepted));
                }
            }
        }
    }

    private static Instant parse(String instant) {
        try {
            return Instant.parse(instant);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * A Warning for each binding name taken by someone else, and one for writes that failed, when they are new:
     * a problem that persists across retries is said once, not at every retry.
     */
    private void recordProblems(EngineerAccess ea, EngineerAccessStatus previous, BindingWriter.Result result, String level) {
        String said = previous == null || previous.conditions == null ? "" : previous.conditions.stream()
                .filter(c -> StatusBuilder.READY.equals(c.type) && c.message != null).map(c -> c.message).findFirst().orElse("");
        for (BindingWriter.Conflict c : result.conflicts()) {
            String message = conflict(c);
            if (!said.contains(message)) {
                audit.record(ea, BINDING_NAME_CONFLICT, true, level, c.namespace(), message);
            }
        }
        String failures = String.join("; ", result.failures());
        if (!failures.isEmpty() && !said.contains(failures)) {
            audit.record(ea, BINDINGS_NOT_APPLIED, true, level, "-", failures + "; the operator tries again by itself");
        }
    }

    /**
     * A reconciliation that stopped on an error before it could finish (it is retried). Said once while it persists
     * (decision 29): the same error at the next retries is counted, and logged only at debug level, until the
     * engineer's reconciliation finishes ({@link #finished}) or the error changes.
     */
    void failed(EngineerAccess ea, String what, boolean unreachable) {
        metrics.reconcileFailed(unreachable ? "unreachable" : "error");
        String name = ea.getMetadata().getName();
        if (what.equals(saidFailures.put(name, what))) {
            LOG.debugf("engineer=%s reason=ReconcileFailed message=\"%s; the operator tries again by itself\" (said before)", name, what);
            return;
        }
        LOG.warnf("engineer=%s reason=ReconcileFailed message=\"%s; the operator tries again by itself\"", name, what);
    }

    /** The engineer's reconciliation finished: a failure said before is over, and one after this is said again. */
    void finished(EngineerAccess ea) {
        String said = saidFailures.remove(ea.getMetadata().getName());
        if (said != null) {
            LOG.infof("engineer=%s reason=ReconcileRecovered message=\"the reconciliation finished again, after: %s\"",
                    ea.getMetadata().getName(), said);
        }
    }

    /** A reconciliation that finished but could not apply every binding (it is retried). */
    void incomplete(BindingWriter.Result result) {
        if (!result.complete()) {
            metrics.reconcileFailed(result.unreachable() ? "unreachable" : result.conflicts().isEmpty() ? "refused" : "name-conflict");
        }
    }

    /**
     * The EngineerAccess was deleted, and every RoleBinding it had is gone (the garbage collector removed them, or
     * the operator did): recorded only then, never while they still grant access.
     */
    void removed(EngineerAccess ea) {
        removed(ea, listed(ea.getStatus()), "The EngineerAccess was deleted, and all its RoleBindings are gone: ");
    }

    /**
     * The EngineerAccess is being deleted, and every binding it had is gone (decision 70): recorded from {@code gone},
     * those the operator removed, since its status may not have been written yet; or, when it removed none (the
     * garbage collector was first, or a process before this one), from those its status still listed.
     */
    void removedWhileDeleting(EngineerAccess ea, List<RoleBinding> gone) {
        if (gone.isEmpty()) {
            removed(ea, listed(ea.getStatus()), "The EngineerAccess is being deleted, and all its RoleBindings are gone: ");
        } else {
            removed(ea, gone.stream().map(EngineerAccessReconciler::bindingStatus).toList(),
                    "The EngineerAccess is being deleted, and the operator removed all its RoleBindings: ");
        }
    }

    /** The bindings a status lists (none when there is no status). */
    private static List<BindingStatus> listed(EngineerAccessStatus status) {
        return status == null || status.bindings == null ? List.of() : status.bindings;
    }

    /**
     * The status of an EngineerAccess being deleted whose bindings are all gone (decision 70): it holds nothing, and
     * its history adds the move to None ({@code Deleted}) from the stage it last recorded.
     */
    static EngineerAccessStatus whileDeleting(EngineerAccess ea, Instant now) {
        EngineerAccessStatus previous = ea.getStatus();
        EngineerAccessStatus status = StatusBuilder.beingDeleted(previous, ea.getMetadata().getFinalizers(), ea.getMetadata().getGeneration(), now);
        AccessFlow.Transition t = AccessFlow.deleted(recordedStage(previous));
        if (t != null) {
            status.history = added(status.history, entry(t, now));
        }
        return status;
    }

    private void removed(EngineerAccess ea, List<BindingStatus> bindings, String what) {
        List<String> held = bindings.stream().map(b -> b.clusterRole + " in " + b.namespace).distinct().toList();
        if (!held.isEmpty()) {
            audit.record(ea, "AccessRemoved", false, "None", bindings.stream().map(b -> b.namespace).distinct().sorted()
                    .collect(Collectors.joining(",")), what + String.join(", ", held));
            metrics.revoked("AccessRemoved", bindings.size());
        }
    }

    /** The EngineerAccess was deleted: it leaves the metrics at once. */
    void forget(EngineerAccess ea) {
        metrics.forget(ea.getMetadata().getName());
        saidFailures.remove(ea.getMetadata().getName());
    }

    /** Why a binding that has not expired was removed, in words. */
    private static String whyRemoved(RoleBinding rb, Decision decision) {
        if (decision == null) {
            return "access is frozen, and no policy could justify it for the EngineerAccess as it is now";
        }
        if (!decision.specValid()) {
            return "the spec is invalid";
        }
        boolean admin = ManagedBindings.isAdmin(rb);
        Level needed = admin ? Level.Admin : Level.Deploy;
        if (decision.level().compareTo(needed) >= 0) {
            return "the policy no longer selects this namespace for " + needed;
        }
        String unmet = decision.unmet().stream().filter(u -> u.level == needed).map(u -> u.message).collect(Collectors.joining("; "));
        return unmet.isEmpty() ? needed + " is no longer held" : unmet;
    }

    private static boolean becameFalse(EngineerAccessStatus previous, EngineerAccessStatus status, String type) {
        Condition now = StatusBuilder.condition(status, type);
        Condition before = StatusBuilder.condition(previous, type);
        return now != null && "False".equals(now.status) && (before == null || !"False".equals(before.status));
    }

    private static String namespacesOf(List<RoleBinding> bindings) {
        return bindings.stream().map(rb -> rb.getMetadata().getNamespace()).distinct().sorted().collect(Collectors.joining(","));
    }

    private static String describe(List<RoleBinding> bindings) {
        return bindings.stream().map(rb -> rb.getRoleRef().getName() + " in " + rb.getMetadata().getNamespace())
                .distinct().collect(Collectors.joining(", "));
    }
}

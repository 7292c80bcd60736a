package digital.govuk.access.operator;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.bindings.BindingDiff;
import digital.govuk.access.bindings.Ownership;
import digital.govuk.access.bindings.Unexplained;
import digital.govuk.access.status.StatusBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.URLUtils;

/**
 * Applies binding changes with plain create, update (with resourceVersion) and delete (with a UID
 * precondition). It changes or deletes only bindings the operator owns for this EngineerAccess
 * ({@link Ownership}): when a binding's name is taken by anything else, it reports a {@link Conflict} and
 * leaves that binding alone. One failed write never stops the others.
 */
@ApplicationScoped
public class BindingWriter {
    /** The Event on a binding whose deletion someone else's finalizers held, after the operator removed them. */
    static final String FINALIZER_REMOVED = "FinalizerRemoved";
    /** Tries at removing those finalizers when someone else writes the binding at the same time (409 Conflict). */
    private static final int RELEASE_TRIES = 5;

    /**
     * What was done, and the engineer's bindings as they are afterwards.
     *
     * @param failures    writes that failed, in words
     * @param conflicts   bindings that could not be made because their name is taken by a binding that is not ours
     * @param unreachable some write failed because the API server could not be reached
     * @param accepted    when the API server accepted each write, by binding key (namespace/name)
     */
    public record Result(List<RoleBinding> now, List<RoleBinding> created, List<RoleBinding> deleted,
            List<RoleBinding> repaired, List<String> failures, List<Conflict> conflicts, boolean unreachable,
            Map<String, Instant> accepted) {
        public boolean complete() {
            return failures.isEmpty() && conflicts.isEmpty();
        }

        /** This result followed by {@code next}, written after it on the bindings it left: every write of both is kept. */
        public Result then(Result next) {
            Map<String, Instant> both = new HashMap<>(accepted);
            both.putAll(next.accepted());
            return new Result(next.now(), concat(created, next.created()), concat(deleted, next.deleted()), concat(repaired, next.repaired()),
                    concat(failures, next.failures()), concat(conflicts, next.conflicts()), unreachable || next.unreachable(), both);
        }

        private static <T> List<T> concat(List<T> a, List<T> b) {
            List<T> all = new ArrayList<>(a);
            all.addAll(b);
            return all;
        }

        /** Nothing to do: the bindings stay as they are. */
        public static Result unchanged(List<RoleBinding> existing) {
            return failed(existing, List.of(), false);
        }

        /** Nothing written, because of {@code failures}. */
        public static Result failed(List<RoleBinding> existing, List<String> failures, boolean unreachable) {
            return new Result(existing, List.of(), List.of(), List.of(), failures, List.of(), unreachable, Map.of());
        }
    }

    /** A RoleBinding the operator wanted to make, whose name is taken by one it does not own. */
    public record Conflict(String namespace, String name, String clusterRole) {
    }

    /** Told of each write, so the next reconciliation sees it before the informer does. */
    public interface Written {
        void written(RoleBinding now);

        void deleted(RoleBinding gone);
    }

    /** The binding's name is taken by one the operator does not own. */
    private static final class NameTaken extends RuntimeException {
        NameTaken() {
            super(null, null, false, false);
        }
    }

    /** A binding the API server stored other than it was sent: the cluster's admission changed what it grants. */
    private static final class Altered extends RuntimeException {
        Altered(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * A binding the admission altered {@code times} in a row: not written again before {@code until}, which follows
     * the retries' delays (1 s, doubled each time, at most 60 s); {@code why} says what happened.
     */
    private record Hold(Instant until, int times, String why) {
    }

    private final KubernetesClient client;
    private final Clock clock;
    private final Audit audit;
    private final Retries retries;
    /**
     * Bindings the admission altered, by key: each write of one makes watch events that start the reconciliation
     * again at once, so without a hold the operator would write it again and again as fast as the API server answers.
     */
    private final Map<String, Hold> held = new ConcurrentHashMap<>();

    public BindingWriter(KubernetesClient client, Clock clock, Audit audit, Retries retries) {
        this.retries = retries;
        this.client = client;
        this.clock = clock;
        this.audit = audit;
    }

    /**
     * Applies {@code changes}, which must come from comparing the desired bindings with {@code existing}, the
     * engineer's bindings the operator owns.
     */
    public Result apply(EngineerAccess owner, BindingDiff.Changes changes, List<RoleBinding> existing, Written written) {
        String engineer = owner.getMetadata().getName();
        String uid = owner.getMetadata().getUid();
        List<RoleBinding> now = new ArrayList<>(existing);
        List<RoleBinding> created = new ArrayList<>();
        List<RoleBinding> deleted = new ArrayList<>();
        List<RoleBinding> repaired = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        List<Conflict> conflicts = new ArrayList<>();
        Map<String, Instant> accepted = new HashMap<>();
        boolean unreachable = false;

        for (RoleBinding rb : changes.create()) {
            try {
                holdBack(rb);
                RoleBinding made = create(rb, engineer, uid, written);
                accepted.put(BindingDiff.key(made), clock.instant());
                put(now, made);
                created.add(made);
            } catch (NameTaken e) {
                conflicts.add(conflict(rb));
            } catch (Altered e) {
                failures.add(e.getMessage());
            } catch (KubernetesClientException e) {
                failures.add("could not create RoleBinding " + BindingDiff.key(rb) + ": " + ApiErrors.inWords(e));
                unreachable |= ApiErrors.unreachable(e);
            }
        }
        for (BindingDiff.Replacement r : changes.replace()) {
            try {
                if (deleteWithUid(r.existing())) {
                    written.deleted(r.existing());
                }
                remove(now, r.existing());
                holdBack(r.desired());
                RoleBinding made = create(r.desired(), engineer, uid, written);
                accepted.put(BindingDiff.key(made), clock.instant());
                put(now, made);
                repaired.add(made);
            } catch (Altered e) {
                failures.add(e.getMessage());
            } catch (NameTaken e) {
                conflicts.add(conflict(r.desired()));
            } catch (KubernetesClientException e) {
                failures.add("could not replace RoleBinding " + BindingDiff.key(r.existing()) + ": " + ApiErrors.inWords(e));
                unreachable |= ApiErrors.unreachable(e);
            }
        }
        for (RoleBinding rb : changes.update()) {
            try {
                holdBack(rb);
                RoleBinding updated = unaltered(rb, client.resource(rb).update(), written);
                accepted.put(BindingDiff.key(updated), clock.instant());
                written.written(updated);
                put(now, updated);
                repaired.add(updated);
            } catch (Altered e) {
                remove(now, rb);
                failures.add(e.getMessage());
            } catch (KubernetesClientException e) {
                failures.add("could not update RoleBinding " + BindingDiff.key(rb) + ": " + ApiErrors.inWords(e));
                unreachable |= ApiErrors.unreachable(e);
            }
        }
        for (RoleBinding rb : changes.delete()) {
            if (!Ownership.mayManage(rb, engineer, uid)) {
                continue;
            }
            try {
                if (deleteWithUid(rb)) {
                    accepted.put(BindingDiff.key(rb), clock.instant());
                    written.deleted(rb);
                    deleted.add(rb);
                }
                remove(now, rb);
            } catch (KubernetesClientException e) {
                failures.add("could not delete RoleBinding " + BindingDiff.key(rb) + ": " + ApiErrors.inWords(e));
                unreachable |= ApiErrors.unreachable(e);
            }
        }
        return new Result(now, created, deleted, repaired, failures, conflicts, unreachable, accepted);
    }

    /**
     * Creates the binding. When the name exists already (our cache had not seen it), looks at what is there:
     * one of ours is corrected as the diff says; anything else is left alone ({@link NameTaken}).
     */
    private RoleBinding create(RoleBinding rb, String engineer, String uid, Written written) {
        RoleBinding made;
        try {
            made = client.resource(rb).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            RoleBinding current = client.rbac().roleBindings().inNamespace(rb.getMetadata().getNamespace())
                    .withName(rb.getMetadata().getName()).get();
            if (current == null) {
                made = client.resource(rb).create();
            } else if (!Ownership.mayManage(current, engineer, uid)) {
                throw new NameTaken();
            } else {
                BindingDiff.Changes fix = BindingDiff.diff(List.of(rb), List.of(current));
                if (!fix.replace().isEmpty()) {
                    if (deleteWithUid(current)) {
                        written.deleted(current);
                    }
                    made = client.resource(rb).create();
                } else {
                    made = fix.update().isEmpty() ? current : client.resource(fix.update().get(0)).update();
                }
            }
        }
        made = unaltered(rb, made, written);
        written.written(made);
        return made;
    }

    /**
     * The binding the API server stored, when it grants what was sent. When something in the cluster's admission (a
     * mutating webhook or policy) changed its role or subjects on the way in, it grants what no rule gives: it is
     * removed at once, and the write counts as failed, so the status does not claim it and the engineer is retried
     * (decision 75). Nothing else the admission adds (labels, annotations) matters.
     */
    private RoleBinding unaltered(RoleBinding sent, RoleBinding stored, Written written) {
        String key = BindingDiff.key(sent);
        if (BindingDiff.sameAccess(sent, stored)) {
            held.remove(key);
            return stored;
        }
        if (deleteWithUid(stored)) {
            written.deleted(stored);
        }
        Unexplained.Grant got = Unexplained.grantOf(stored);
        Unexplained.Grant wanted = Unexplained.grantOf(sent);
        String why = "RoleBinding " + wanted.where() + " was changed on its way in (it granted " + got.clusterRole() + " to "
                + got.subjects(5) + ", not " + wanted.clusterRole() + " to " + wanted.subjects(5) + "): something in the cluster's"
                + " admission (a mutating webhook or policy) alters the operator's bindings, so it was removed at once";
        Hold before = held.get(key);
        int times = before == null ? 1 : before.times() + 1;
        held.put(key, new Hold(clock.instant().plus(retries.delay(times)), times, why));
        throw new Altered(why);
    }

    /** Refuses to write a binding the admission altered until its hold ends, saying why; nothing is sent meanwhile. */
    private void holdBack(RoleBinding rb) {
        Hold hold = held.get(BindingDiff.key(rb));
        if (hold != null && clock.instant().isBefore(hold.until())) {
            throw new Altered(hold.why() + "; it is not written again before " + StatusBuilder.shown(hold.until()));
        }
    }

    /**
     * Deletes with a UID precondition, so a binding recreated meanwhile is not removed. False when nothing
     * was deleted: already gone, or replaced by another object of that name. True only once the binding is gone: a
     * binding being deleted still grants its role while finalizers hold it, so finalizers that someone else put on it
     * are removed (decision 69).
     */
    public boolean deleteWithUid(RoleBinding rb) {
        String url = URLUtils.join(client.getMasterUrl().toString(), "apis/rbac.authorization.k8s.io/v1/namespaces",
                rb.getMetadata().getNamespace(), "rolebindings", rb.getMetadata().getName());
        Map<String, Object> options = Map.of("apiVersion", "v1", "kind", "DeleteOptions",
                "preconditions", Map.of("uid", rb.getMetadata().getUid()));
        String answer;
        try {
            answer = client.raw(url, "DELETE", options);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404 || e.getCode() == 409) {
                return false;
            }
            throw e;
        }
        if (answer == null) {
            return false;
        }
        List<String> holding = client.getKubernetesSerialization().unmarshal(answer, GenericKubernetesResource.class)
                .getMetadata().getFinalizers();
        if (holding != null && !holding.isEmpty()) {
            release(rb);
        }
        return true;
    }

    /**
     * Removes every finalizer from one of the operator's bindings whose deletion they hold, so it goes and its access
     * ends. The operator puts none there, so they are someone else's; their cleanup does not outweigh the access.
     */
    private void release(RoleBinding deleted) {
        String namespace = deleted.getMetadata().getNamespace();
        String name = deleted.getMetadata().getName();
        for (int attempt = 1;; attempt++) {
            RoleBinding current = client.rbac().roleBindings().inNamespace(namespace).withName(name).get();
            if (current == null || !current.getMetadata().getUid().equals(deleted.getMetadata().getUid())
                    || current.getMetadata().getFinalizers() == null || current.getMetadata().getFinalizers().isEmpty()) {
                return; // gone, or going now
            }
            List<String> held = List.copyOf(current.getMetadata().getFinalizers());
            current.getMetadata().setFinalizers(new ArrayList<>());
            try {
                client.resource(current).update();
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return;
                }
                if (e.getCode() != 409 || attempt == RELEASE_TRIES) {
                    throw e;
                }
                continue;
            }
            audit.record(current, Ownership.engineerOf(current), FINALIZER_REMOVED, "Removed finalizers " + String.join(", ", held) + " from RoleBinding "
                    + name + ": they held it after the operator deleted it, and a binding being deleted still grants "
                    + current.getRoleRef().getName() + ", so the access would not have ended");
            return;
        }
    }

    private static Conflict conflict(RoleBinding rb) {
        return new Conflict(rb.getMetadata().getNamespace(), rb.getMetadata().getName(), rb.getRoleRef().getName());
    }

    private static void put(List<RoleBinding> list, RoleBinding rb) {
        remove(list, rb);
        list.add(rb);
    }

    private static void remove(List<RoleBinding> list, RoleBinding rb) {
        String key = BindingDiff.key(rb);
        list.removeIf(x -> BindingDiff.key(x).equals(key));
    }

}

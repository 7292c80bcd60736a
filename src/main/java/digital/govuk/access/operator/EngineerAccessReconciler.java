package digital.govuk.access.operator;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import digital.govuk.access.api.UnknownFields;
import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.BindingStatus;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.EngineerAccessStatus;
import digital.govuk.access.bindings.BindingDiff;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.bindings.NamespaceInfo;
import digital.govuk.access.bindings.Ownership;
import digital.govuk.access.operator.cache.BindingInformer;
import digital.govuk.access.operator.cache.CompactBindingStore;
import digital.govuk.access.operator.cache.LeanItemStore;
import digital.govuk.access.operator.cache.RecentWrites;
import digital.govuk.access.operator.runtime.AccessMetrics;
import digital.govuk.access.operator.runtime.ClockSkew;
import digital.govuk.access.operator.runtime.ReconcileQueue;
import digital.govuk.access.operator.runtime.ReconcileStats;
import digital.govuk.access.operator.runtime.Reconnect;
import digital.govuk.access.rules.AccessRules;
import digital.govuk.access.rules.AnyPolicy;
import digital.govuk.access.rules.Decision;
import digital.govuk.access.rules.Problem;
import digital.govuk.access.status.PolicyState;
import digital.govuk.access.status.StatusBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import io.quarkiverse.operatorsdk.annotations.RBACVerbs;

/**
 * Keeps each engineer's RoleBindings equal to what the access decision says, and explains it in status
 * and Events. Thin: observe (caches, then a fresh read before any write), compute desired (the shared
 * pure code), apply the difference, write status, and schedule the next wake-up. Whatever happens in a
 * reconciliation, it ends by scheduling the next one: the next transition, or a retry after a failure.
 * <p>
 * No finalizer: every binding is owned by its EngineerAccess (a controller owner reference), so when the
 * EngineerAccess is deleted the garbage collector removes the bindings, also when the operator is not running
 * or is uninstalled. The operator only forgets the engineer ({@link DeletedEngineers}). docs/benchmarks.md
 * gives the numbers behind this choice.
 */
@ControllerConfiguration(name = EngineerAccessReconciler.NAME,
        informer = @Informer(itemStore = LeanItemStore.class, informerListLimit = LeanItemStore.LIST_PAGE))
// Every right the operator uses, and no other (the chart's ClusterRole is exactly these rules and those on
// AccessPolicyReconciler: RbacRulesTest). EngineerAccess objects are read (informer, and a fresh get before any
// write) and only their status is written, with a plain update. RoleBindings: informer, a get when a create finds
// the name taken, create, update with resourceVersion, and delete with a UID precondition; never patch. Namespaces:
// informer only. Events: created, never patched. The Lease is not here: a Role in the release namespace, limited
// to its name, grants it (Leadership).
@RBACRule(apiGroups = EngineerAccess.GROUP, resources = "engineeraccesses", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH})
@RBACRule(apiGroups = EngineerAccess.GROUP, resources = "engineeraccesses/status", verbs = RBACVerbs.UPDATE)
@RBACRule(apiGroups = "rbac.authorization.k8s.io", resources = "rolebindings",
        verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.UPDATE, RBACVerbs.DELETE})
@RBACRule(apiGroups = "rbac.authorization.k8s.io", resources = "clusterroles", verbs = "bind",
        resourceNames = {"production-deploy", "production-admin"})
@RBACRule(apiGroups = "", resources = "namespaces", verbs = {RBACVerbs.LIST, RBACVerbs.WATCH})
@RBACRule(apiGroups = "", resources = "events", verbs = RBACVerbs.CREATE)
// Its own CRD, read only and by name: when it changes, edits the watch may have missed are looked for (SchemaChanges).
@RBACRule(apiGroups = "apiextensions.k8s.io", resources = "customresourcedefinitions", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH},
        resourceNames = SchemaChanges.CRD)
public class EngineerAccessReconciler implements Reconciler<EngineerAccess> {
    private static final Logger LOG = Logger.getLogger(EngineerAccessReconciler.class);

    public static final String NAME = "engineeraccess";
    static final String BINDINGS = "managed-rolebindings";

    private final Clock clock;
    private final KubernetesClient client;
    private final TransitionScheduler transitions;
    private final Reconnect reconnect;
    private final BindingWriter writer;
    private final RecentWrites recentWrites;
    private final BindRights bindRights;
    private final AccessEvents events;
    private final AccessMetrics metrics;
    private final ReconcileStats stats;
    private final DueFirst dueFirst;
    private final Orphans orphans;
    private final ClockSkew clockSkew;
    private final ReadAhead readAhead;
    private final ReconcileQueue queue;
    private final Policies policies;
    private final AtomicBoolean recordedTransitionsArmed = new AtomicBoolean();
    private volatile Orphans.Caches caches;
    private volatile SamePerson samePerson;
    private volatile SchemaChanges schemaChanges;
    private volatile InformerEventSource<RoleBinding, EngineerAccess> bindingInformer;

    public EngineerAccessReconciler(Clock clock, KubernetesClient client, TransitionScheduler transitions, Reconnect reconnect,
            BindingWriter writer, RecentWrites recentWrites, BindRights bindRights, AccessEvents events, AccessMetrics metrics,
            ReconcileStats stats, DueFirst dueFirst, Orphans orphans, ClockSkew clockSkew, ReadAhead readAhead,
            ReconcileQueue queue, Policies policies) {
        this.policies = policies;
        this.readAhead = readAhead;
        this.queue = queue;
        this.orphans = orphans;
        this.clockSkew = clockSkew;
        this.clock = clock;
        this.client = client;
        this.transitions = transitions;
        this.reconnect = reconnect;
        this.writer = writer;
        this.recentWrites = recentWrites;
        this.bindRights = bindRights;
        this.events = events;
        this.metrics = metrics;
        this.stats = stats;
        this.dueFirst = dueFirst;
    }

    @Override
    public List<EventSource<?, EngineerAccess>> prepareEventSources(EventSourceContext<EngineerAccess> context) {
        // About 9.5 bindings per engineer: each held in a few dozen bytes, built again on each read.
        CompactBindingStore store = new CompactBindingStore(ManagedBindings.ENGINEER_LABEL);
        InformerEventSource<RoleBinding, EngineerAccess> bindings = new BindingInformer(
                InformerEventSourceConfiguration.from(RoleBinding.class, EngineerAccess.class)
                        .withName(BINDINGS)
                        .withWatchAllNamespaces()
                        .withItemStore(store)
                        .withInformerListLimit(LeanItemStore.LIST_PAGE)
                        .withLabelSelector(ManagedBindings.MANAGED_BY_LABEL + "=" + ManagedBindings.MANAGED_BY)
                        .withSecondaryToPrimaryMapper(rb -> {
                            String engineer = Ownership.engineerOf(rb);
                            return engineer == null ? Set.of() : Set.of(new ResourceID(engineer));
                        })
                        // An engineer's bindings are those its label names, from the store's own index: without this
                        // mapper JOSDK keeps an index of its own, an object per binding.
                        .withPrimaryToSecondaryMapper((EngineerAccess ea) -> store.keysLabelled(ea.getMetadata().getName())
                                .map(EngineerAccessReconciler::bindingId).collect(Collectors.toSet()))
                        .build(),
                context, recentWrites, orphans);
        bindingInformer = bindings;
        samePerson = new SamePerson(context.getPrimaryCache());
        caches = new Orphans.Caches() {
            @Override
            public java.util.Optional<EngineerAccess> engineer(String name) {
                return context.getPrimaryCache().get(new ResourceID(name));
            }

            @Override
            public java.util.Optional<RoleBinding> binding(String namespace, String name) {
                return bindings.get(new ResourceID(name, namespace));
            }

            @Override
            public List<RoleBinding> bindingsOf(EngineerAccess ea) {
                return List.copyOf(bindings.getSecondaryResources(ea));
            }
        };
        // Decision 67: while reconciliations wait (a pass over every engineer), an edited engineer goes first.
        queue.preferring(id -> caches.engineer(id.getName()).map(ea -> urgent(ea, clock.instant())).orElse(false));
        // Every engineer's bindings depend on every namespace and on the one policy. Each informer below maps an
        // engineer to them directly: without a mapper this way too, JOSDK keeps an index from each engineer to each
        // namespace, an entry per engineer and namespace (a million at 10,000 engineers and 100 namespaces).
        AtomicReference<InformerEventSource<Namespace, EngineerAccess>> namespaceSource = new AtomicReference<>();
        InformerEventSource<Namespace, EngineerAccess> namespaces = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Namespace.class, EngineerAccess.class)
                        .withName("namespaces")
                        .withWatchAllNamespaces()
                        .withSecondaryToPrimaryMapper(ns -> allEngineers(context))
                        .withPrimaryToSecondaryMapper((EngineerAccess ea) -> namespaceSource.get() == null ? Set.of()
                                : namespaceSource.get().keys().collect(Collectors.toSet()))
                        // Only a change of labels or the start of deletion can move bindings.
                        .withOnUpdateFilter((now, before) -> !Objects.equals(now.getMetadata().getLabels(), before.getMetadata().getLabels())
                                || !Objects.equals(now.getMetadata().getDeletionTimestamp(), before.getMetadata().getDeletionTimestamp()))
                        .build(),
                context);
        namespaceSource.set(namespaces);
        InformerEventSource<AccessPolicy, EngineerAccess> policies = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(AccessPolicy.class, EngineerAccess.class)
                        .withName("policies")
                        .withWatchAllNamespaces()
                        .withSecondaryToPrimaryMapper(p -> AccessPolicy.DEFAULT_NAME.equals(p.getMetadata().getName())
                                ? allEngineers(context) : Set.of())
                        .withPrimaryToSecondaryMapper((EngineerAccess ea) -> Set.of(new ResourceID(AccessPolicy.DEFAULT_NAME)))
                        // The policy reconciler's own status writes change no decision, unless they say a policy
                        // that was valid became invalid or the other way (the operator's right to bind its roles
                        // changed); its first status write follows the spec every engineer has just been given.
                        .withOnUpdateFilter((now, before) -> !sameSpec(now, before)
                                || (AccessPolicyReconciler.validity(before) != null
                                        && !Objects.equals(AccessPolicyReconciler.validity(now), AccessPolicyReconciler.validity(before))))
                        .build(),
                context);
        schemaChanges = new SchemaChanges(client, name -> context.getPrimaryCache().get(new ResourceID(name)));
        return List.of(bindings, namespaces, policies, transitions, new DeletedEngineers(this::deleting, this::forget), schemaChanges);
    }

    /** The ID of a binding from its store key, namespace/name. */
    private static ResourceID bindingId(String key) {
        int slash = key.indexOf('/');
        return new ResourceID(key.substring(slash + 1), key.substring(0, slash));
    }

    /** Compared as JSON: the API classes are plain data without equals. */
    private static boolean sameSpec(AccessPolicy a, AccessPolicy b) {
        return Serialization.asJson(a.getSpec()).equals(Serialization.asJson(b.getSpec()));
    }

    private static Set<ResourceID> allEngineers(EventSourceContext<EngineerAccess> context) {
        return context.getPrimaryCache().list().map(ResourceID::fromResource).collect(Collectors.toSet());
    }

    /** What one reconciliation found: when to wake next, and whether it finished. */
    private record Outcome(Instant next, boolean complete, boolean unreachable) {
    }

    @Override
    public UpdateControl<EngineerAccess> reconcile(EngineerAccess ea, Context<EngineerAccess> context) {
        Outcome outcome = new Outcome(null, false, false);
        // The first reconciliation runs once JOSDK has listed every EngineerAccess and binding: then bindings that no
        // EngineerAccess justifies can be told apart.
        orphans.start(caches, () -> bindingInformer.keys().map(bindingInformer::get).flatMap(Optional::stream));
        clockSkew.start();
        if (recordedTransitionsArmed.compareAndSet(false, true)) {
            // A failure here must not stop this reconciliation, which always ends by scheduling the next.
            try {
                armRecordedTransitions(context);
            } catch (RuntimeException e) {
                LOG.warnf("Could not arm the next changes the cluster records before the first pass (%s): each is still"
                        + " applied when its engineer's turn comes", ApiErrors.inWords(e));
            }
        }
        stats.started(ea.getMetadata().getName());
        try {
            outcome = reconcileOnce(ea, context);
        } catch (RuntimeException e) {
            boolean unreachable = ApiErrors.unreachable(e);
            // Retried; and the next change the cluster records still wakes it at its instant if that comes first.
            outcome = new Outcome(recordedNextOrNull(ea), false, unreachable);
            events.failed(ea, ApiErrors.inWords(e), unreachable);
        } finally {
            transitions.after(ResourceID.fromResource(ea), outcome.next(), !outcome.complete(), outcome.unreachable());
            if (outcome.unreachable()) {
                reconnect.lost();
            }
            stats.finished(ea.getMetadata().getName(), outcome.complete());
            if (outcome.complete()) {
                events.finished(ea);
            }
            lookAgain(ea, false);
        }
        return UpdateControl.noUpdate();
    }

    private Outcome reconcileOnce(EngineerAccess cached, Context<EngineerAccess> context) {
        Instant now = clock.instant();
        String name = cached.getMetadata().getName();
        // After a CRD change the cache may have missed this object's last edit: decide on the API server's copy.
        // If it cannot be read, only what the cached copy no longer grants is removed (decision 81).
        KubernetesClientException unreadable = null;
        if (schemaChanges != null && schemaChanges.takeMarked(name)) {
            EngineerAccess live = null;
            try {
                live = client.resources(EngineerAccess.class).withName(name).get();
            } catch (KubernetesClientException e) {
                schemaChanges.mark(name);
                unreadable = e;
            } catch (RuntimeException e) {
                schemaChanges.mark(name);
                throw e;
            }
            if (unreadable == null) {
                if (goneSince(cached, live)) {
                    return new Outcome(null, true, false); // deleted: the garbage collector removes what it owned
                }
                cached = live;
            }
        }
        // Observe.
        PolicyState policy = policy(context);
        List<NamespaceInfo> namespaces = namespaces(context);
        List<RoleBinding> ours = ownedBindings(context, cached);

        // Compute desired, and apply the difference. Before any write, read the EngineerAccess fresh: the cache
        // may not have its latest change yet, and a write from an old spec could grant what was just withdrawn.
        EngineerAccess ea = cached;
        Decision decision = decide(ea, policy, now);
        BindingDiff.Changes changes = BindingDiff.diff(desired(ea, decision, policy, namespaces, ours, now), ours);
        BindingWriter.Result result = BindingWriter.Result.unchanged(ours);
        AccessEvents.PassedThrough through = null;
        boolean due = !changes.none() && fallenDue(cached.getStatus(), ours, now);
        if (unreadable != null) {
            // The API server's copy was to be read first and could not be: removals only, and the retry reads.
            result = removeOnly(cached, decision, ours, changes, "could not read the EngineerAccess from the API server to confirm"
                    + " its access", unreadable).result();
        } else if (!changes.none()) {
            if (due) {
                dueFirst.begin();
            }
            try {
                Applied applied = readFreshAndApply(cached, decision, context, policy, namespaces, ours, changes, due, now);
                if (applied == null) {
                    return new Outcome(null, true, false);
                }
                ea = applied.ea();
                decision = applied.decision();
                result = applied.result();
                through = applied.through();
            } finally {
                if (due) {
                    dueFirst.end();
                }
            }
        }

        // Status, Events, and the next wake-up.
        List<BindingStatus> bindings = result.now().stream().map(EngineerAccessReconciler::bindingStatus).toList();
        // The record so far is the status of the copy decided on: after a fresh read, the API server's, which may hold
        // what this operator wrote since the cache's copy (a status built on the cache's would drop that history).
        EngineerAccessStatus previous = ea.getStatus();
        Long generation = ea.getMetadata().getGeneration();
        Instant nextExpiry = earliestExpiry(result.now());
        Instant next = earliest(decision == null ? null : decision.nextTransitionTime(), nextExpiry);
        List<Problem> unknown = UnknownFields.of(ea).stream().map(f -> new Problem(f, UnknownFields.MESSAGE)).toList();
        EngineerAccessStatus status;
        if (decision == null) {
            status = StatusBuilder.withInvalidPolicy(policy, bindings, nextExpiry, previous, generation, now);
        } else if (!unknown.isEmpty()) {
            // Nothing new is granted; the decision on the fields it knows still says why access was taken away.
            status = StatusBuilder.withUnknownFields(unknown, policy, bindings, next, previous, generation, now);
        } else if (policy.grantsWithheld()) {
            status = StatusBuilder.withGrantsWithheld(decision, policy, bindings, next, previous, generation, now);
        } else {
            status = StatusBuilder.build(decision, policy, bindings, AccessEvents.notInSync(result), previous, generation, now);
        }
        status.history = events.record(ea, decision, previous, status, result, through, now);
        events.incomplete(result);
        metrics.holds(name, status.level, Boolean.TRUE.equals(status.supervised));
        metrics.policyValid(policy.valid());
        Outcome outcome = new Outcome(next, result.complete(), result.unreachable());
        if (!status.equals(previous)) {
            if (due) {
                dueFirst.awaitNoneWriting();
            }
            try {
                StatusWrites.replace(ea, status, context, EngineerAccess::new);
                events.written(ea, previous, status);
            } catch (RuntimeException e) {
                // The bindings are as the decision says; only the record failed, and is retried. The next change of
                // access still comes at its instant, however long the retries wait.
                outcome = new Outcome(next, false, ApiErrors.unreachable(e));
                events.failed(ea, "could not write the status: " + ApiErrors.inWords(e), outcome.unreachable());
            }
        }
        // After the status write: the read ahead of the next change must find the version that write made.
        readAhead.before(name, next);
        return outcome;
    }

    /**
     * The EngineerAccess as read fresh, its decision, and what was written; {@code through}, the stage granted on the
     * read ahead when the same reconciliation undid it (decision 79), else null.
     */
    private record Applied(EngineerAccess ea, Decision decision, BindingWriter.Result result, AccessEvents.PassedThrough through) {
        Applied(EngineerAccess ea, Decision decision, BindingWriter.Result result) {
            this(ea, decision, result, null);
        }
    }

    /**
     * Reads the EngineerAccess fresh from the API server, decides again only if it changed since the cache's copy
     * (whose {@code decision} the caller made), and applies the difference. Null when it was deleted (or deleted and
     * created again: the new object gets its own reconciliation), and the garbage collector removes the bindings it
     * owned. Deletions alone skip the read when the read made just before their instant still holds (decision 62); a
     * change that has fallen due ({@code due}) then has its read after the writes ({@link #applyThenConfirm}, 79).
     */
    private Applied readFreshAndApply(EngineerAccess cached, Decision decision, Context<EngineerAccess> context, PolicyState policy,
            List<NamespaceInfo> namespaces, List<RoleBinding> ours, BindingDiff.Changes changes, boolean due, Instant now) {
        if (onlyDeletions(changes) && readAhead.confirms(cached, now)) {
            // A revocation, on the version read just before its instant (ReadAhead): no read in front of the deletes.
            return new Applied(cached, decision, writer.apply(cached, changes, ours, recentWrites));
        }
        if (due && readAhead.confirms(cached, now)) {
            return applyThenConfirm(cached, decision, policy, namespaces, ours, changes, now);
        }
        EngineerAccess fresh;
        try {
            fresh = client.resources(EngineerAccess.class).withName(cached.getMetadata().getName()).get();
        } catch (KubernetesClientException e) {
            return removeOnly(cached, decision, ours, changes, "could not read the EngineerAccess again before changing its RoleBindings", e);
        }
        if (goneSince(cached, fresh)) {
            return null;
        }
        if (sameVersion(cached, fresh)) {
            return new Applied(cached, decision, writer.apply(cached, changes, ours, recentWrites));
        }
        return decideAndApply(fresh, policy, namespaces, ownedBindings(context, fresh), now);
    }

    /**
     * A grant at its known instant, on the version read just before it (decision 79): the writes go out at once, and
     * the fresh read follows them instead of going in front. If that read shows an edit the informer has not delivered
     * (an exception withdrawn since the read ahead), the same reconciliation decides on it at once and undoes what it
     * should not have given, so such access lasts the writes and a read, whatever the watch does. If the read fails,
     * the retry decides on the API server's copy.
     */
    private Applied applyThenConfirm(EngineerAccess cached, Decision decision, PolicyState policy, List<NamespaceInfo> namespaces,
            List<RoleBinding> ours, BindingDiff.Changes changes, Instant now) {
        String name = cached.getMetadata().getName();
        BindingWriter.Result written = writer.apply(cached, changes, ours, recentWrites);
        EngineerAccess fresh;
        try {
            fresh = client.resources(EngineerAccess.class).withName(name).get();
        } catch (KubernetesClientException e) {
            schemaChanges.mark(name);
            return new Applied(cached, decision, written.then(BindingWriter.Result.failed(written.now(), List.of("could not read the"
                    + " EngineerAccess again after changing its RoleBindings at their instant: " + ApiErrors.inWords(e)),
                    ApiErrors.unreachable(e))));
        }
        if (goneSince(cached, fresh)) {
            return null;
        }
        if (sameVersion(cached, fresh)) {
            return new Applied(cached, decision, written);
        }
        Applied undone = decideAndApply(fresh, policy, namespaces, written.now(), now);
        // The stage its writes gave, for the history: the decision's, when its writes all went in and the bindings
        // follow the decision (not while grants are withheld or the spec has fields this operator does not know).
        boolean decided = decision != null && !policy.grantsWithheld() && UnknownFields.of(cached).isEmpty();
        return new Applied(fresh, undone.decision(), written.then(undone.result()),
                written.complete() && decided ? new AccessEvents.PassedThrough(cached.getSpec(), decision) : null);
    }

    /**
     * The EngineerAccess could not be read before its bindings change ({@code what} failed: {@code unreadable}):
     * nothing is granted or corrected on the cached copy, but the bindings that copy no longer wants are removed all
     * the same (decision 81). A read can only show an edit; for a removal the worst that follows is access taken away
     * and given back once it can be read, while waiting for the read would keep access past its expiry for as long as
     * reads fail. The reconciliation counts as failed, and the retry reads.
     */
    private Applied removeOnly(EngineerAccess cached, Decision decision, List<RoleBinding> ours, BindingDiff.Changes changes,
            String what, KubernetesClientException unreadable) {
        String why = what + ": " + ApiErrors.inWords(unreadable);
        if (changes.delete().isEmpty()) {
            return new Applied(cached, decision, BindingWriter.Result.failed(ours, List.of(why + "; nothing is granted until it"
                    + " can be read"), ApiErrors.unreachable(unreadable)));
        }
        BindingWriter.Result removed = writer.apply(cached, new BindingDiff.Changes(List.of(), List.of(), List.of(), changes.delete()), ours,
                recentWrites);
        return new Applied(cached, decision, removed.then(BindingWriter.Result.failed(removed.now(), List.of(why + "; what its cached"
                + " copy no longer grants was removed all the same, and nothing is granted until it can be read"),
                ApiErrors.unreachable(unreadable))));
    }

    /** Decides on {@code ea} and applies the difference from {@code ours}, the bindings it has now. */
    private Applied decideAndApply(EngineerAccess ea, PolicyState policy, List<NamespaceInfo> namespaces, List<RoleBinding> ours, Instant now) {
        Decision decision = decide(ea, policy, now);
        BindingDiff.Changes changes = BindingDiff.diff(desired(ea, decision, policy, namespaces, ours, now), ours);
        return new Applied(ea, decision, writer.apply(ea, changes, ours, recentWrites));
    }

    /** Whether the API server's copy shows the cached EngineerAccess deleted, or deleted and created again (another UID). */
    private static boolean goneSince(EngineerAccess cached, EngineerAccess live) {
        return live == null || !live.getMetadata().getUid().equals(cached.getMetadata().getUid());
    }

    private static boolean sameVersion(EngineerAccess cached, EngineerAccess live) {
        return Objects.equals(live.getMetadata().getResourceVersion(), cached.getMetadata().getResourceVersion());
    }

    private static boolean onlyDeletions(BindingDiff.Changes changes) {
        return changes.create().isEmpty() && changes.replace().isEmpty() && changes.update().isEmpty() && !changes.delete().isEmpty();
    }

    /** Whether a change has fallen due: the last status's next transition, or a binding's expiry, has come. */
    private static boolean fallenDue(EngineerAccessStatus status, List<RoleBinding> ours, Instant now) {
        Instant next = recordedNext(status, ours);
        return next != null && !next.isAfter(now);
    }

    /** {@link #recordedNext} from the caches, or null when even they cannot say. */
    private Instant recordedNextOrNull(EngineerAccess ea) {
        try {
            return recordedNext(ea.getStatus(), caches.bindingsOf(ea));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The next change the cluster records for an engineer: its status's next transition or its bindings' first expiry. */
    static Instant recordedNext(EngineerAccessStatus status, List<RoleBinding> ours) {
        Instant next = null;
        if (status != null && status.nextTransitionTime != null) {
            try {
                next = Instant.parse(status.nextTransitionTime);
            } catch (RuntimeException e) {
                next = null;
            }
        }
        return earliest(next, earliestExpiry(ours));
    }

    /**
     * Whether an engineer waiting for a reconciliation should go ahead of the others (decision 67): it was edited or
     * created since its status was written, or the next change its status records has come.
     */
    static boolean urgent(EngineerAccess ea, Instant now) {
        EngineerAccessStatus status = ea.getStatus();
        if (status == null || !Objects.equals(status.observedGeneration, ea.getMetadata().getGeneration())) {
            return true;
        }
        Instant next = recordedNext(status, List.of());
        return next != null && !next.isAfter(now);
    }

    /**
     * Arms, before the first pass reaches them, the next change each engineer's status and bindings record (decision
     * 67): after a start or a takeover every engineer is queued at once, and one that falls due meanwhile goes to the
     * front instead of waiting its turn.
     */
    private void armRecordedTransitions(Context<EngineerAccess> context) {
        Map<ResourceID, Instant> recorded = new HashMap<>();
        context.getPrimaryCache().list().forEach(ea -> {
            Instant next = recordedNext(ea.getStatus(), caches.bindingsOf(ea));
            if (next != null) {
                recorded.put(ResourceID.fromResource(ea), next);
            }
        });
        transitions.seed(recorded);
    }

    /**
     * The EngineerAccess is marked for deletion and someone's finalizers hold it (decision 70). JOSDK no longer
     * reconciles it, and the garbage collector removes its bindings only once it is gone, however long that takes,
     * so its expiries would not apply either: its bindings are removed now, and the removal recorded once they are
     * gone.
     */
    private void deleting(EngineerAccess ea) {
        transitions.cancel(ResourceID.fromResource(ea));
        readAhead.forget(ea.getMetadata().getName());
        events.forget(ea);
        orphans.deleting(ea, gone -> removedWhileDeleting(ea, gone));
    }

    /**
     * Every binding of an EngineerAccess marked for deletion is gone (decision 70): its status is written to hold
     * nothing, then the removal is recorded, of the bindings this process removed ({@code gone}), or else of those the
     * status still listed. False when there was nothing to record: the status already held nothing (a process before
     * this one recorded it, or the engineer never had access). A status that does not yet say the EngineerAccess is
     * being deleted is written all the same; with nothing held, that adds no history and records no Event.
     */
    private boolean removedWhileDeleting(EngineerAccess marked, List<RoleBinding> gone) {
        EngineerAccess latest = caches.engineer(marked.getMetadata().getName())
                .filter(ea -> ea.getMetadata().getUid().equals(marked.getMetadata().getUid())).orElse(marked);
        boolean toRecord = !gone.isEmpty() || StatusBuilder.holdsAccess(latest.getStatus());
        if (!toRecord && StatusBuilder.saysBeingDeleted(latest.getStatus())) {
            return false;
        }
        Instant now = clock.instant();
        StatusWrites.replaceOutsideReconciliation(client, latest, ea -> AccessEvents.whileDeleting(ea, now))
                .ifPresent(w -> events.written(w.before(), w.before().getStatus(), w.status()));
        events.removedWhileDeleting(latest, gone);
        return toRecord;
    }

    /**
     * The EngineerAccess is gone: no more wake-ups, retries or recent writes for it, and it leaves the metrics. Its
     * bindings go with it, removed by the garbage collector (they are owned by it); the removal is recorded once they
     * are gone, and any that remain are removed by {@link Orphans}.
     */
    private void forget(EngineerAccess ea) {
        transitions.cancel(ResourceID.fromResource(ea));
        recentWrites.forget(ea.getMetadata().getName());
        readAhead.forget(ea.getMetadata().getName());
        events.forget(ea);
        orphans.deleted(ea, () -> events.removed(ea));
        lookAgain(ea, true);
    }

    /** Wakes the EngineerAccess objects of the same person whose refusal may have changed with this one. */
    private void lookAgain(EngineerAccess ea, boolean deleted) {
        SamePerson same = samePerson;
        if (same != null) {
            same.toLookAgain(ea, deleted).forEach(name -> transitions.schedule(new ResourceID(name), clock.instant()));
        }
    }

    /**
     * The bindings wanted. With no policy in force: the existing ones for the subject the EngineerAccess names, less
     * those whose expiry has passed. For an EngineerAccess with fields this operator does not know, or while the
     * policy in force only takes access away (decision 73): the existing ones that give what the decision still wants
     * (the same role and subjects), less those whose expiry has passed (nothing new). A binding to a ClusterRole the
     * operator may not bind is never made, and never removed for that reason; an existing one of that name that gives
     * other access (another role, another subject) is removed (decision 74).
     */
    private static List<RoleBinding> desired(EngineerAccess ea, Decision decision, PolicyState policy, List<NamespaceInfo> namespaces,
            List<RoleBinding> existing, Instant now) {
        List<RoleBinding> unexpired = existing.stream().filter(rb -> {
            Instant expiry = BindingDiff.expiryOf(rb);
            return expiry == null || expiry.isAfter(now);
        }).toList();
        if (decision == null) {
            // Frozen: nothing is decided, but a binding for a person not named, or one no policy could justify, goes.
            return BindingDiff.withinReach(BindingDiff.forSubject(unexpired, ea.getSpec().subject), AnyPolicy.of(ea.getSpec(), now));
        }
        String name = ea.getMetadata().getName();
        OwnerReference owner = owner(ea);
        List<RoleBinding> wanted = ManagedBindings.desired(name, decision, policy.policy(), namespaces).stream()
                .map(d -> BindingDiff.toRoleBinding(d, name, ea.getSpec().subject, owner)).toList();
        if (!UnknownFields.of(ea).isEmpty() || policy.grantsWithheld()) {
            return BindingDiff.alreadyHeld(wanted, unexpired);
        }
        return BindingDiff.keepingUnbindable(wanted, existing, policy.unbindable().keySet());
    }

    /**
     * The decision by the policy in force, or null when there is none (access is then frozen). For an EngineerAccess
     * with fields this operator does not know, it is made on the fields it knows, and only ever takes access away
     * ({@link #desired}).
     */
    private Decision decide(EngineerAccess ea, PolicyState policy, Instant now) {
        if (!policy.usable()) {
            return null;
        }
        // One person, one EngineerAccess: one that another, earlier EngineerAccess of the same person keeps grants nothing.
        Optional<Problem> duplicate = samePerson.refusal(ea);
        return duplicate.isPresent() ? Decision.invalid(List.of(duplicate.get()))
                : AccessRules.decide(ea.getMetadata().getName(), ea.getSpec(), policy.policy(), now);
    }

    private static OwnerReference owner(EngineerAccess ea) {
        return new OwnerReferenceBuilder().withApiVersion(EngineerAccess.API_VERSION).withKind("EngineerAccess")
                .withName(ea.getMetadata().getName()).withUid(ea.getMetadata().getUid()).withController(true).build();
    }

    @SuppressWarnings("unchecked")
    private static <R extends io.fabric8.kubernetes.api.model.HasMetadata> InformerEventSource<R, EngineerAccess> informer(
            Context<EngineerAccess> context, Class<R> type, String name) {
        return (InformerEventSource<R, EngineerAccess>) context.eventSourceRetriever().getEventSourceFor(type, name);
    }

    private PolicyState policy(Context<EngineerAccess> context) {
        return bindRights.check(informer(context, AccessPolicy.class, "policies").get(new ResourceID(AccessPolicy.DEFAULT_NAME))
                .map(policies::state)
                .orElseGet(policies::absent));
    }

    private static List<NamespaceInfo> namespaces(Context<EngineerAccess> context) {
        return informer(context, Namespace.class, "namespaces").list(ns -> true)
                .map(ns -> new NamespaceInfo(ns.getMetadata().getName(),
                        ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels(),
                        ns.getMetadata().getDeletionTimestamp() != null))
                .toList();
    }

    /**
     * The engineer's bindings the operator may manage for this EngineerAccess (ours, or adopted from an earlier
     * EngineerAccess of the same name), as the informer has them with our own recent writes laid over.
     */
    private List<RoleBinding> ownedBindings(Context<EngineerAccess> context, EngineerAccess ea) {
        String engineer = ea.getMetadata().getName();
        // The informer's index from engineer to bindings (its secondary-to-primary mapper reads the engineer label):
        // a look-up, not a scan of every binding, so a reconciliation costs the same with 500 engineers or 10,000.
        return recentWrites.overlay(engineer, () -> informer(context, RoleBinding.class, BINDINGS).getSecondaryResources(ea).stream()
                .filter(rb -> rb.getMetadata().getLabels() != null
                        && engineer.equals(rb.getMetadata().getLabels().get(ManagedBindings.ENGINEER_LABEL)))
                .collect(Collectors.toCollection(ArrayList::new))).stream()
                .filter(rb -> Ownership.mayManage(rb, engineer, ea.getMetadata().getUid()))
                .sorted(Comparator.comparing(BindingDiff::key)).toList();
    }

    static BindingStatus bindingStatus(RoleBinding rb) {
        Instant expiry = BindingDiff.expiryOf(rb);
        return new BindingStatus(rb.getMetadata().getNamespace(), rb.getMetadata().getName(), rb.getRoleRef().getName(),
                expiry == null ? null : expiry.toString());
    }

    private static Instant earliestExpiry(List<RoleBinding> bindings) {
        return bindings.stream().map(BindingDiff::expiryOf).filter(Objects::nonNull).min(Comparator.naturalOrder()).orElse(null);
    }

    private static Instant earliest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isBefore(b) ? a : b;
    }
}

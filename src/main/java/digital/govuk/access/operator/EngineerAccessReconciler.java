package digital.govuk.access.operator;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.BindingStatus;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.EngineerAccessStatus;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.bindings.BindingDiff;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.bindings.NamespaceInfo;
import digital.govuk.access.rules.AccessRules;
import digital.govuk.access.rules.Decision;
import digital.govuk.access.rules.PolicyReader;
import digital.govuk.access.status.PolicyState;
import digital.govuk.access.status.StatusBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
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
 * and Events. Thin: observe (caches), compute desired (the shared pure code), apply the difference,
 * write status, and schedule the next transition.
 */
@ControllerConfiguration(name = EngineerAccessReconciler.NAME)
@RBACRule(apiGroups = "rbac.authorization.k8s.io", resources = "rolebindings",
        verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.UPDATE, RBACVerbs.PATCH, RBACVerbs.DELETE})
@RBACRule(apiGroups = "rbac.authorization.k8s.io", resources = "clusterroles", verbs = "bind",
        resourceNames = {"production-deploy", "production-admin"})
@RBACRule(apiGroups = "", resources = "namespaces", verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH})
@RBACRule(apiGroups = "", resources = "events", verbs = {RBACVerbs.CREATE, RBACVerbs.PATCH})
@RBACRule(apiGroups = "coordination.k8s.io", resources = "leases",
        verbs = {RBACVerbs.GET, RBACVerbs.LIST, RBACVerbs.WATCH, RBACVerbs.CREATE, RBACVerbs.UPDATE, RBACVerbs.PATCH, RBACVerbs.DELETE})
public class EngineerAccessReconciler implements Reconciler<EngineerAccess>, Cleaner<EngineerAccess> {
    public static final String NAME = "engineeraccess";
    private static final Logger LOG = Logger.getLogger(EngineerAccessReconciler.class);

    private final Clock clock;
    private final TransitionScheduler transitions;
    private final BindingWriter writer;
    private final Audit audit;
    private final ReconcileStats stats;

    public EngineerAccessReconciler(Clock clock, TransitionScheduler transitions,
            BindingWriter writer, Audit audit, ReconcileStats stats) {
        this.clock = clock;
        this.transitions = transitions;
        this.writer = writer;
        this.audit = audit;
        this.stats = stats;
    }

    @Override
    public List<EventSource<?, EngineerAccess>> prepareEventSources(EventSourceContext<EngineerAccess> context) {
        InformerEventSource<RoleBinding, EngineerAccess> bindings = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(RoleBinding.class, EngineerAccess.class)
                        .withName("managed-rolebindings")
                        .withWatchAllNamespaces()
                        .withLabelSelector(ManagedBindings.MANAGED_BY_LABEL + "=" + ManagedBindings.MANAGED_BY)
                        .withSecondaryToPrimaryMapper(rb -> {
                            String engineer = rb.getMetadata().getLabels() == null ? null
                                    : rb.getMetadata().getLabels().get(ManagedBindings.ENGINEER_LABEL);
                            return engineer == null ? Set.of() : Set.of(new ResourceID(engineer));
                        })
                        .build(),
                context);
        InformerEventSource<Namespace, EngineerAccess> namespaces = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Namespace.class, EngineerAccess.class)
                        .withName("namespaces")
                        .withWatchAllNamespaces()
                        .withSecondaryToPrimaryMapper(ns -> allEngineers(context))
                        // Only a change of labels or the start of deletion can move bindings.
                        .withOnUpdateFilter((now, before) -> !Objects.equals(now.getMetadata().getLabels(), before.getMetadata().getLabels())
                                || !Objects.equals(now.getMetadata().getDeletionTimestamp(), before.getMetadata().getDeletionTimestamp()))
                        .build(),
                context);
        InformerEventSource<AccessPolicy, EngineerAccess> policies = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(AccessPolicy.class, EngineerAccess.class)
                        .withName("policies")
                        .withWatchAllNamespaces()
                        .withSecondaryToPrimaryMapper(p -> AccessPolicy.DEFAULT_NAME.equals(p.getMetadata().getName())
                                ? allEngineers(context) : Set.of())
                        .build(),
                context);
        return List.of(bindings, namespaces, policies, transitions);
    }

    private static Set<ResourceID> allEngineers(EventSourceContext<EngineerAccess> context) {
        return context.getPrimaryCache().list().map(ResourceID::fromResource).collect(Collectors.toSet());
    }

    @Override
    public UpdateControl<EngineerAccess> reconcile(EngineerAccess ea, Context<EngineerAccess> context) {
        Instant now = clock.instant();
        String name = ea.getMetadata().getName();
        PolicyState policy = policy(context);
        List<NamespaceInfo> namespaces = namespaces(context);
        List<RoleBinding> existing = existingBindings(context, name);

        Decision decision = decide(ea, policy, now);
        List<RoleBinding> desired = desired(ea, decision, policy, namespaces, existing, now);
        BindingDiff.Changes changes = BindingDiff.diff(desired, existing);
        BindingWriter.Result result = changes.none()
                ? new BindingWriter.Result(existing, List.of(), List.of(), List.of(), List.of())
                : writer.apply(ea, changes, existing, fresh -> freshDesired(fresh, policy, namespaces, existing),
                        cacheOwnWrites(context));

        List<BindingStatus> bindings = result.now().stream().map(EngineerAccessReconciler::bindingStatus).toList();
        EngineerAccessStatus previous = ea.getStatus();
        Long generation = ea.getMetadata().getGeneration();
        Instant nextExpiry = earliestExpiry(result.now());
        EngineerAccessStatus status = decision != null
                ? StatusBuilder.build(decision, policy, bindings, result.complete(), String.join("; ", result.failures()),
                        previous, generation, now)
                : StatusBuilder.withInvalidPolicy(policy, bindings, nextExpiry, previous, generation, now);

        recordChanges(ea, decision, policy, previous, status, result, now);
        if (!status.equals(previous)) {
            StatusWrites.replace(ea, status, context, EngineerAccess::new);
        }

        Instant next = earliest(decision == null ? null : decision.nextTransitionTime(), nextExpiry);
        transitions.schedule(ResourceID.fromResource(ea), next);
        if (!result.complete()) {
            throw new IllegalStateException("bindings for " + name + " not fully applied: " + String.join("; ", result.failures()));
        }
        stats.completed(name);
        return UpdateControl.noUpdate();
    }

    @Override
    public DeleteControl cleanup(EngineerAccess ea, Context<EngineerAccess> context) {
        transitions.cancel(ResourceID.fromResource(ea));
        List<RoleBinding> deleted = writer.deleteAll(ea.getMetadata().getName());
        if (!deleted.isEmpty()) {
            audit.record(ea, "AccessRemoved", false, "None", namespacesOf(deleted),
                    "The EngineerAccess was deleted, so all its RoleBindings were removed: " + describe(deleted));
        }
        return DeleteControl.defaultDelete();
    }

    /** The bindings wanted. With an invalid policy: the existing ones, less those whose expiry has passed. */
    private List<RoleBinding> desired(EngineerAccess ea, Decision decision, PolicyState policy, List<NamespaceInfo> namespaces,
            List<RoleBinding> existing, Instant now) {
        if (decision == null) {
            return existing.stream().filter(rb -> {
                Instant expiry = BindingDiff.expiryOf(rb);
                return expiry == null || expiry.isAfter(now);
            }).toList();
        }
        String name = ea.getMetadata().getName();
        OwnerReference owner = owner(ea);
        return ManagedBindings.desired(name, decision, policy.policy(), namespaces).stream()
                .map(d -> BindingDiff.toRoleBinding(d, name, ea.getSpec().subject, owner)).toList();
    }

    private List<RoleBinding> freshDesired(EngineerAccess fresh, PolicyState policy, List<NamespaceInfo> namespaces,
            List<RoleBinding> existing) {
        Instant now = clock.instant();
        return desired(fresh, decide(fresh, policy, now), policy, namespaces, existing, now);
    }

    /** The decision, or null while the policy is invalid (access is then frozen). */
    private static Decision decide(EngineerAccess ea, PolicyState policy, Instant now) {
        return policy.valid() ? AccessRules.decide(ea.getMetadata().getName(), ea.getSpec(), policy.policy(), now) : null;
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

    private static PolicyState policy(Context<EngineerAccess> context) {
        return informer(context, AccessPolicy.class, "policies").get(new ResourceID(AccessPolicy.DEFAULT_NAME))
                .map(p -> PolicyState.of(PolicyReader.read(p.getSpec())))
                .orElseGet(PolicyState::builtInDefaults);
    }

    private static List<NamespaceInfo> namespaces(Context<EngineerAccess> context) {
        return informer(context, Namespace.class, "namespaces").list(ns -> true)
                .map(ns -> new NamespaceInfo(ns.getMetadata().getName(),
                        ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels(),
                        ns.getMetadata().getDeletionTimestamp() != null))
                .toList();
    }

    private static List<RoleBinding> existingBindings(Context<EngineerAccess> context, String engineer) {
        return informer(context, RoleBinding.class, "managed-rolebindings")
                .list(rb -> rb.getMetadata().getLabels() != null
                        && engineer.equals(rb.getMetadata().getLabels().get(ManagedBindings.ENGINEER_LABEL)))
                .sorted(Comparator.comparing(BindingDiff::key))
                .collect(Collectors.toCollection(ArrayList::new));
    }

    private static BindingWriter.Written cacheOwnWrites(Context<EngineerAccess> context) {
        InformerEventSource<RoleBinding, EngineerAccess> cache = informer(context, RoleBinding.class, "managed-rolebindings");
        return new BindingWriter.Written() {
            @Override
            public void created(RoleBinding now) {
                cache.handleRecentResourceCreate(ResourceID.fromResource(now), now);
            }

            @Override
            public void updated(RoleBinding now, RoleBinding before) {
                cache.handleRecentResourceUpdate(ResourceID.fromResource(now), now, before);
            }
        };
    }

    /** Events and log lines for what changed: grants, revocations, expiries, repairs, rejections, errors. */
    private void recordChanges(EngineerAccess ea, Decision decision, PolicyState policy, EngineerAccessStatus previous,
            EngineerAccessStatus status, BindingWriter.Result result, Instant now) {
        String level = String.valueOf(status.level);
        Set<String> before = previous == null || previous.bindings == null ? Set.of()
                : previous.bindings.stream().map(b -> b.namespace + "/" + b.name).collect(Collectors.toSet());
        List<RoleBinding> granted = result.created().stream().filter(rb -> !before.contains(BindingDiff.key(rb))).toList();
        List<RoleBinding> restored = new ArrayList<>(result.repaired());
        result.created().stream().filter(rb -> before.contains(BindingDiff.key(rb))).forEach(restored::add);
        if (!granted.isEmpty()) {
            audit.record(ea, "AccessGranted", false, level, namespacesOf(granted), "Granted " + describe(granted)
                    + " (" + StatusBuilder.format(now) + ")" + (Boolean.TRUE.equals(status.supervised) ? "; Admin must be used under supervision" : ""));
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
        }
        if (becameFalse(previous, status, StatusBuilder.SPEC_VALID)) {
            audit.record(ea, "SpecInvalid", true, level, "-", "The spec is invalid, so no access is granted: "
                    + condition(status, StatusBuilder.SPEC_VALID));
        }
        if (becameFalse(previous, status, StatusBuilder.POLICY_VALID)) {
            audit.record(ea, "PolicyInvalid", true, level, "-", condition(status, StatusBuilder.POLICY_VALID)
                    + ". Access is frozen: nothing new is granted, nothing is revoked, time-limited access still ends.");
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
        if (!result.complete()) {
            audit.record(ea, "BindingsNotApplied", true, level, "-", String.join("; ", result.failures()));
        }
        if (previous != null && previous.level != null && previous.level != status.level && granted.isEmpty() && revoked.isEmpty()
                && expired.isEmpty()) {
            LOG.infof("engineer=%s level=%s namespaces=- reason=LevelChanged message=\"%s -> %s with no namespace selected\"",
                    ea.getMetadata().getName(), level, previous.level, status.level);
        }
    }

    /** Why a binding that has not expired was removed, in words. */
    private static String whyRemoved(RoleBinding rb, Decision decision) {
        if (decision == null) {
            return "the policy is invalid";
        }
        if (!decision.specValid()) {
            return "the spec is invalid";
        }
        boolean admin = ManagedBindings.ADMIN.equals(rb.getMetadata().getLabels().get(ManagedBindings.LEVEL_LABEL));
        Level needed = admin ? Level.Admin : Level.Deploy;
        if (decision.level().compareTo(needed) >= 0) {
            return "the policy no longer selects this namespace for " + needed;
        }
        String unmet = decision.unmet().stream().filter(u -> u.level == needed).map(u -> u.message).collect(Collectors.joining("; "));
        return unmet.isEmpty() ? needed + " is no longer held" : unmet;
    }

    private static boolean becameFalse(EngineerAccessStatus previous, EngineerAccessStatus status, String type) {
        String now = conditionStatus(status, type);
        String before = conditionStatus(previous, type);
        return "False".equals(now) && !"False".equals(before);
    }

    private static String conditionStatus(EngineerAccessStatus s, String type) {
        if (s == null || s.conditions == null) {
            return null;
        }
        return s.conditions.stream().filter(c -> type.equals(c.type)).map(c -> c.status).findFirst().orElse(null);
    }

    private static String condition(EngineerAccessStatus s, String type) {
        return s.conditions.stream().filter(c -> type.equals(c.type)).map(c -> c.message).findFirst().orElse("");
    }

    private static BindingStatus bindingStatus(RoleBinding rb) {
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

    private static String namespacesOf(List<RoleBinding> bindings) {
        return bindings.stream().map(rb -> rb.getMetadata().getNamespace()).distinct().sorted().collect(Collectors.joining(","));
    }

    private static String describe(List<RoleBinding> bindings) {
        return bindings.stream().map(rb -> rb.getRoleRef().getName() + " in " + rb.getMetadata().getNamespace())
                .distinct().collect(Collectors.joining(", "));
    }
}

package digital.govuk.access.it;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.Condition;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.EngineerAccessStatus;
import digital.govuk.access.bindings.DesiredBinding;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.cli.Manifests;
import digital.govuk.access.cli.Plan;
import digital.govuk.access.rules.Problem;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Compares a cluster with what {@code plan} computes from the same objects at the same instant: every
 * managed RoleBinding and every EngineerAccess status. The tests that make the world hostile end here.
 *
 * @param expected       how many RoleBindings the decision wants
 * @param missing        wanted but absent ("engineer namespace/name role expiry")
 * @param extra          present but not wanted
 * @param statusDiffers  engineers whose status is not plan's (every lastTransitionTime and the history aside), first five
 * @param invalidGranted engineers with an invalid spec that hold any binding
 */
public record Convergence(int expected, List<String> missing, List<String> extra, List<String> statusDiffers,
        List<String> invalidGranted) {

    public boolean exact() {
        return missing.isEmpty() && extra.isEmpty() && statusDiffers.isEmpty() && invalidGranted.isEmpty();
    }

    @Override
    public String toString() {
        return expected + " bindings expected, " + missing.size() + " missing, " + extra.size() + " extra, "
                + statusDiffers.size() + " statuses differ, " + invalidGranted.size() + " grants from invalid specs";
    }

    /** The cluster seen through {@code client}, against plan at {@code at}. */
    public static Convergence of(KubernetesClient client, Instant at) {
        List<EngineerAccess> engineers = client.resources(EngineerAccess.class).list().getItems();
        Plan.Result plan = plan(client, engineers, at);

        TreeSet<String> want = new TreeSet<>();
        for (Plan.Engineer e : plan.engineers().values()) {
            for (DesiredBinding b : e.bindings()) {
                want.add(e.name() + " " + b.namespace() + "/" + b.name() + " " + b.clusterRole() + " " + b.expiry());
            }
        }
        TreeSet<String> have = new TreeSet<>();
        for (RoleBinding rb : client.rbac().roleBindings().inAnyNamespace()
                .withLabel(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.MANAGED_BY).list().getItems()) {
            String expiry = rb.getMetadata().getAnnotations() == null ? null
                    : rb.getMetadata().getAnnotations().get(ManagedBindings.EXPIRY_ANNOTATION);
            have.add(rb.getMetadata().getLabels().get(ManagedBindings.ENGINEER_LABEL) + " " + rb.getMetadata().getNamespace() + "/"
                    + rb.getMetadata().getName() + " " + rb.getRoleRef().getName() + " " + expiry);
        }
        List<String> missing = new ArrayList<>(want);
        missing.removeAll(have);
        List<String> extra = new ArrayList<>(have);
        extra.removeAll(want);

        List<String> differs = new ArrayList<>();
        List<String> invalidGranted = new ArrayList<>();
        Map<String, EngineerAccess> byName = new HashMap<>();
        engineers.forEach(ea -> byName.put(ea.getMetadata().getName(), ea));
        for (Plan.Engineer e : plan.engineers().values()) {
            EngineerAccessStatus actual = withoutTimes(byName.get(e.name()).getStatus());
            EngineerAccessStatus expected = withoutTimes(e.resource().getStatus());
            if (!expected.equals(actual)) {
                differs.add(e.name() + ": expected " + Serialization.asJson(expected) + " but was " + Serialization.asJson(actual));
            }
            if (!e.decision().specValid() && have.stream().anyMatch(h -> h.startsWith(e.name() + " "))) {
                invalidGranted.add(e.name());
            }
        }
        return new Convergence(want.size(), missing, extra, differs.size() > 5 ? differs.subList(0, 5) : differs, invalidGranted);
    }

    /** What plan computes at {@code at} for these engineers, with the cluster's policies and namespaces. */
    public static Plan.Result plan(KubernetesClient client, List<EngineerAccess> engineers, Instant at) {
        Manifests.Set set = new Manifests.Set(
                engineers.stream().map(ea -> source(ea.getMetadata().getName(), withoutStatus(ea))).collect(toList()),
                client.resources(AccessPolicy.class).list().getItems().stream().map(p -> source("policy", p)).collect(toList()),
                client.namespaces().list().getItems().stream().map(n -> source(n.getMetadata().getName(), n)).collect(toList()),
                new ArrayList<>());
        return Plan.compute(set, at, true);
    }

    private static <T> Manifests.Source<T> source(String where, T object) {
        return new Manifests.Source<>("cluster", where, object, List.<Problem>of());
    }

    private static <T> java.util.stream.Collector<T, ?, List<T>> toList() {
        return Collectors.toCollection(ArrayList::new);
    }

    private static EngineerAccess withoutStatus(EngineerAccess ea) {
        EngineerAccess copy = Serialization.clone(ea);
        copy.setStatus(null);
        return copy;
    }

    /**
     * A status with every lastTransitionTime cleared (plan stamps its own instant there) and no history (a record of
     * what happened on the cluster, which plan cannot know).
     */
    public static EngineerAccessStatus withoutTimes(EngineerAccessStatus status) {
        if (status == null) {
            return new EngineerAccessStatus();
        }
        EngineerAccessStatus copy = Serialization.clone(status);
        copy.history = new ArrayList<>();
        if (copy.conditions != null) {
            for (Condition c : copy.conditions) {
                c.lastTransitionTime = null;
            }
        }
        return copy;
    }
}

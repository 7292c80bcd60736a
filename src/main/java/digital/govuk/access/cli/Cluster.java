package digital.govuk.access.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;

import digital.govuk.access.api.UnknownFields;
import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.rules.Problem;
import digital.govuk.access.rules.Values;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Reads EngineerAccess, AccessPolicy and Namespace objects from a cluster, for {@code report} and
 * {@code explain}, and the RoleBindings and ClusterRoleBindings for {@code report --unexplained}: only reads,
 * with the user's own kubeconfig, as kubectl finds it. The objects then go through the same plan as files do.
 */
final class Cluster {
    /** The cluster could not be read: the message says why in plain words. */
    static final class Unreadable extends Exception {
        Unreadable(String message) {
            super(message);
        }
    }

    private final Config config;
    private final List<String> notes = new ArrayList<>();

    private Cluster(Config config) {
        // A command line answers or says why at once: no retries with back-off, bounded waits.
        config.setRequestRetryBackoffLimit(0);
        config.setConnectionTimeout(10_000);
        config.setRequestTimeout(30_000);
        this.config = config;
    }

    /** What the reader could not see but did without (namespaces it may not list). */
    List<String> notes() {
        return notes;
    }

    /**
     * The cluster of {@code kubeconfig} (null: {@code $KUBECONFIG}, else {@code ~/.kube/config}) and {@code context}
     * (null: its current context), as kubectl chooses it. kubectl passes no flags of its own to a plugin, so
     * {@code kubectl access} takes {@code --kubeconfig} and {@code --context} itself.
     */
    static Cluster connect(Path kubeconfig, String context) throws Unreadable {
        try {
            if (kubeconfig != null) {
                if (!Files.isRegularFile(kubeconfig)) {
                    throw new Unreadable("no kubeconfig file at " + kubeconfig);
                }
                return new Cluster(Config.fromKubeconfig(context, kubeconfig.toFile()));
            }
            return new Cluster(Config.autoConfigure(context));
        } catch (KubernetesClientException | IllegalArgumentException e) {
            throw new Unreadable("cannot use the kubeconfig" + (context == null ? "" : " context '" + Values.cut(context) + "'") + ": "
                    + Values.cut(e.getMessage() == null ? "it cannot be read" : e.getMessage(), 200));
        }
    }

    /** Every EngineerAccess, the AccessPolicy objects and the namespaces. */
    Manifests.Set readAll() throws Unreadable {
        try (KubernetesClient client = client()) {
            List<Manifests.Source<EngineerAccess>> engineers = new ArrayList<>();
            for (EngineerAccess ea : client.resources(EngineerAccess.class).list().getItems()) {
                engineers.add(source(ea.getMetadata().getName(), ea));
            }
            return set(client, engineers);
        } catch (KubernetesClientException e) {
            throw unreadable(e, ENGINEERS, ENGINEERS_404);
        }
    }

    /** One EngineerAccess (none when it does not exist), the AccessPolicy objects and the namespaces. */
    Manifests.Set readFor(String name) throws Unreadable {
        try (KubernetesClient client = client()) {
            EngineerAccess ea = client.resources(EngineerAccess.class).withName(name).get();
            List<Manifests.Source<EngineerAccess>> engineers = new ArrayList<>();
            if (ea != null) {
                engineers.add(source(name, ea));
            }
            return set(client, engineers);
        } catch (KubernetesClientException e) {
            throw unreadable(e, ENGINEERS, ENGINEERS_404);
        }
    }

    /** The bindings in the cluster and the AccessPolicy named default (null when there is none). */
    record Bindings(List<RoleBinding> roleBindings, List<ClusterRoleBinding> clusterRoleBindings, AccessPolicy policy) {
    }

    /** Every RoleBinding in every namespace, every ClusterRoleBinding, and the AccessPolicy named default. */
    Bindings readBindings() throws Unreadable {
        String reading = "read the AccessPolicy named default there";
        try (KubernetesClient client = client()) {
            AccessPolicy policy = client.resources(AccessPolicy.class).withName(AccessPolicy.DEFAULT_NAME).get();
            reading = "list RoleBindings in all namespaces there";
            List<RoleBinding> roleBindings = client.rbac().roleBindings().inAnyNamespace().list().getItems();
            reading = "list ClusterRoleBindings there";
            List<ClusterRoleBinding> clusterRoleBindings = client.rbac().clusterRoleBindings().list().getItems();
            return new Bindings(roleBindings, clusterRoleBindings, policy);
        } catch (KubernetesClientException e) {
            throw unreadable(e, reading, null);
        }
    }

    private KubernetesClient client() {
        // An EngineerAccess with fields this version does not know is read, and refused on its own by the plan.
        return new KubernetesClientBuilder().withConfig(config)
                .withKubernetesSerialization(new KubernetesSerialization(UnknownFields.register(new ObjectMapper()), true)).build();
    }

    private Manifests.Set set(KubernetesClient client, List<Manifests.Source<EngineerAccess>> engineers) {
        List<Manifests.Source<AccessPolicy>> policies = new ArrayList<>();
        for (AccessPolicy p : client.resources(AccessPolicy.class).list().getItems()) {
            policies.add(source("AccessPolicy " + p.getMetadata().getName(), p));
        }
        List<Manifests.Source<Namespace>> namespaces = new ArrayList<>();
        try {
            for (Namespace ns : client.namespaces().list().getItems()) {
                namespaces.add(source(ns.getMetadata().getName(), ns));
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() != 403) {
                throw e;
            }
            notes.add("you may not list namespaces, so the namespaces of each access are not shown");
        }
        return new Manifests.Set(engineers, policies, namespaces, new ArrayList<>());
    }

    private static <T> Manifests.Source<T> source(String where, T object) {
        return new Manifests.Source<>("cluster", where, object, List.<Problem>of());
    }

    private static final String ENGINEERS = "read EngineerAccess, AccessPolicy and Namespace objects there";
    private static final String ENGINEERS_404 = "the cluster does not serve EngineerAccess objects (404): are the CRDs installed?";

    /**
     * Why a read failed, in one sentence: {@code mayNot} says what the user may not do when refused (403),
     * {@code notServed} what a 404 means (null: the API server's own words).
     */
    private Unreadable unreadable(KubernetesClientException e, String mayNot, String notServed) {
        String why;
        if (e.getCode() == 401) {
            why = "the cluster did not accept your credentials (401): log in again";
        } else if (e.getCode() == 403) {
            String said = e.getStatus() == null ? null : e.getStatus().getMessage();
            why = "you may not " + mayNot + " (403)" + (said == null || said.isBlank() ? "" : ": " + Values.cut(said, 200));
        } else if (e.getCode() == 404 && notServed != null) {
            why = notServed;
        } else if (e.getCode() > 0) {
            why = "the API server answered " + e.getCode() + ": "
                    + Values.cut(e.getStatus() == null || e.getStatus().getMessage() == null ? "" : e.getStatus().getMessage(), 200);
        } else {
            why = "the API server could not be reached";
        }
        return new Unreadable("cannot read the cluster at " + Values.cut(config.getMasterUrl()) + ": " + why);
    }
}

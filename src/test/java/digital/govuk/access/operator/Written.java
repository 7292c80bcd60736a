package digital.govuk.access.operator;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.AccessPolicyStatus;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.EngineerAccessStatus;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * What the operator has written, read inside a wait. Something not written yet is an AssertionError, never a null to
 * trip over: awaitility's untilAsserted goes on waiting after an AssertionError only, so a NullPointerException at the
 * first look fails a test that would have passed a moment later (how CI went red on 2026-12-06).
 */
public final class Written {

    private Written() {
    }

    public static EngineerAccessStatus status(KubernetesClient client, String engineer) {
        EngineerAccess ea = client.resources(EngineerAccess.class).withName(engineer).get();
        if (ea == null) {
            throw new AssertionError("no EngineerAccess " + engineer);
        }
        if (ea.getStatus() == null) {
            throw new AssertionError(engineer + " has no status yet");
        }
        return ea.getStatus();
    }

    public static AccessPolicyStatus policyStatus(KubernetesClient client, String name) {
        AccessPolicy policy = client.resources(AccessPolicy.class).withName(name).get();
        if (policy == null) {
            throw new AssertionError("no AccessPolicy " + name);
        }
        if (policy.getStatus() == null) {
            throw new AssertionError("the AccessPolicy " + name + " has no status yet");
        }
        return policy.getStatus();
    }

    /** The policy's status once it records a policy in force (status.inForce). */
    public static AccessPolicyStatus policyInForce(KubernetesClient client, String name) {
        AccessPolicyStatus status = policyStatus(client, name);
        if (status.inForce == null) {
            throw new AssertionError("the AccessPolicy " + name + " records no policy in force yet");
        }
        return status;
    }

    public static RoleBinding binding(KubernetesClient client, String namespace, String name) {
        RoleBinding binding = client.rbac().roleBindings().inNamespace(namespace).withName(name).get();
        if (binding == null) {
            throw new AssertionError("no RoleBinding " + namespace + "/" + name);
        }
        return binding;
    }
}

package digital.govuk.access.operator;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.bindings.ManagedBindings;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.awaitility.Awaitility;

/** Small manifests for the operator tests, written as YAML so they read like what users write. */
public final class Fixtures {
    private Fixtures() {
    }

    static Namespace namespace(String name, String... labels) {
        NamespaceBuilder b = new NamespaceBuilder().withNewMetadata().withName(name).endMetadata();
        for (String label : labels) {
            b.editMetadata().addToLabels(label, "true").endMetadata();
        }
        return b.build();
    }

    static final String DEPLOY_LABEL = "access.govuk.digital/deploy";
    static final String ADMIN_LABEL = "access.govuk.digital/admin";

    /** An engineer who meets the Deploy rules (and, with {@code extra}, more). */
    static EngineerAccess engineer(String name, String extra) {
        return engineer(name, extra, "tech.lead@example.gov.uk");
    }

    /** An engineer who meets the Deploy rules with an approval from {@code techLead} (and, with {@code extra}, more). */
    public static EngineerAccess engineer(String name, String extra, String techLead) {
        return Serialization.unmarshal("""
                apiVersion: access.govuk.digital/v1alpha1
                kind: EngineerAccess
                metadata:
                  name: %s
                spec:
                  fullName: Test Engineer
                  role: Developer
                  employment: CivilServant
                  subject: {kind: User, name: %s@example.gov.uk}
                  clearance: {level: BPSS, grantedOn: "2026-01-05"}
                  deployApproval:
                    approvedBy: %s
                    approvedOn: "2026-02-02"
                    confirmations: {codeReview: true, releaseResponsibilities: true, rollback: true, gettingHelp: true}
                %s""".formatted(name, name, techLead, extra.indent(2)), EngineerAccess.class);
    }

    /** Probation passed and the shifts that earn Admin (AdminShadow shift ended before {@link TestClock#START}). */
    public static final String EARNED_ADMIN = """
            probation: {passedOn: "2026-06-01"}
            shifts:
            - {role: Shadow, startTime: "2026-09-07T09:00:00Z", endTime: "2026-09-11T17:00:00Z"}
            - {role: AdminShadow, startTime: "2026-10-05T09:00:00Z", endTime: "2026-10-09T17:00:00Z"}
            """;

    public static String exception(String start, String expiry) {
        return """
                exceptions:
                - approvedBy: head.of.tech@example.gov.uk
                  businessCase: Incident cover
                  supervisor: sam.primary@example.gov.uk
                  startTime: "%s"
                  expiryTime: "%s"
                """.formatted(start, expiry);
    }

    /**
     * A binding as an earlier operator process left it for {@code owner} (created): level {@code deploy} or
     * {@code admin}, to the chart's default ClusterRole, with an expiry when {@code expiry} is not null.
     */
    static RoleBinding managedBinding(EngineerAccess owner, String namespace, String level, String expiry) {
        Map<String, String> annotations = new HashMap<>();
        if (expiry != null) {
            annotations.put(ManagedBindings.EXPIRY_ANNOTATION, expiry);
        }
        return new RoleBindingBuilder()
                .withNewMetadata().withName(owner.getMetadata().getName() + "-" + level).withNamespace(namespace)
                .withLabels(Map.of(ManagedBindings.MANAGED_BY_LABEL, ManagedBindings.MANAGED_BY,
                        ManagedBindings.ENGINEER_LABEL, owner.getMetadata().getName(), ManagedBindings.LEVEL_LABEL, level))
                .withAnnotations(annotations)
                .addNewOwnerReference().withApiVersion(EngineerAccess.API_VERSION).withKind("EngineerAccess")
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid()).withController(true).endOwnerReference()
                .endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName("production-" + level).endRoleRef()
                .addNewSubject().withKind("User").withName(owner.getSpec().subject.name)
                .withApiGroup("rbac.authorization.k8s.io").endSubject()
                .build();
    }

    static AccessPolicy policy(String specYaml) {
        return Serialization.unmarshal("""
                apiVersion: access.govuk.digital/v1alpha1
                kind: AccessPolicy
                metadata:
                  name: default
                spec:
                %s""".formatted(specYaml.indent(2)), AccessPolicy.class);
    }

    /**
     * Makes the AccessPolicy named default hold the spec given (creating it when there is none), and waits until the
     * operator has recorded that generation: without an AccessPolicy the operator grants nothing (decision 76).
     */
    static AccessPolicy ensurePolicy(KubernetesClient client, String specYaml, Duration patience) {
        AccessPolicy wanted = policy(specYaml);
        AccessPolicy current = client.resources(AccessPolicy.class).withName(AccessPolicy.DEFAULT_NAME).get();
        if (current == null) {
            current = client.resource(wanted).create();
        } else if (!Serialization.asJson(current.getSpec()).equals(Serialization.asJson(wanted.getSpec()))) {
            current.setSpec(wanted.getSpec());
            current = client.resource(current).update();
        }
        long generation = current.getMetadata().getGeneration();
        Awaitility.await().atMost(patience).ignoreExceptions().until(() -> {
            AccessPolicy now = client.resources(AccessPolicy.class).withName(AccessPolicy.DEFAULT_NAME).get();
            return now.getStatus().observedGeneration >= generation;
        });
        return current;
    }

    static final String APPROVERS = """
            exceptionApprovers:
            - {name: head.of.tech@example.gov.uk, role: HeadOfTechnology}
            """;
}

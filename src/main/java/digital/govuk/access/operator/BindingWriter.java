package digital.govuk.access.operator;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.bindings.BindingDiff;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.URLUtils;

/**
 * Applies binding changes with plain create, update (with resourceVersion) and delete (with a UID
 * precondition). Before removing any binding it reads the EngineerAccess fresh from the API server,
 * decides again, and removes only what the fresh decision does not want.
 */
@ApplicationScoped
public class BindingWriter {
    private static final Logger LOG = Logger.getLogger(BindingWriter.class);

    /** What was done, and the engineer's bindings as they are afterwards. */
    public record Result(List<RoleBinding> now, List<RoleBinding> created, List<RoleBinding> deleted,
            List<RoleBinding> repaired, List<String> failures) {
        public boolean complete() {
            return failures.isEmpty();
        }
    }

    /** Told of each write, so the informer cache can hold our own writes before their watch events arrive. */
    public interface Written {
        void created(RoleBinding now);

        void updated(RoleBinding now, RoleBinding before);
    }

    private final KubernetesClient client;

    public BindingWriter(KubernetesClient client) {
        this.client = client;
    }

    /**
     * @param freshDesired the bindings the rules want for a freshly read EngineerAccess (called only before deletes)
     */
    public Result apply(EngineerAccess engineer, BindingDiff.Changes changes, List<RoleBinding> existing,
            Function<EngineerAccess, List<RoleBinding>> freshDesired, Written written) {
        List<RoleBinding> now = new ArrayList<>(existing);
        List<RoleBinding> created = new ArrayList<>();
        List<RoleBinding> deleted = new ArrayList<>();
        List<RoleBinding> repaired = new ArrayList<>();
        List<String> failures = new ArrayList<>();

        for (RoleBinding rb : changes.create()) {
            try {
                RoleBinding made = create(rb);
                written.created(made);
                now.add(made);
                created.add(made);
            } catch (KubernetesClientException e) {
                failures.add("cannot create RoleBinding " + BindingDiff.key(rb) + ": " + describe(e));
            }
        }
        for (BindingDiff.Replacement r : changes.replace()) {
            try {
                if (deleteWithUid(r.existing())) {
                    remove(now, r.existing());
                }
                RoleBinding made = create(r.desired());
                written.created(made);
                now.add(made);
                repaired.add(made);
            } catch (KubernetesClientException e) {
                failures.add("cannot replace RoleBinding " + BindingDiff.key(r.existing()) + ": " + describe(e));
            }
        }
        for (RoleBinding rb : changes.update()) {
            try {
                RoleBinding updated = client.resource(rb).update();
                written.updated(updated, rb);
                remove(now, rb);
                now.add(updated);
                repaired.add(updated);
            } catch (KubernetesClientException e) {
                failures.add("cannot update RoleBinding " + BindingDiff.key(rb) + ": " + describe(e));
            }
        }
        if (!changes.delete().isEmpty()) {
            for (RoleBinding rb : confirmDeletes(engineer, changes.delete(), freshDesired)) {
                try {
                    deleteWithUid(rb);
                    remove(now, rb);
                    deleted.add(rb);
                } catch (KubernetesClientException e) {
                    failures.add("cannot delete RoleBinding " + BindingDiff.key(rb) + ": " + describe(e));
                }
            }
        }
        return new Result(now, created, deleted, repaired, failures);
    }

    /** Deletes every managed binding of an engineer, found by label on the API server (not the cache). */
    public List<RoleBinding> deleteAll(String engineer) {
        List<RoleBinding> deleted = new ArrayList<>();
        for (RoleBinding rb : client.rbac().roleBindings().inAnyNamespace()
                .withLabel(digital.govuk.access.bindings.ManagedBindings.ENGINEER_LABEL, engineer).list().getItems()) {
            if (deleteWithUid(rb)) {
                deleted.add(rb);
            }
        }
        return deleted;
    }

    /**
     * Reads the EngineerAccess fresh and keeps only the deletes the fresh decision agrees with. If it is
     * gone, or was replaced by a new object, every delete stands.
     */
    private List<RoleBinding> confirmDeletes(EngineerAccess engineer, List<RoleBinding> deletes,
            Function<EngineerAccess, List<RoleBinding>> freshDesired) {
        EngineerAccess fresh = client.resources(EngineerAccess.class).withName(engineer.getMetadata().getName()).get();
        if (fresh == null || !fresh.getMetadata().getUid().equals(engineer.getMetadata().getUid())) {
            return deletes;
        }
        Set<String> wanted = new HashSet<>();
        for (RoleBinding rb : freshDesired.apply(fresh)) {
            wanted.add(BindingDiff.key(rb));
        }
        List<RoleBinding> confirmed = new ArrayList<>();
        for (RoleBinding rb : deletes) {
            if (wanted.contains(BindingDiff.key(rb))) {
                LOG.infof("engineer=%s binding=%s kept: a fresh read of the EngineerAccess still grants it",
                        engineer.getMetadata().getName(), BindingDiff.key(rb));
            } else {
                confirmed.add(rb);
            }
        }
        return confirmed;
    }

    private RoleBinding create(RoleBinding rb) {
        try {
            return client.resource(rb).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            // It exists but our cache has not seen it (or lost our label): take it over.
            RoleBinding current = client.rbac().roleBindings().inNamespace(rb.getMetadata().getNamespace())
                    .withName(rb.getMetadata().getName()).get();
            if (current == null) {
                return client.resource(rb).create();
            }
            BindingDiff.Changes fix = BindingDiff.diff(List.of(rb), List.of(current));
            if (!fix.replace().isEmpty()) {
                deleteWithUid(current);
                return client.resource(rb).create();
            }
            return fix.update().isEmpty() ? current : client.resource(fix.update().get(0)).update();
        }
    }

    /** Deletes with a UID precondition, so a binding recreated meanwhile is not removed. False when already gone. */
    public boolean deleteWithUid(RoleBinding rb) {
        String url = URLUtils.join(client.getMasterUrl().toString(), "apis/rbac.authorization.k8s.io/v1/namespaces",
                rb.getMetadata().getNamespace(), "rolebindings", rb.getMetadata().getName());
        Map<String, Object> options = Map.of("apiVersion", "v1", "kind", "DeleteOptions",
                "preconditions", Map.of("uid", rb.getMetadata().getUid()));
        try {
            return client.raw(url, "DELETE", options) != null;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private static void remove(List<RoleBinding> list, RoleBinding rb) {
        String key = BindingDiff.key(rb);
        list.removeIf(x -> BindingDiff.key(x).equals(key));
    }

    private static String describe(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
    }
}

package digital.govuk.access.operator.cache;

import java.util.Map;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * An informer's store that keeps each object lean, since the cache holds every EngineerAccess (the managed
 * RoleBindings, ten or more per engineer, have a store of their own, {@link CompactBindingStore}, which leans them the
 * same way and then holds them in a compact form):
 * <ul>
 * <li>without {@code metadata.managedFields}, the API server's record of which client set which field, which the
 * operator never reads (it writes with plain create, update and delete, not server-side apply): on a RoleBinding that
 * record is about half the object;</li>
 * <li>with the strings that thousands of objects repeat (namespaces, label values, the owner's kind and name, the
 * role and subject kinds, and in an EngineerAccess the strings of its spec and status: {@link SharedStrings}) shared
 * rather than held once per object.</li>
 * </ul>
 * Nothing the operator reads is changed. docs/benchmarks.md gives the memory before and after.
 */
public class LeanItemStore<R extends HasMetadata> extends BasicItemStore<R> {
    /** Objects are listed a page at a time, so a first list of 100,000 RoleBindings never sits in memory whole. */
    public static final long LIST_PAGE = 1000;

    public LeanItemStore() {
        super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public R put(String key, R obj) {
        lean(obj);
        return super.put(key, obj);
    }

    /** Leaves out managedFields and shares repeated strings, in place. */
    public static void lean(HasMetadata obj) {
        ObjectMeta meta = obj.getMetadata();
        if (meta == null) {
            return;
        }
        meta.setManagedFields(null);
        meta.setNamespace(shared(meta.getNamespace()));
        share(meta.getLabels());
        if (meta.getOwnerReferences() != null) {
            for (OwnerReference o : meta.getOwnerReferences()) {
                o.setApiVersion(shared(o.getApiVersion()));
                o.setKind(shared(o.getKind()));
                o.setName(shared(o.getName()));
                o.setUid(shared(o.getUid()));
            }
        }
        if (obj instanceof CustomResource<?, ?> cr) {
            SharedStrings.share(cr.getSpec());
            SharedStrings.share(cr.getStatus());
        }
        if (obj instanceof RoleBinding rb) {
            if (rb.getRoleRef() != null) {
                rb.getRoleRef().setApiGroup(shared(rb.getRoleRef().getApiGroup()));
                rb.getRoleRef().setKind(shared(rb.getRoleRef().getKind()));
                rb.getRoleRef().setName(shared(rb.getRoleRef().getName()));
            }
            if (rb.getSubjects() != null) {
                for (Subject s : rb.getSubjects()) {
                    s.setApiGroup(shared(s.getApiGroup()));
                    s.setKind(shared(s.getKind()));
                    s.setName(shared(s.getName()));
                }
            }
        }
    }

    private static void share(Map<String, String> map) {
        if (map != null) {
            map.replaceAll((k, v) -> shared(v));
        }
    }

    private static String shared(String s) {
        return s == null ? null : s.intern();
    }
}

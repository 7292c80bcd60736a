package digital.govuk.access.cli;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import digital.govuk.access.api.UnknownFields;
import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.bindings.DesiredBinding;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.bindings.NamespaceInfo;
import digital.govuk.access.rules.AccessRules;
import digital.govuk.access.rules.Decision;
import digital.govuk.access.rules.EngineerNames;
import digital.govuk.access.rules.OnePerson;
import digital.govuk.access.rules.PolicyReader;
import digital.govuk.access.rules.Problem;
import digital.govuk.access.rules.Values;
import digital.govuk.access.status.PolicyState;
import digital.govuk.access.status.StatusBuilder;
import io.fabric8.kubernetes.api.model.Namespace;

/**
 * What the operator would do at one instant for a set of manifests, with no cluster: each EngineerAccess
 * with the status the operator would write, and the bindings it would hold.
 */
public final class Plan {
    /** One engineer's planned outcome. */
    public record Engineer(String file, EngineerAccess resource, Decision decision, List<DesiredBinding> bindings) {
        /** The EngineerAccess name; empty when it has none. */
        public String name() {
            String name = resource.getMetadata() == null ? null : resource.getMetadata().getName();
            return name == null ? "" : name;
        }
    }

    /** The plan: engineers by name, the input errors, notes (ignored objects), the policy and the namespaces read. */
    public record Result(Map<String, Engineer> engineers, List<InputError> errors, List<String> notes, PolicyState policy,
            List<NamespaceInfo> namespaces) {
    }

    private Plan() {
    }

    /**
     * @param fromCluster the objects were read from a cluster: with no AccessPolicy named default there, access is
     *                    frozen as the operator freezes it after a restart (decision 76); from files, the built-in
     *                    defaults are assumed, since files may leave the cluster's policy out
     */
    public static Result compute(Manifests.Set set, Instant at, boolean fromCluster) {
        List<InputError> errors = new ArrayList<>(set.errors());
        List<String> notes = new ArrayList<>();

        PolicyState policy = fromCluster ? PolicyState.absent(null, null) : PolicyState.builtInDefaults();
        Manifests.Source<AccessPolicy> chosen = null;
        for (Manifests.Source<AccessPolicy> p : set.policies()) {
            String name = p.object().getMetadata() == null ? null : p.object().getMetadata().getName();
            if (!AccessPolicy.DEFAULT_NAME.equals(name)) {
                notes.add(p.file() + ": AccessPolicy " + name + " is ignored: only the AccessPolicy named default is used");
            } else if (chosen != null) {
                errors.add(new InputError(p.file(), "AccessPolicy default", "metadata.name",
                        "a second AccessPolicy named default (the first is in " + chosen.file() + ")"));
            } else {
                chosen = p;
                policy = PolicyState.of(PolicyReader.read(p.object().getSpec()));
                // Read from a cluster whose CRD is newer: refused as the operator refuses it (no valid policy here).
                List<Problem> unknown = UnknownFields.of(p.object()).stream().map(f -> new Problem(f, UnknownFields.MESSAGE)).toList();
                if (!unknown.isEmpty()) {
                    List<Problem> all = new ArrayList<>(policy.problems());
                    all.addAll(unknown);
                    policy = PolicyState.invalid(all, null, null);
                }
                for (Problem problem : policy.problems()) {
                    errors.add(new InputError(p.file(), "AccessPolicy default", problem.field(), problem.message()));
                }
            }
        }

        if (chosen == null) {
            notes.add(fromCluster ? "there is no AccessPolicy named default, and without one the operator grants nothing: access is"
                    + " frozen until one is created" : "no AccessPolicy named default was given, so the built-in defaults are assumed;"
                    + " without one in the cluster the operator grants nothing");
        }

        List<NamespaceInfo> namespaces = new ArrayList<>();
        Map<String, String> namespaceFiles = new HashMap<>();
        for (Manifests.Source<Namespace> ns : set.namespaces()) {
            var meta = ns.object().getMetadata();
            String nsName = meta == null ? null : meta.getName();
            if (nsName == null || nsName.isEmpty()) {
                errors.add(new InputError(ns.file(), "Namespace (" + ns.where() + ")", "metadata.name", "is required"));
                continue;
            }
            // A Namespace given twice would bind the same RoleBinding twice; which labels hold is unclear.
            String first = namespaceFiles.putIfAbsent(nsName, ns.file());
            if (first != null) {
                errors.add(new InputError(ns.file(), "Namespace " + Values.cut(nsName), "metadata.name",
                        "a second Namespace with this name (the first is in " + first + ")"));
                continue;
            }
            namespaces.add(new NamespaceInfo(nsName, meta.getLabels() == null ? Map.of() : meta.getLabels(),
                    meta.getDeletionTimestamp() != null));
        }

        Map<String, Problem> samePerson = OnePerson.refused(claims(set.engineers()));

        Map<String, Engineer> engineers = new LinkedHashMap<>();
        Map<String, String> seen = new HashMap<>();
        for (Manifests.Source<EngineerAccess> source : set.engineers()) {
            EngineerAccess ea = source.object();
            String name = ea.getMetadata() == null ? null : ea.getMetadata().getName();
            boolean named = name != null && !name.isEmpty();
            String label = "EngineerAccess " + (named ? Values.cut(name) : "(" + (source.where().isEmpty() ? "no name" : source.where()) + ")");
            // Nameless objects cannot clash with each other or with a named one: key them by their place.
            String key = named ? name : label + " in " + source.file();
            if (named && seen.containsKey(name)) {
                errors.add(new InputError(source.file(), label, "metadata.name",
                        "a second EngineerAccess with this name (the first is in " + seen.get(name) + ")"));
                continue;
            }
            if (named) {
                seen.put(name, source.file());
            }
            if (ea.isMarkedForDeletion()) {
                // As the operator: marked for deletion, however long finalizers hold it, it justifies nothing (decision 70).
                notes.add(source.file() + ": " + label + " is being deleted" + (ea.getMetadata().getFinalizers() == null
                        || ea.getMetadata().getFinalizers().isEmpty() ? "" : " (held by " + String.join(", ", ea.getMetadata().getFinalizers()) + ")")
                        + ": it grants nothing, and the operator removes its bindings");
                continue;
            }
            Long generation = ea.getMetadata() != null && ea.getMetadata().getGeneration() != null
                    ? ea.getMetadata().getGeneration() : Long.valueOf(1);
            EngineerAccess out = copyWithoutStatus(ea);
            // An EngineerAccess that could not be read at all: its problems, and the name's, grant nothing.
            List<Problem> unreadable = new ArrayList<>();
            // Read from a cluster whose CRD is newer than this program: refused, naming the fields, as the operator does.
            for (String field : UnknownFields.of(ea)) {
                unreadable.add(new Problem(field, UnknownFields.MESSAGE, StatusBuilder.OPERATOR_OUTDATED));
                errors.add(new InputError(source.file(), label, field, UnknownFields.MESSAGE));
            }
            if (!source.problems().isEmpty()) {
                List<Problem> cannotRead = new ArrayList<>(EngineerNames.problems(name));
                cannotRead.addAll(source.problems());
                for (Problem problem : cannotRead) {
                    errors.add(new InputError(source.file(), label, problem.field(), problem.message()));
                }
                unreadable.addAll(cannotRead);
            }
            // One person, one EngineerAccess: a later one naming the same person grants nothing.
            Problem duplicate = named ? samePerson.get(name) : null;
            if (duplicate != null) {
                errors.add(new InputError(source.file(), label, duplicate.field(), duplicate.message()));
            }
            if (!policy.usable()) {
                out.setStatus(StatusBuilder.withInvalidPolicy(policy, List.of(), null, null, generation, at));
                engineers.put(key, new Engineer(source.file(), out, null, List.of()));
                continue;
            }
            Decision decision;
            if (duplicate != null) {
                decision = Decision.invalid(List.of(duplicate));
            } else if (!unreadable.isEmpty()) {
                decision = Decision.invalid(unreadable);
            } else {
                decision = AccessRules.decide(name, ea.getSpec(), policy.policy(), at);
                for (Problem problem : decision.problems()) {
                    errors.add(new InputError(source.file(), label, problem.field(), problem.message()));
                }
            }
            List<DesiredBinding> bindings = ManagedBindings.desired(name, decision, policy.policy(), namespaces);
            out.setStatus(StatusBuilder.build(decision, policy, bindings.stream().map(ManagedBindings::toStatus).toList(),
                    null, null, generation, at));
            engineers.put(key, new Engineer(source.file(), out, decision, bindings));
        }
        return new Result(engineers, errors, notes, policy, List.copyOf(namespaces));
    }

    /**
     * Who claims which person, for {@link OnePerson}: every named EngineerAccess read, but only the first of a name
     * (a second of the same name is refused on its own). The creation time is metadata.creationTimestamp when the
     * file has one; manifests written by hand have none, and then the first by name keeps the person.
     */
    private static List<OnePerson.Claim> claims(List<Manifests.Source<EngineerAccess>> sources) {
        List<OnePerson.Claim> claims = new ArrayList<>(sources.size());
        Set<String> names = new HashSet<>();
        for (Manifests.Source<EngineerAccess> source : sources) {
            var meta = source.object().getMetadata();
            String name = meta == null ? null : meta.getName();
            if (name != null && !name.isEmpty() && names.add(name)) {
                claims.add(new OnePerson.Claim(name, source.object().getSpec(), created(meta.getCreationTimestamp())));
            }
        }
        return claims;
    }

    /** metadata.creationTimestamp as an instant; null when absent or not an RFC 3339 instant. */
    private static Instant created(String timestamp) {
        if (timestamp == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(timestamp).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static EngineerAccess copyWithoutStatus(EngineerAccess ea) {
        EngineerAccess copy = new EngineerAccess();
        copy.setMetadata(ea.getMetadata());
        copy.setSpec(ea.getSpec());
        return copy;
    }
}

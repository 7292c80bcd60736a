package digital.govuk.access.bench;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.bindings.ManagedBindings;
import digital.govuk.access.it.RealApiServer;

/**
 * The on-time phase: {@code expiries} Admin exceptions that end inside one window, in bursts of up to {@code burst}
 * at the same second (as exceptions ending at 17:30 do), and {@code grants} exceptions that start inside it, also in
 * bursts. Each transition adds or removes the engineer's Admin RoleBinding in every Admin namespace. Lateness is
 * read from the API server's audit log: for each binding change due at instant t, when the API server answered the
 * operator's create or delete, minus t. A change whose request arrived before t is early; one with no such
 * request by the end of the window plus {@code tail} is missed.
 */
final class OnTime {
    /** One binding change that falls due: create or delete namespace/name at {@code due}. */
    record Due(String verb, String namespace, String name, Instant due) {
    }

    /** What was measured. */
    record Result(int transitions, int changes, List<Long> lateMillis, Map<String, List<Long>> byVerb, int early, int missed, int extraWrites,
            List<String> examples) {
        long percentile(double p) {
            return percentile(lateMillis, p);
        }

        static long percentile(List<Long> lateMillis, double p) {
            if (lateMillis.isEmpty()) {
                return -1;
            }
            List<Long> sorted = lateMillis.stream().sorted().toList();
            int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
        }

        long max() {
            return lateMillis.stream().max(Comparator.naturalOrder()).orElse(-1L);
        }

        /** p50, p99 and max of the deletes alone (revocations: decision 62) and of the creates (grants: decision 79; read first before it). */
        Map<String, Object> verbs() {
            Map<String, Object> m = new LinkedHashMap<>();
            byVerb.forEach((verb, late) -> m.put(verb, Map.of("p50", percentile(late, 50), "p99", percentile(late, 99),
                    "max", late.stream().max(Comparator.naturalOrder()).orElse(-1L), "count", late.size())));
            return m;
        }

        /** p50, p99, max and count of the lateness in ms, and the early and missed changes, for results.json. */
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("p50", percentile(50));
            m.put("p99", percentile(99));
            m.put("max", max());
            m.put("count", lateMillis.size());
            m.put("early", early);
            m.put("missed", missed);
            m.put("by_verb", verbs());
            return m;
        }
    }

    /** The engineers of the phase (their names start with {@code prefix}) and the changes they will need. */
    record Plan(String prefix, List<EngineerAccess> engineers, List<Due> changes, Instant windowStart, Instant windowEnd, int transitions) {
    }

    private OnTime() {
    }

    /**
     * Engineers whose exceptions end or start inside [start, start + window), in bursts; their names start with
     * {@code prefix} ("ot-" for the operator's phase, "of-" for the floor's), so each phase is measured apart.
     */
    static Plan plan(String prefix, int expiries, int grants, int burst, Duration window, Instant now, Instant start,
            List<String> adminNamespaces) {
        start = start.truncatedTo(ChronoUnit.SECONDS);
        List<EngineerAccess> engineers = new ArrayList<>();
        List<Due> changes = new ArrayList<>();
        int expiryBursts = Math.max(1, (expiries + burst - 1) / burst);
        long spacing = Math.max(1, window.toSeconds() / expiryBursts);
        for (int i = 0; i < expiries; i++) {
            Instant at = start.plusSeconds(spacing * (i / burst));
            String name = String.format("%sexpiring-%04d", prefix, i);
            engineers.add(Workload.expiring(name, now, at));
            for (String ns : adminNamespaces) {
                changes.add(new Due("delete", ns, ManagedBindings.bindingName(name, ManagedBindings.ADMIN), at));
            }
        }
        int grantBursts = Math.max(1, (grants + burst - 1) / burst);
        int perGrantBurst = grants == 0 ? 0 : (grants + grantBursts - 1) / grantBursts;
        long grantSpacing = Math.max(1, window.toSeconds() / grantBursts);
        for (int i = 0; i < grants; i++) {
            // One second after an expiry burst, so the two kinds are told apart.
            Instant at = start.plusSeconds(1 + grantSpacing * (i / perGrantBurst));
            String name = String.format("%sstarting-%04d", prefix, i);
            engineers.add(Workload.starting(name, now, at));
            for (String ns : adminNamespaces) {
                changes.add(new Due("create", ns, ManagedBindings.bindingName(name, ManagedBindings.ADMIN), at));
            }
        }
        return new Plan(prefix, engineers, changes, start, start.plus(window), expiries + grants);
    }

    /** Lateness of every change of {@code plan}, from the operator user's writes in the audit log after {@code offset}. */
    static Result measure(Plan plan, AuditLog audit, long offset) {
        Map<String, AuditLog.Write> first = new HashMap<>();
        Map<String, Integer> writes = new HashMap<>();
        for (AuditLog.Write w : audit.since(offset, RealApiServer.OPERATOR_USER)) {
            if (!w.resource().equals("rolebindings") || w.name() == null || !w.name().startsWith(plan.prefix())) {
                continue;
            }
            String key = w.namespace() + "/" + w.name();
            writes.merge(key, 1, Integer::sum);
            first.putIfAbsent(key, w);
        }
        List<Long> late = new ArrayList<>();
        Map<String, List<Long>> byVerb = new java.util.TreeMap<>();
        int early = 0;
        int missed = 0;
        List<String> examples = new ArrayList<>();
        Map<String, Due> expected = new LinkedHashMap<>();
        for (Due d : plan.changes()) {
            expected.put(d.namespace() + "/" + d.name(), d);
        }
        for (Map.Entry<String, Due> e : expected.entrySet()) {
            Due d = e.getValue();
            AuditLog.Write w = first.get(e.getKey());
            if (w == null || !w.verb().equals(d.verb())) {
                missed++;
                if (examples.size() < 5) {
                    examples.add("missed: " + d.verb() + " " + e.getKey() + " due " + d.due() + (w == null ? "" : ", saw " + w.verb()));
                }
                continue;
            }
            if (w.received().isBefore(d.due())) {
                early++;
                if (examples.size() < 5) {
                    examples.add("early: " + d.verb() + " " + e.getKey() + " due " + d.due() + ", arrived " + w.received());
                }
            }
            long ms = Duration.between(d.due(), w.answered()).toMillis();
            late.add(ms);
            byVerb.computeIfAbsent(d.verb(), v -> new ArrayList<>()).add(ms);
        }
        int extra = writes.values().stream().mapToInt(n -> n - 1).sum()
                + (int) writes.keySet().stream().filter(k -> !expected.containsKey(k)).count();
        return new Result(plan.transitions(), expected.size(), late, byVerb, early, missed, extra, examples);
    }
}

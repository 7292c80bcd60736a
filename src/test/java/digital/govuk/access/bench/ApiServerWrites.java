package digital.govuk.access.bench;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Writes as the API server counts them: {@code apiserver_request_total} from its own {@code /metrics} (read with the
 * admin token), by verb and resource/subresource, whatever the answer. A snapshot is taken before and after a phase;
 * the difference is what was written in it. Nothing but the process measured writes while a phase runs (the
 * harness only reads, and kube-controller-manager has nothing to do), so the difference is that process's writes;
 * Leases are left out (see {@link #snapshot}).
 */
final class ApiServerWrites {
    private static final Set<String> WRITE_VERBS = Set.of("POST", "PUT", "PATCH", "DELETE", "DELETECOLLECTION", "APPLY",
            "CREATE", "UPDATE");
    private static final Pattern SAMPLE = Pattern.compile("^apiserver_request_total\\{([^}]*)} ([0-9.eE+-]+)$");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    /** Write counts by "resource[/subresource] VERB". */
    record Snapshot(Map<String, Long> counts) {
        Snapshot minus(Snapshot before) {
            Map<String, Long> d = new TreeMap<>();
            counts.forEach((k, v) -> {
                long n = v - before.counts.getOrDefault(k, 0L);
                if (n != 0) {
                    d.put(k, n);
                }
            });
            return new Snapshot(d);
        }

        long total() {
            return counts.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Writes to one resource (with subresource, e.g. "engineeraccesses/status"), every verb. */
        long to(String resource) {
            return counts.entrySet().stream().filter(e -> e.getKey().startsWith(resource + " ")).mapToLong(Map.Entry::getValue).sum();
        }

        long of(String resource, String verb) {
            return counts.getOrDefault(resource + " " + verb, 0L);
        }

        /** Every count except those to these resources. */
        Map<String, Long> except(String... resources) {
            Map<String, Long> out = new TreeMap<>(counts);
            for (String r : resources) {
                out.keySet().removeIf(k -> k.startsWith(r + " "));
            }
            return out;
        }
    }

    private final KubernetesClient admin;

    ApiServerWrites(KubernetesClient admin) {
        this.admin = admin;
    }

    Snapshot snapshot() {
        Map<String, Long> counts = new TreeMap<>();
        for (String line : admin.raw(admin.getMasterUrl().toString().replaceAll("/$", "") + "/metrics").split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            Map<String, String> labels = new TreeMap<>();
            Matcher l = LABEL.matcher(m.group(1));
            while (l.find()) {
                labels.put(l.group(1), l.group(2));
            }
            String verb = labels.getOrDefault("verb", "").toUpperCase(Locale.ROOT);
            if (!WRITE_VERBS.contains(verb) || labels.getOrDefault("resource", "").isEmpty()) {
                continue;
            }
            if ("leases".equals(labels.get("resource"))) {
                // The operator runs here without leader election, so it writes no Lease; from Kubernetes 1.26 the API
                // server renews a Lease of its own every 10 s (its identity), which is no write of the process measured.
                continue;
            }
            String sub = labels.getOrDefault("subresource", "");
            String key = labels.get("resource") + (sub.isEmpty() ? "" : "/" + sub) + " " + verb;
            counts.merge(key, (long) Double.parseDouble(m.group(2)), Long::sum);
        }
        return new Snapshot(counts);
    }
}

package digital.govuk.access.operator;

import static digital.govuk.access.operator.Fixtures.APPROVERS;
import static digital.govuk.access.operator.Fixtures.DEPLOY_LABEL;
import static digital.govuk.access.operator.Fixtures.ADMIN_LABEL;
import static digital.govuk.access.operator.Fixtures.EARNED_ADMIN;
import static digital.govuk.access.operator.Fixtures.engineer;
import static digital.govuk.access.operator.Fixtures.exception;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.it.Convergence;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * 1,000 engineers under a random sequence of spec, policy and namespace-label changes while 5% of the
 * operator's requests fail (500, 409, 429 with Retry-After, answers slower than its timeout, watches
 * refused and dropped). Then the faults stop, and every engineer must end exactly as the decision says: no
 * RoleBinding missing, none extra, every status equal to what {@code plan} prints for the same objects.
 * The seed is printed; {@code -Dsoak.seed=N} replays a run, {@code -Dsoak.engineers} and {@code -Dsoak.steps}
 * change its size ({@code make soak} runs a longer one).
 */
@QuarkusTest
@WithTestResource(value = FaultyKubernetesServer.class, initArgs = @ResourceArg(name = "purpose", value = "fault soak"))
class FaultSoakTest {
    static final int ENGINEERS = Integer.getInteger("soak.engineers", 1000);
    static final int STEPS = Integer.getInteger("soak.steps", 100);
    static final double RATE = Double.parseDouble(System.getProperty("soak.rate", "0.05"));
    static final List<String> NAMESPACES = List.of("soak-a", "soak-b", "soak-c", "soak-d", "soak-e", "soak-f");

    @Inject
    TestClock clock;
    @Inject
    TransitionScheduler transitions;

    final KubernetesClient client = FaultyKubernetesServer.client();
    final FaultInjector faults = FaultyKubernetesServer.faults();

    @Test
    void underFailingRequestsEveryEngineerEndsExactlyAsTheDecisionSays() throws InterruptedException {
        long seed = Long.getLong("soak.seed", System.nanoTime());
        System.out.println("fault soak: seed " + seed + " (replay with -Dsoak.seed=" + seed + ")");
        try {
            soak(new Random(seed), seed);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("fault soak failed with seed " + seed + " (replay with -Dsoak.seed=" + seed + "): "
                    + e.getMessage(), e);
        } finally {
            faults.reset();
        }
    }

    private void soak(Random random, long seed) throws InterruptedException {
        long started = System.nanoTime();
        client.resource(Fixtures.policy(APPROVERS + "techLeads: [tech.lead@example.gov.uk]\n")).create();
        for (String ns : NAMESPACES) {
            client.resource(Fixtures.namespace(ns, random.nextBoolean() ? DEPLOY_LABEL : "x", random.nextBoolean() ? ADMIN_LABEL : "y"))
                    .create();
        }
        faults.random(RATE, seed);
        faults.discardEvents(true);
        long requestsBefore = faults.requests();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < ENGINEERS; i++) {
            String name = "soak-" + i;
            names.add(name);
            client.resource(generated(name, random)).create();
        }
        for (int step = 0; step < STEPS; step++) {
            change(random, names);
            Thread.sleep(5);
        }
        // A last set of changes, still under faults, that leaves many engineers with access to check.
        editPolicy(p -> {
            p.getSpec().timeZone = "Europe/London";
            p.getSpec().techLeads = List.of("tech.lead@example.gov.uk");
            p.getSpec().admin = null;
        });
        for (String ns : List.of("soak-a", "soak-b")) {
            client.namespaces().withName(ns).edit(n -> {
                Map<String, String> labels = new HashMap<>(n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels());
                labels.put(DEPLOY_LABEL, "true");
                labels.put(ADMIN_LABEL, ns.equals("soak-a") ? "true" : "false");
                n.getMetadata().setLabels(labels);
                return n;
            });
        }
        Thread.sleep(2_000);
        long changeRequests = faults.requests() - requestsBefore;
        double changeSeconds = (System.nanoTime() - started) / 1e9;
        String injected = injected();

        // The faults stop; every retry comes due within the longest retry delay.
        faults.reset();
        faults.discardEvents(true);
        int rounds = 0;
        Convergence result = null;
        while (rounds < 15) {
            rounds++;
            clock.set(clock.instant().plus(Duration.ofSeconds(61)));
            transitions.fireDue();
            Thread.sleep(rounds == 1 ? 5_000 : 2_000);
            result = Convergence.of(client, clock.instant());
            if (result.exact()) {
                break;
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("fault soak: seed %d, %d engineers, %d changes in %.0f s, %d operator requests during the changes, "
                + "injected %s; after %d rounds: %s; %.0f s in all%n", seed, ENGINEERS, STEPS, changeSeconds, changeRequests,
                injected, rounds, result, seconds);
        System.out.println("fault soak: levels at the end " + client.resources(EngineerAccess.class).list().getItems().stream()
                .collect(java.util.stream.Collectors.groupingBy(ea -> String.valueOf(ea.getStatus().level), TreeMap::new,
                        java.util.stream.Collectors.counting())));
        assertThat(result.missing()).as("RoleBindings missing").isEmpty();
        assertThat(result.extra()).as("RoleBindings that should not exist").isEmpty();
        assertThat(result.invalidGranted()).as("engineers with an invalid spec holding bindings").isEmpty();
        assertThat(result.statusDiffers()).as("engineers whose status differs from plan's").isEmpty();
    }

    private String injected() {
        Map<String, Long> counts = new TreeMap<>();
        for (FaultInjector.Fault f : FaultInjector.Fault.values()) {
            counts.put(f.name(), faults.injected(f));
        }
        return counts.toString();
    }

    /** An engineer of a random kind: Deploy, none, earned Admin, Admin by exception (now or soon), away, or invalid. */
    private EngineerAccess generated(String name, Random random) {
        Instant now = clock.instant();
        EngineerAccess ea = switch (random.nextInt(7)) {
            case 0 -> engineer(name, EARNED_ADMIN);
            case 1 -> engineer(name, exception(now.minusSeconds(60L * random.nextInt(60)).toString(),
                    now.plusSeconds(300 + 60L * random.nextInt(120)).toString()));
            case 2 -> engineer(name, exception(now.plusSeconds(60L + 60L * random.nextInt(60)).toString(),
                    now.plusSeconds(3_900 + 60L * random.nextInt(120)).toString()));
            case 3 -> engineer(name, "absences:\n- {from: \"" + daysAgo(30 + random.nextInt(20)) + "\"}\n");
            case 4 -> engineer(name, "shifts:\n- {role: Shadow, startTime: \"2026-09-07T09:00:00Z\", endTime: \"2026-09-01T17:00:00Z\"}\n");
            default -> engineer(name, "");
        };
        if (random.nextInt(8) == 0) {
            ea.getSpec().deployApproval = null;
        }
        return ea;
    }

    private String daysAgo(int days) {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).minusDays(days).toString();
    }

    /** One random change: to a spec, the policy, a namespace's labels, the clock, or the watches. */
    private void change(Random random, List<String> names) {
        int what = random.nextInt(20);
        String name = names.get(random.nextInt(names.size()));
        Instant now = clock.instant();
        if (what < 10) {
            EngineerAccess template = generated(name, random);
            editEngineer(name, ea -> {
                switch (random.nextInt(4)) {
                    case 0 -> ea.getSpec().deployApproval = ea.getSpec().deployApproval == null ? template.getSpec().deployApproval == null
                            ? engineer(name, "").getSpec().deployApproval : template.getSpec().deployApproval : null;
                    case 1 -> ea.getSpec().exceptions = random.nextBoolean() ? new ArrayList<>()
                            : engineer(name, exception(now.minusSeconds(60).toString(), now.plusSeconds(60L * (1 + random.nextInt(90))).toString()))
                                    .getSpec().exceptions;
                    case 2 -> ea.getSpec().absences = random.nextBoolean() ? new ArrayList<>() : template.getSpec().absences;
                    default -> ea.getSpec().shifts = template.getSpec().shifts;
                }
            });
        } else if (what < 12) {
            editPolicy(p -> {
                switch (random.nextInt(4)) {
                    case 0 -> p.getSpec().admin = Serialization.unmarshal("{\"includeDeploy\": " + random.nextBoolean() + "}",
                            digital.govuk.access.api.v1alpha1.AdminRoleTarget.class);
                    case 1 -> p.getSpec().longAbsenceDays = random.nextBoolean() ? 42 : 35;
                    case 2 -> p.getSpec().techLeads = random.nextBoolean() ? List.of("tech.lead@example.gov.uk") : List.of("someone.else@example.gov.uk");
                    default -> p.getSpec().timeZone = random.nextInt(3) == 0 ? "Nowhere/Atlantis" : "Europe/London";
                }
            });
        } else if (what < 15) {
            String ns = NAMESPACES.get(random.nextInt(NAMESPACES.size()));
            String label = random.nextBoolean() ? DEPLOY_LABEL : ADMIN_LABEL;
            client.namespaces().withName(ns).edit(n -> {
                Map<String, String> labels = new HashMap<>(n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels());
                if (labels.remove(label) == null) {
                    labels.put(label, "true");
                }
                n.getMetadata().setLabels(labels);
                return n;
            });
        } else if (what < 19) {
            clock.set(now.plusSeconds(random.nextInt(300)));
            transitions.fireDue();
        } else {
            faults.dropWatches();
        }
    }

    private void editEngineer(String name, Consumer<EngineerAccess> change) {
        new TestCluster(client, Duration.ofSeconds(30)).edit(EngineerAccess.class, name, change);
    }

    private void editPolicy(Consumer<AccessPolicy> change) {
        new TestCluster(client, Duration.ofSeconds(30)).edit(AccessPolicy.class, "default", change);
    }
}

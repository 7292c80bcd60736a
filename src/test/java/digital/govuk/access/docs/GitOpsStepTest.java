package digital.govuk.access.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

/**
 * Issue 10: the CI step of docs/gitops.md, run as written against a Git repository of its own: a target
 * branch with the examples, and a pull request that changes them. It prints (or posts) the summary the doc
 * shows, and fails the check on invalid manifests. Needs git, curl and jq, as the step does.
 */
class GitOpsStepTest {
    static final Path DOC = Path.of("docs/gitops.md");
    static final String AT = "2026-12-02T12:00:00Z";

    @TempDir
    Path dir;
    Path checkout;
    Path script;

    record Result(int exit, String out, String err) {
    }

    @BeforeEach
    void repositoryWithAPullRequest() throws Exception {
        String doc = Files.readString(DOC);
        script = dir.resolve("access-review.sh");
        Files.writeString(script, between(doc, "<!-- ci-step", "<!-- end ci-step -->", "```sh\n", "```\n"));

        Path origin = dir.resolve("origin.git");
        checkout = dir.resolve("checkout");
        sh(dir, "git", "init", "--quiet", "--bare", "--initial-branch=main", origin.toString());
        sh(dir, "git", "clone", "--quiet", origin.toString(), checkout.toString());
        git("symbolic-ref", "HEAD", "refs/heads/main");
        Path access = checkout.resolve("access");
        Files.createDirectories(access);
        try (var files = Files.list(Path.of("examples"))) {
            for (Path f : files.toList()) {
                Files.copy(f, access.resolve(f.getFileName()));
            }
        }
        git("add", "access");
        git("commit", "--quiet", "-m", "the examples");
        git("push", "--quiet", "origin", "main");

        git("checkout", "--quiet", "-b", "give-sam-an-exception");
        Path engineers = access.resolve("10-engineers.yaml");
        String text = Files.readString(engineers);
        String shadow = "  - {role: Shadow, startTime: \"2026-11-30T09:00:00Z\", endTime: \"2026-12-04T17:30:00Z\", supervisor:"
                + " pat.primary@example.gov.uk}\n";
        String approval = "    approvedBy: tom.lead@example.gov.uk\n    approvedOn: 2026-06-01\n    confirmations: {codeReview: true,"
                + " releaseResponsibilities: true, rollback: true, gettingHelp: true}";
        assertThat(text).contains(shadow, approval);
        text = text.replace(shadow, shadow + """
                  exceptions:
                  - approvedBy: lee.lead-dev@example.gov.uk
                    businessCase: Payments migration weekend
                    supervisor: pat.primary@example.gov.uk
                    startTime: "2026-12-05T09:00:00Z"
                    expiryTime: "2026-12-07T09:00:00Z"
                """).replace(approval, approval.replace("rollback: true", "rollback: false"));
        Files.writeString(engineers, text);
        git("commit", "--quiet", "-am", "Sam covers the payments migration weekend");
    }

    @Test
    void theStepPrintsTheSummaryTheDocShows() throws Exception {
        Result run = step(Map.of());

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo(between(Files.readString(DOC), "For example", "## A CI step", "```markdown\n", "```\n"));
        assertThat(Files.readString(checkout.resolve("access-summary.md"))).isEqualTo(run.out());
    }

    @Test
    void theStepPostsTheSummaryAsAComment() throws Exception {
        AtomicReference<String> body = new AtomicReference<>();
        AtomicReference<String> authorization = new AtomicReference<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/repos/govuk/access/issues/7/comments", exchange -> {
            body.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            exchange.sendResponseHeaders(201, -1);
            exchange.close();
        });
        server.start();
        try {
            Result run = step(Map.of("POST_COMMENT_URL", "http://127.0.0.1:" + server.getAddress().getPort()
                    + "/repos/govuk/access/issues/7/comments", "COMMENT_TOKEN", "t0ken"));

            assertThat(run.exit()).as(run.toString()).isZero();
            assertThat(run.out()).isEmpty();
            assertThat(authorization.get()).isEqualTo("Bearer t0ken");
            assertThat(new ObjectMapper().readTree(body.get()).path("body").asText())
                    .isEqualTo(Files.readString(checkout.resolve("access-summary.md"))).contains("### Admin by exception");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anInvalidManifestFailsTheCheckAndIsListed() throws Exception {
        Files.writeString(checkout.resolve("access/20-broken.yaml"), """
                apiVersion: access.govuk.digital/v1alpha1
                kind: EngineerAccess
                metadata: {name: broken}
                spec:
                  fullName: Broken
                  role: Developer
                  employment: CivilServant
                  subject: {kind: User, name: broken@example.gov.uk}
                  clearance: {level: Top, grantedOn: 2026-01-12}
                """);
        git("add", "access");
        git("commit", "--quiet", "-m", "a typo");

        Result run = step(Map.of());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("> **1 invalid manifest**", "| access/20-broken.yaml | EngineerAccess broken |"
                + " spec.clearance.level | expected one of None, BPSS, SC, DV, got the string 'Top' |");
        assertThat(run.err()).contains("invalid manifests: they grant nothing; see the summary");
    }

    /** Runs the step in the pull request's checkout, with the program of this build. */
    Result step(Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("TARGET_BRANCH", "main", "MANIFESTS", "access", "AT", AT,
                "ENGINEER_ACCESS", Path.of("bin/engineer-access").toAbsolutePath().toString(), "ENGINEER_ACCESS_BUILT", "1"));
        env.putAll(extra);
        return exec(checkout, env, "bash", script.toString());
    }

    void git(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=Test", "-c", "user.email=test@example.gov.uk"));
        command.addAll(List.of(args));
        sh(checkout, command.toArray(String[]::new));
    }

    static void sh(Path where, String... command) throws Exception {
        Result r = exec(where, Map.of(), command);
        assertThat(r.exit()).as("%s: %s", String.join(" ", command), r).isZero();
    }

    static Result exec(Path where, Map<String, String> env, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("step", ".out");
        Path err = Files.createTempFile("step", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(where.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().putAll(env);
            Process p = builder.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " took more than 120 s");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The text of the fenced block that opens with {@code open} after {@code from}, before {@code to}. */
    static String between(String doc, String from, String to, String open, String close) {
        int start = doc.indexOf(from);
        int end = doc.indexOf(to, start);
        assertThat(start).as("%s in %s", from, DOC).isNotNegative();
        assertThat(end).as("%s in %s", to, DOC).isPositive();
        String section = doc.substring(start, end);
        int block = section.indexOf(open) + open.length();
        return section.substring(block, section.indexOf(close, block));
    }
}

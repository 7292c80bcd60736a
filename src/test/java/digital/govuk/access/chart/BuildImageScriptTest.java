package digital.govuk.access.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code make image} (scripts/build-image.sh): the tags it computes, what it says when no container engine works,
 * and the commands it gives docker when one does. The script runs in a throwaway git repository holding a copy of
 * itself and the chart's Chart.yaml, so its commit and its clean or dirty tree are the test's own; docker and mvn
 * are small fakes that record what they were asked.
 */
class BuildImageScriptTest {
    static final String REGISTRY = "registry.example.gov.uk/platform/engineer-access-operator";

    @TempDir
    Path tmp;
    Path repo;
    Path bin;
    Path calls;

    @BeforeEach
    void aCheckoutOfTheProject() throws IOException, InterruptedException {
        repo = tmp.resolve("repo");
        Files.createDirectories(repo.resolve("scripts"));
        Files.createDirectories(repo.resolve("helm/engineer-access-operator"));
        Files.copy(Path.of("scripts/build-image.sh"), repo.resolve("scripts/build-image.sh"));
        Files.writeString(repo.resolve("helm/engineer-access-operator/Chart.yaml"), "apiVersion: v2\nname: x\nversion: 0.1.0\nappVersion: \"2.3.4\"\n");
        git("init", "-q");
        git("add", ".");
        git("-c", "user.name=Test", "-c", "user.email=test@example.gov.uk", "commit", "-q", "-m", "a commit");
        bin = Files.createDirectories(tmp.resolve("bin"));
        calls = tmp.resolve("calls");
    }

    @Test
    void theTagsAreTheChartsVersionAndTheCommit() throws Exception {
        String commit = git("rev-parse", "--short=12", "HEAD").strip();
        assertThat(commit).hasSize(12);
        Result r = run(Map.of("IMAGE", REGISTRY), "--print-tags");
        assertThat(r.exit).isZero();
        assertThat(r.out.lines()).containsExactly(REGISTRY + ":2.3.4", REGISTRY + ":2.3.4-" + commit);
        assertThat(run(Map.of(), "--print-tags").out.lines()).as("the local name by default")
                .containsExactly("engineer-access-operator:2.3.4", "engineer-access-operator:2.3.4-" + commit);
    }

    @Test
    void uncommittedChangesMarkTheCommitTagAndAreNeverPushed() throws Exception {
        String commit = git("rev-parse", "--short=12", "HEAD").strip();
        Files.writeString(repo.resolve("scripts/build-image.sh"), "\n# a change\n", java.nio.file.StandardOpenOption.APPEND);
        assertThat(run(Map.of("IMAGE", REGISTRY), "--print-tags").out.lines())
                .containsExactly(REGISTRY + ":2.3.4", REGISTRY + ":2.3.4-" + commit + "-dirty");
        fakeDocker(true);
        Result push = run(Map.of("IMAGE", REGISTRY, "PUSH", "1"));
        assertThat(push.exit).isEqualTo(1);
        assertThat(push.err).contains("will not push " + REGISTRY + ": the working tree has uncommitted changes, so the commit tag"
                + " would not name the code in the image. Commit (or stash) them, then run make image PUSH=1 again.");
        assertThat(calls).doesNotExist();
    }

    @Test
    void aTagInImageIsRefused() throws Exception {
        Result r = run(Map.of("IMAGE", REGISTRY + ":1.0"), "--print-tags");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("IMAGE is the repository without a tag or digest");
        assertThat(run(Map.of("IMAGE", "localhost:5000/eao"), "--print-tags").exit).as("a registry's port is not a tag").isZero();
    }

    @Test
    void withoutDockerOrPodmanItSaysSoPlainly() throws Exception {
        // A PATH with the tools the script needs and neither engine.
        for (String tool : List.of("bash", "dirname", "sed", "git")) {
            script(tool, "#!" + which("bash") + "\nexec " + which(tool) + " \"$@\"\n");
        }
        Result r = run(Map.of("PATH", bin.toString(), "IMAGE", REGISTRY, "PUSH", "1"));
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).isEqualTo("""
                image: cannot build the image on this machine: no working docker or podman.
                  - docker is not installed
                  - podman is not installed
                  Run make image where an engine runs, with IMAGE=<your registry>/engineer-access-operator PUSH=1,
                  and set the chart's image.repository to that name (the tag defaults to 2.3.4).
                """);
    }

    @Test
    void anEngineThatCannotReachItsDaemonIsNamed() throws Exception {
        fakeDocker(false);
        Result r = run(Map.of("IMAGE", REGISTRY));
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).contains("docker is installed but cannot reach its engine ('docker info' fails)");
    }

    @Test
    void itBuildsBothTagsAndWithPushPushesThemAndGivesTheDigestToInstall() throws Exception {
        String commit = git("rev-parse", "--short=12", "HEAD").strip();
        fakeDocker(true);
        Result built = run(Map.of("IMAGE", REGISTRY));
        assertThat(built.exit).as(built.err).isZero();
        assertThat(Files.readAllLines(calls)).containsExactly("docker info", "mvn -q -DskipTests package",
                "docker build -f src/main/docker/Dockerfile.jvm -t " + REGISTRY + ":2.3.4 -t " + REGISTRY + ":2.3.4-" + commit + " .");
        assertThat(built.err).contains("not pushed: PUSH=1 pushes them");

        Files.delete(calls);
        Result pushed = run(Map.of("IMAGE", REGISTRY, "PUSH", "1"));
        assertThat(pushed.exit).as(pushed.err).isZero();
        assertThat(Files.readAllLines(calls)).containsSubsequence("docker push " + REGISTRY + ":2.3.4",
                "docker push " + REGISTRY + ":2.3.4-" + commit);
        assertThat(pushed.out).isEqualTo("  --set image.repository=" + REGISTRY + " --set image.digest=sha256:" + "d".repeat(64) + "\n");
    }

    /** A docker that records each call; {@code works}: whether {@code docker info} succeeds. */
    void fakeDocker(boolean works) throws IOException {
        script("docker", """
                #!/bin/bash
                echo "docker $*" >> "%s"
                case "$1" in
                  info) exit %d ;;
                  inspect) echo "%s@sha256:%s" ;;
                esac
                """.formatted(calls, works ? 0 : 1, REGISTRY, "d".repeat(64)));
        script("podman", "#!/bin/bash\nexit 1\n");
        script("mvn", "#!/bin/bash\necho \"mvn $*\" >> \"" + calls + "\"\n");
    }

    void script(String name, String text) throws IOException {
        Path file = bin.resolve(name);
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    record Result(int exit, String out, String err) {
    }

    Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(which("bash"), repo.resolve("scripts/build-image.sh").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile());
        Map<String, String> environment = pb.environment();
        environment.remove("IMAGE");
        environment.remove("PUSH");
        environment.put("MVN", "mvn");
        environment.put("PATH", bin + ":" + System.getenv("PATH"));
        environment.putAll(new HashMap<>(env));
        Path out = tmp.resolve("out");
        Path err = tmp.resolve("err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("scripts/build-image.sh took longer than 60 s");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    String git(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "-C", repo.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    static String which(String tool) {
        for (String dir : System.getenv("PATH").split(":")) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new AssertionError(tool + " is not on the PATH");
    }
}

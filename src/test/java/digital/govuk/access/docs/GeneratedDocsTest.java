package digital.govuk.access.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

/**
 * The generated pages in docs/ are what their sources make now. With {@code -Ddocs.write=true}
 * ({@code make docs}) it writes them instead.
 */
class GeneratedDocsTest {

    @Test
    void accessFlowIsDrawnFromTheRulesTheDecisionUses() throws IOException {
        String page = check(AccessFlowDoc.FILE, AccessFlowDoc::render);
        assertThat(page).contains("None -->|DeployGranted| Deploy", "AdminSupervised -->|AdminShadowShiftEnded| Admin",
                "Admin -->|LongAbsence| None", "AdminSupervised -->|ExceptionExpired| None", "Deploy -.->|SpecInvalid| None");
    }

    @Test
    void everyRuleOfTheFlowLinksToAHeadingOfTheAccessRules() throws IOException {
        java.util.List<String> headings = Files.readAllLines(Path.of("docs/access-rules.md")).stream()
                .filter(l -> l.startsWith("## ")).map(l -> l.substring(3).strip()).toList();
        for (digital.govuk.access.rules.AccessFlow.Move move : digital.govuk.access.rules.AccessFlow.Move.values()) {
            assertThat(headings).as("the section of %s", move).containsAll(AccessFlowDoc.sections(move));
        }
    }

    @Test
    void permissionsAreReadFromTheChartsExampleRoles() throws IOException {
        String page = check(PermissionsDoc.FILE, PermissionsDoc::render);
        assertThat(page).contains("| `secrets` | core | Admin | Admin | Admin | Admin | Admin | Admin | Admin |",
                "| `deployments` | apps | Deploy, Admin | Deploy, Admin | Deploy, Admin | Deploy, Admin | Deploy, Admin | Deploy, Admin"
                        + " | Deploy, Admin |",
                "| `pods/exec` | core | Admin |  |  | Admin |  |  |  |",
                "| `engineeraccesses/status` | access.govuk.digital |  | the whole cluster | update |",
                "| `leases` | coordination.k8s.io | `engineer-access-operator` | the release namespace | get, update, patch |");
        assertThat(page).doesNotContain("| `leases` | coordination.k8s.io |  | the whole cluster");
    }

    private static String check(String file, Supplier<String> render) throws IOException {
        String fresh = render.get();
        Path path = Path.of(file);
        if (Boolean.getBoolean("docs.write")) {
            Files.writeString(path, fresh);
            System.out.println("wrote " + path);
        }
        assertThat(Files.exists(path)).as("%s is missing; run `make docs` and commit it", file).isTrue();
        assertThat(Files.readString(path)).as("%s is stale; run `make docs` and commit it", file).isEqualTo(fresh);
        return fresh;
    }
}

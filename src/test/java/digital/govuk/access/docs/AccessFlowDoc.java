package digital.govuk.access.docs;

import java.util.List;
import java.util.stream.Collectors;

import digital.govuk.access.api.v1alpha1.AccessStage;
import digital.govuk.access.rules.AccessFlow;
import digital.govuk.access.rules.AccessFlow.Edge;
import digital.govuk.access.rules.AccessFlow.Move;

/**
 * docs/access-flow.md: Mermaid diagrams of how an engineer moves between the access stages, drawn from
 * {@link AccessFlow.Move}, the moves the decision's transitions are named by (and status.history records).
 */
final class AccessFlowDoc {
    static final String FILE = "docs/access-flow.md";

    private AccessFlowDoc() {
    }

    static String render() {
        StringBuilder out = new StringBuilder();
        out.append(GeneratedDocs.header("AccessFlow.Move in src/main/java/digital/govuk/access/rules/AccessFlow.java"));
        out.append("""
                # How an engineer moves between None, Deploy and Admin

                The stages of [the access rules](access-rules.md): **None**, **Deploy**, **Admin (supervised)** and
                **Admin**. Each arrow is labelled by the rule that moves an engineer along it; the same names are the
                `reason` of each entry in an EngineerAccess's `status.history`. The diagrams are generated from the
                moves the decision itself uses (`AccessFlow.Move`), and a property test walks generated careers
                through time to check that every change the decision makes by itself is an arrow of the first diagram.

                ## As time passes

                With no edit, the facts' own dates move an engineer: an approval's day, a shift's start and end, an
                exception's start and expiry, a long absence's threshold.

                """);
        out.append(diagram(true));
        out.append("""

                ## When the facts are edited

                An edit (an approval withdrawn, a shift removed, an exception rejected by a policy change, a spec
                that no longer reads) can also move an engineer along these arrows, at once.

                """);
        out.append(diagram(false));
        out.append("""

                ## The rules

                | rule (`status.history[].reason`) | moves an engineer when | from -> to | see |
                |---|---|---|---|
                """);
        for (Move move : Move.values()) {
            out.append("| `").append(move.name()).append("` | ").append(move.rule).append(" | ")
                    .append(move.edges.stream().map(e -> words(e.from()) + " -> " + words(e.to()) + (e.byTime() ? "" : " (edit)"))
                            .collect(Collectors.joining("<br>")))
                    .append(" | ").append(sections(move).stream().map(h -> "[" + h + "](access-rules.md#" + anchor(h) + ")")
                            .collect(Collectors.joining(", "))).append(" |\n");
        }
        return out.toString();
    }

    private static String diagram(boolean byTime) {
        StringBuilder out = new StringBuilder("```mermaid\nflowchart LR\n");
        for (AccessStage stage : AccessStage.values()) {
            out.append("    ").append(stage.name()).append("([\"").append(stage.words()).append("\"])\n");
        }
        for (Move move : Move.values()) {
            List<Edge> edges = move.edges.stream().filter(e -> e.byTime() == byTime).toList();
            for (Edge e : edges) {
                out.append("    ").append(e.from().name()).append(byTime ? " -->|" : " -.->|").append(move.name()).append("| ")
                        .append(e.to().name()).append('\n');
            }
        }
        return out.append("```\n").toString();
    }

    /** The headings of docs/access-rules.md a move's rule is written under. */
    static List<String> sections(Move move) {
        return List.of(move.section.split(", "));
    }

    /** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
    static String anchor(String heading) {
        return heading.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9 -]", "").replace(' ', '-');
    }

    private static String words(AccessStage stage) {
        return stage.words();
    }
}

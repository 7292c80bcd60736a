package digital.govuk.access.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import digital.govuk.access.status.StatusBuilder;
import digital.govuk.access.api.v1alpha1.AccessStage;
import digital.govuk.access.api.v1alpha1.AdminException;
import digital.govuk.access.api.v1alpha1.EngineerAccessSpec;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.api.v1alpha1.Shift;
import digital.govuk.access.bindings.DesiredBinding;
import digital.govuk.access.rules.Decision;
import digital.govuk.access.rules.OnePerson;
import digital.govuk.access.rules.Problem;
import digital.govuk.access.rules.Values;

/**
 * {@code report}: who holds which access at an instant, why, since when and until when, supervised and
 * approved by whom, and whether they may join the rota; the spreadsheet of who has what, worked out with the
 * decision the operator makes, from a cluster's objects or from files.
 */
final class Report {
    static final String[] HEADER = {"NAME", "ENGINEER", "ACCESS", "NAMESPACES", "WHY", "SINCE", "UNTIL", "SUPERVISED BY",
            "APPROVED BY", "ROTA"};

    /** One engineer's row; "-" where there is nothing to say. */
    record Row(String name, String engineer, String access, String namespaces, String why, String since, String until,
            String supervisedBy, String approvedBy, String rota, Level level) {
        String[] cells() {
            return new String[] {name, engineer, access, namespaces, why, since, until, supervisedBy, approvedBy, rota};
        }
    }

    private final Instant at;
    private final List<Row> rows;

    private Report(Instant at, List<Row> rows) {
        this.at = at;
        this.rows = rows;
    }

    List<Row> rows() {
        return rows;
    }

    static Report of(Plan.Result plan, Instant at) {
        List<Row> rows = new ArrayList<>();
        for (Plan.Engineer e : plan.engineers().values()) {
            rows.add(row(e, plan, at));
        }
        return new Report(at, rows);
    }

    private static Row row(Plan.Engineer e, Plan.Result plan, Instant at) {
        EngineerAccessSpec spec = e.resource().getSpec();
        String name = e.name().isEmpty() ? "(no name)" : Values.cut(e.name());
        String engineer = spec == null || spec.fullName == null ? "-" : Values.cut(spec.fullName);
        Decision d = e.decision();
        if (d == null) {
            return new Row(name, engineer, "frozen", "-", plan.policy().builtIn() ? "there is no AccessPolicy named default, so nothing"
                    + " can be worked out" : "the AccessPolicy is invalid, so nothing can be worked out", "-", "-", "-", "-",
                    "-", null);
        }
        if (!d.specValid()) {
            Problem first = d.problems().get(0);
            String why = OnePerson.REASON.equals(first.reason()) ? "refused: " + first : "invalid spec: " + first;
            return new Row(name, engineer, AccessStage.None.words(), "-", why, "-", "-", "-", "-", "-", Level.None);
        }
        Stages.Stage stage = Stages.at(Stages.of(e, plan), at);
        AccessStage now = AccessStage.of(d.level(), d.supervised());
        String namespaces = e.bindings().stream().map(DesiredBinding::namespace).distinct().sorted().collect(Collectors.joining(", "));
        return new Row(name, engineer, now.words(), dash(namespaces), why(d, spec),
                stage == null || stage.from() == null ? "-" : stage.from().toString(),
                stage == null || stage.until() == null ? "-" : stage.until().toString(),
                supervisedBy(d, spec), approvedBy(d, spec),
                d.rota().eligible.isEmpty() ? "-" : d.rota().eligible.stream().map(Enum::name).collect(Collectors.joining(", ")),
                d.level());
    }

    /** The facts the access rests on, or what is missing for Deploy. */
    static String why(Decision d, EngineerAccessSpec spec) {
        List<String> why = new ArrayList<>();
        Decision.Grounds g = d.grounds();
        if (d.earnedAdmin() && g.adminShadowShift() != null) {
            Shift s = spec.shifts.get(g.adminShadowShift());
            why.add(d.supervised() ? "on the AdminShadow shift until " + Values.cut(s.endTime) : "AdminShadow shift ended " + Values.cut(s.endTime));
        }
        if (g.exception() != null && !d.earnedAdmin()) {
            AdminException x = spec.exceptions.get(g.exception());
            why.add("exception: " + Values.cut(x.businessCase, 60));
        }
        if (d.deployOnItsOwn()) {
            why.add("deploy approval of " + Values.cut(spec.deployApproval.approvedOn));
        }
        if (why.isEmpty()) {
            Level missing = d.level() == Level.None ? Level.Deploy : Level.Admin;
            return "missing: " + d.unmet().stream().filter(u -> u.level == missing).map(u -> u.code.name()).collect(Collectors.joining(", "));
        }
        return String.join("; ", why);
    }

    /** Who supervises Admin now: the exception's supervisor, or the AdminShadow shift's. */
    static String supervisedBy(Decision d, EngineerAccessSpec spec) {
        if (!d.supervised()) {
            return "-";
        }
        Decision.Grounds g = d.grounds();
        String who = null;
        if (d.earnedAdmin() && g.adminShadowShift() != null) {
            who = spec.shifts.get(g.adminShadowShift()).supervisor;
        } else if (g.exception() != null) {
            who = spec.exceptions.get(g.exception()).supervisor;
        }
        return who == null || who.isBlank() ? "not recorded" : Values.cut(who);
    }

    /** Who approved the facts the access rests on. */
    static String approvedBy(Decision d, EngineerAccessSpec spec) {
        List<String> who = new ArrayList<>();
        if (d.deployOnItsOwn()) {
            who.add(Values.cut(spec.deployApproval.approvedBy) + " (deploy)");
        }
        if (d.grounds().exception() != null) {
            who.add(Values.cut(spec.exceptions.get(d.grounds().exception()).approvedBy) + " (exception)");
        }
        return who.isEmpty() ? "-" : String.join(", ", who);
    }

    private static String dash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    /**
     * What a reader must know about where the answer comes from: an instant in the past is worked out from today's
     * facts; a cluster whose operator has not yet applied what the rules say.
     */
    List<String> notes(Instant now, boolean live, Map<String, Level> written) {
        List<String> notes = new ArrayList<>();
        if (!live && at.isBefore(now)) {
            notes.add("--at " + StatusBuilder.shown(at) + " is in the past: this is worked out from today's facts and AccessPolicy. It cannot know facts"
                    + " removed or changed since, an earlier policy or namespace labels, or EngineerAccess objects deleted since;"
                    + " status.history and the Git history of the manifests hold those");
        }
        for (Row r : live ? rows : List.<Row>of()) {
            Level level = written.get(r.name());
            if (level != null && r.level() != null && level != r.level()) {
                notes.add(r.name() + ": the operator's status says " + level + " but the rules give " + r.access()
                        + ": the operator has not applied the latest change yet");
            }
        }
        return notes;
    }

    String table() {
        List<String[]> cells = new ArrayList<>();
        cells.add(HEADER);
        rows.forEach(r -> cells.add(r.cells()));
        return "Access at " + StatusBuilder.shown(at) + "\n" + Output.aligned(cells);
    }

    /** RFC 4180, one header row; a cell a spreadsheet would run as a formula starts with a quote mark. */
    String csv() {
        StringBuilder out = new StringBuilder();
        List<String[]> all = new ArrayList<>();
        all.add(new String[] {"name", "engineer", "access", "namespaces", "why", "since", "until", "supervised_by", "approved_by", "rota"});
        rows.forEach(r -> all.add(r.cells()));
        for (String[] row : all) {
            List<String> cells = new ArrayList<>();
            for (String cell : row) {
                cells.add(csvCell(cell));
            }
            out.append(String.join(",", cells)).append("\r\n");
        }
        return out.toString();
    }

    static String csvCell(String value) {
        String v = value;
        if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0 && !v.equals("-")) {
            v = "'" + v;
        }
        if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
            v = "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }

    String markdown(String source, List<String> notes) {
        StringBuilder out = new StringBuilder("## Production access at " + StatusBuilder.shown(at) + "\n\nFrom " + source
                + ", by the rules the operator applies.\n");
        for (String note : notes) {
            out.append("\n> ").append(Output.md(note)).append('\n');
        }
        out.append("\n| ").append(String.join(" | ", List.of(HEADER).stream().map(h -> h.charAt(0) + h.substring(1).toLowerCase(java.util.Locale.ROOT)).toList()))
                .append(" |\n|").append("---|".repeat(HEADER.length)).append('\n');
        for (Row r : rows) {
            out.append("| ").append(List.of(r.cells()).stream().map(Output::md).collect(Collectors.joining(" | "))).append(" |\n");
        }
        return out.toString();
    }
}

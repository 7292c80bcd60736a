package digital.govuk.access.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import digital.govuk.access.api.v1alpha1.AccessPolicy;
import digital.govuk.access.api.v1alpha1.EngineerAccess;
import digital.govuk.access.api.v1alpha1.Level;
import digital.govuk.access.bindings.Unexplained;

/** The three commands: read the input, compute with the shared decision, print. */
final class Commands {
    private Commands() {
    }

    static int plan(Main.Options o, PrintStream out, PrintStream err) {
        Plan.Result plan = Plan.compute(Manifests.read(paths(o.positional())), o.at(), false);
        Plan.Result before = o.against() == null ? null : Plan.compute(Manifests.read(List.of(o.against())), o.at(), false);

        notes(plan, err);
        List<InputError> errors = new ArrayList<>();
        if (before != null) {
            errors.addAll(before.errors());
        }
        errors.addAll(plan.errors());
        invalid(errors, err);

        if (before != null) {
            PlanDiff diff = PlanDiff.between(before, plan, o.at());
            out.print(switch (o.output()) {
                case "json" -> Output.json(diff.toJson(o.at()));
                case "markdown" -> PullRequestSummary.render(diff, errors, o.at());
                default -> diff.toText(o.at());
            });
        } else {
            out.print(o.output().equals("json") ? Output.json(Output.list(plan)) : Output.table(plan, o.at()));
        }
        return exit(errors, err);
    }

    static int report(String name, Main.Options o, PrintStream out, PrintStream err) throws Cluster.Unreadable {
        if (o.unexplained()) {
            return unexplained(o, out, err);
        }
        boolean fromCluster = o.positional().isEmpty();
        Manifests.Set set;
        if (fromCluster) {
            Cluster cluster = Cluster.connect(o.kubeconfig(), o.context());
            set = cluster.readAll();
            cluster.notes().forEach(n -> err.println("note: " + n));
        } else {
            set = Manifests.read(paths(o.positional()));
        }
        Plan.Result plan = Plan.compute(set, o.at(), fromCluster);
        notes(plan, err);
        invalid(plan.errors(), err);
        Report report = Report.of(plan, o.at());
        Map<String, Level> written = new HashMap<>();
        for (Manifests.Source<EngineerAccess> source : set.engineers()) {
            EngineerAccess ea = source.object();
            if (fromCluster && ea.getStatus() != null && ea.getStatus().level != null) {
                written.put(ea.getMetadata().getName(), ea.getStatus().level);
            }
        }
        List<String> notes = report.notes(o.now(), fromCluster && !o.atGiven(), written);
        notes.forEach(n -> err.println("note: " + n));
        out.print(switch (o.output()) {
            case "csv" -> report.csv();
            case "markdown" -> report.markdown(fromCluster ? "the cluster" : String.join(", ", o.positional()), notes);
            default -> report.table();
        });
        return o.checkPolicy() ? policyExit(plan, fromCluster, err) : exit(plan.errors(), err);
    }

    /**
     * {@code report --check-policy}: 0 when the AccessPolicy named default is valid, 1 when it is invalid or absent
     * (without one the operator grants nothing, decision 76). Invalid EngineerAccess objects have been printed; they
     * are their owners' to fix, not a fault of the installation, so they do not change the answer.
     */
    private static int policyExit(Plan.Result plan, boolean fromCluster, PrintStream err) {
        List<InputError> policy = plan.errors().stream().filter(e -> e.object().equals(POLICY)).toList();
        int others = plan.errors().size() - policy.size();
        String where = fromCluster ? " in the cluster" : " in the files";
        if (!policy.isEmpty()) {
            err.println("check-policy: the AccessPolicy named default" + where + " is invalid (" + policy.size()
                    + (policy.size() == 1 ? " problem" : " problems") + " above): the operator keeps the last valid one in force,"
                    + " or freezes access if it never had one");
            return 1;
        }
        if (plan.policy().builtIn()) {
            err.println("check-policy: there is no AccessPolicy named default" + where + ": without one the operator grants"
                    + " nothing, and access is frozen until one is created");
            return 1;
        }
        err.println("check-policy: the AccessPolicy named default" + where + " is valid"
                + (others == 0 ? "" : "; " + others + " other invalid " + (others == 1 ? "input" : "inputs") + " above grant nothing"));
        return 0;
    }

    /** How {@link Plan} names the AccessPolicy in the input errors it finds. */
    private static final String POLICY = "AccessPolicy " + AccessPolicy.DEFAULT_NAME;

    /**
     * {@code report --unexplained}: the bindings of the policy's two ClusterRoles the operator did not make. Exit 0
     * whenever the cluster could be read, whatever it found: finding some is the answer, not a failure.
     */
    static int unexplained(Main.Options o, PrintStream out, PrintStream err) throws Cluster.Unreadable {
        Cluster.Bindings read = Cluster.connect(o.kubeconfig(), o.context()).readBindings();
        UnexplainedReport.Roles roles = UnexplainedReport.Roles.of(read.policy());
        if (roles.note() != null) {
            err.println("note: " + roles.note());
        }
        List<Unexplained.Grant> grants = Unexplained.find(read.roleBindings(), read.clusterRoleBindings(), roles.names());
        UnexplainedReport report = new UnexplainedReport(grants, roles, o.now());
        if (grants.isEmpty() && o.output().equals("csv")) {
            err.println("note: " + report.none());
        }
        out.print(switch (o.output()) {
            case "csv" -> report.csv();
            case "markdown" -> report.markdown();
            default -> report.table();
        });
        return 0;
    }

    static int explain(String name, Main.Options o, PrintStream out, PrintStream err) throws Cluster.Unreadable {
        String engineer = o.positional().get(0);
        boolean fromCluster = o.files().isEmpty();
        Manifests.Set set;
        if (fromCluster) {
            Cluster cluster = Cluster.connect(o.kubeconfig(), o.context());
            set = cluster.readFor(engineer);
            cluster.notes().forEach(n -> err.println("note: " + n));
        } else {
            set = Manifests.read(o.files());
        }
        Plan.Result plan = Plan.compute(set, o.at(), fromCluster);
        Plan.Engineer e = plan.engineers().get(engineer);
        if (e == null) {
            err.println(name + ": no EngineerAccess named '" + engineer + "' " + (fromCluster ? "in the cluster" : "in " + o.files().stream().map(Path::toString).collect(java.util.stream.Collectors.joining(", "))));
            return 1;
        }
        List<InputError> errors = plan.errors().stream().filter(x -> !x.object().startsWith("EngineerAccess ")
                || x.object().equals("EngineerAccess " + engineer)).toList();
        invalid(errors, err);
        // From the cluster, the status the operator wrote says what it has applied, and its history.
        var written = !fromCluster ? null : set.engineers().stream().map(Manifests.Source::object)
                .filter(x -> engineer.equals(x.getMetadata().getName())).findFirst().map(x -> x.getStatus()).orElse(null);
        out.print(Explain.of(e, plan, o.at(), fromCluster, written));
        return exit(errors, err);
    }

    private static List<Path> paths(List<String> names) {
        return names.stream().map(Path::of).toList();
    }

    private static void notes(Plan.Result plan, PrintStream err) {
        for (String note : plan.notes()) {
            err.println("note: " + note);
        }
    }

    private static void invalid(List<InputError> errors, PrintStream err) {
        for (InputError e : errors) {
            err.println("invalid: " + e);
        }
    }

    private static int exit(List<InputError> errors, PrintStream err) {
        if (!errors.isEmpty()) {
            err.println(errors.size() + (errors.size() == 1 ? " invalid input" : " invalid inputs") + ": they grant nothing");
            return 1;
        }
        return 0;
    }
}

package digital.govuk.access.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code engineer-access plan|report|explain}: what the operator would do, who holds what, and one engineer
 * in plain words. The same program is the kubectl plugin {@code kubectl access} (bin/kubectl-access). Exit 0
 * when every input is valid, 1 when some input is invalid or the cluster cannot be read, 2 on a usage error.
 * A plain JVM main: it never starts the operator.
 */
public final class Main {
    /** The name the program is called by, in messages: set by bin/kubectl-access to {@code kubectl access}. */
    static final String NAME_VARIABLE = "ENGINEER_ACCESS_COMMAND";
    static final String DEFAULT_NAME = "engineer-access";

    static String usage(String name) {
        return """
                Usage: %1$s plan [--at RFC3339] [-o table|json|markdown] [--against OLDPATH] PATH...
                       %1$s report [--at RFC3339] [-o table|csv|markdown] [--kubeconfig FILE] [--context NAME] [PATH...]
                       %1$s report --unexplained [-o table|csv|markdown] [--kubeconfig FILE] [--context NAME]
                       %1$s report --check-policy [-o table|csv|markdown] [--kubeconfig FILE] [--context NAME] [PATH...]
                       %1$s explain NAME [--at RFC3339] [--kubeconfig FILE] [--context NAME] [-f PATH]...

                  plan      the access the operator would grant at an instant (default: now), from EngineerAccess,
                            AccessPolicy and Namespace objects in YAML or JSON files and folders, with no cluster
                  report    who holds which access, why, since and until when, supervised and approved by whom,
                            and rota eligibility: from the cluster, or from files when PATHs are given
                  report --unexplained
                            who else holds production access: the RoleBindings and ClusterRoleBindings in the
                            cluster that grant the policy's Deploy or Admin ClusterRole and that the operator did
                            not make, so no EngineerAccess explains them (listed, never changed): from the cluster only
                  report --check-policy
                            the same report, but the exit status says only whether the AccessPolicy named default
                            is valid (1 when it is invalid or there is none); invalid EngineerAccess objects
                            are printed and do not change it (the chart's helm test runs this)
                  explain   one engineer in plain words: what they have and why, what is missing and what to do
                            next, and when it changes: from the cluster, or from files with -f

                  --at T            the instant, RFC 3339 (for example 2026-12-01T09:00:00Z)
                  -o, --output F    plan: table (default); json: a v1 List of EngineerAccess with .status filled in;
                                    markdown (with --against): a summary for a pull request comment
                                    report: table (default), csv or markdown
                  --unexplained     report: access outside the operator's records, as above
                  --check-policy    report: exit 1 only when the AccessPolicy is invalid or the cluster cannot be read
                  --against OLD     plan: compare with the manifests at OLD and print who gains or loses access, now and later
                  --kubeconfig FILE the cluster to read (default: $KUBECONFIG, else ~/.kube/config, as kubectl)
                  --context NAME    the kubeconfig context to use (default: its current context)
                  -f, --filename P  explain: read the engineer, the policy and the namespaces from this file or folder
                  -h, --help        show this help

                As a kubectl plugin (bin/kubectl-access on your PATH): kubectl access plan|report|explain ...

                Exit status: 0 every input is valid; 1 some input is invalid (each problem is printed with its
                file, object and field), the cluster could not be read, or explain found no such engineer; 2 usage error.
                With report --check-policy: 0 the AccessPolicy is valid; 1 it is invalid, or the cluster could not be read.
                """.formatted(name);
    }

    private Main() {
    }

    public static void main(String[] args) {
        // The Kubernetes client logs through JBoss Logging: without this, the first log call prints a complaint on
        // stderr that a user would read as an error. Set before anything logs.
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        }
        String name = System.getenv(NAME_VARIABLE);
        System.exit(run(name == null || name.isBlank() ? DEFAULT_NAME : name, args, System.out, System.err, Clock.systemUTC()));
    }

    /** Runs the command as {@code engineer-access} and returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err, Clock clock) {
        return run(DEFAULT_NAME, args, out, err, clock);
    }

    /** The options of one command line, checked. */
    record Options(String command, Instant now, Instant at, boolean atGiven, String output, Path against, Path kubeconfig, String context,
            List<Path> files, List<String> positional, boolean unexplained, boolean checkPolicy) {
    }

    /** A usage error: the message is printed with the usage, and the exit status is 2. */
    static final class UsageError extends Exception {
        UsageError(String message) {
            super(message);
        }
    }

    /** Runs the command, calling itself {@code name} in messages, and returns the exit status. */
    public static int run(String name, String[] args, PrintStream out, PrintStream err, Clock clock) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
            (args.length == 0 ? err : out).print(usage(name));
            return args.length == 0 ? 2 : 0;
        }
        Options o;
        try {
            o = parse(args, clock);
        } catch (UsageError e) {
            err.println(name + ": " + e.getMessage());
            err.print(usage(name));
            return 2;
        }
        if (o == null) {
            out.print(usage(name));
            return 0;
        }
        try {
            return switch (o.command()) {
                case "plan" -> Commands.plan(o, out, err);
                case "report" -> Commands.report(name, o, out, err);
                default -> Commands.explain(name, o, out, err);
            };
        } catch (Cluster.Unreadable e) {
            err.println(name + ": " + e.getMessage());
            return 1;
        }
    }

    private static final Set<String> COMMANDS = Set.of("plan", "report", "explain");

    /** The options, checked for the command; null when help was asked for. */
    static Options parse(String[] args, Clock clock) throws UsageError {
        String command = args[0];
        if (!COMMANDS.contains(command)) {
            throw new UsageError("unknown command '" + command + "'");
        }
        // One reading of the clock: "now" and the default --at are the same instant, so no note calls it past.
        Instant now = clock.instant();
        Instant at = now;
        boolean atGiven = false;
        String output = "table";
        Path against = null;
        Path kubeconfig = null;
        String context = null;
        List<Path> files = new ArrayList<>();
        List<String> positional = new ArrayList<>();
        boolean unexplained = false;
        boolean checkPolicy = false;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            String value = null;
            String option = a;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                option = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            switch (option) {
                case "-h", "--help" -> {
                    return null;
                }
                case "--unexplained" -> {
                    if (value != null) {
                        throw new UsageError("--unexplained takes no value");
                    }
                    unexplained = true;
                }
                case "--check-policy" -> {
                    if (value != null) {
                        throw new UsageError("--check-policy takes no value");
                    }
                    checkPolicy = true;
                }
                case "--at", "-o", "--output", "--against", "--kubeconfig", "--context", "-f", "--filename" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new UsageError(option + " needs a value");
                        }
                        value = args[++i];
                    }
                    switch (option) {
                        case "--at" -> {
                            try {
                                at = OffsetDateTime.parse(value).toInstant();
                                atGiven = true;
                            } catch (DateTimeParseException e) {
                                throw new UsageError("--at '" + value + "' is not an RFC 3339 instant (for example 2026-12-01T09:00:00Z)");
                            }
                        }
                        case "--against" -> against = Path.of(value);
                        case "--kubeconfig" -> kubeconfig = Path.of(value);
                        case "--context" -> context = value;
                        case "-f", "--filename" -> files.add(Path.of(value));
                        default -> output = value;
                    }
                }
                default -> {
                    if (a.startsWith("-") && a.length() > 1) {
                        throw new UsageError("unknown option " + a);
                    }
                    positional.add(a);
                }
            }
        }
        Options o = new Options(command, now, at, atGiven, output, against, kubeconfig, context, files, positional, unexplained,
                checkPolicy);
        check(o);
        return o;
    }

    private static void check(Options o) throws UsageError {
        boolean cluster = o.kubeconfig() != null || o.context() != null;
        if (o.unexplained() && !o.command().equals("report")) {
            throw new UsageError("--unexplained is for report: report --unexplained lists access outside the operator's records");
        }
        if (o.checkPolicy() && !o.command().equals("report")) {
            throw new UsageError("--check-policy is for report: report --check-policy exits 1 only when the AccessPolicy is invalid");
        }
        if (o.checkPolicy() && o.unexplained()) {
            throw new UsageError("--check-policy and --unexplained do not go together: report --unexplained does not judge the"
                    + " AccessPolicy");
        }
        switch (o.command()) {
            case "plan" -> {
                only(o, "-o takes table, json or markdown", "table", "json", "markdown");
                if (cluster || !o.files().isEmpty()) {
                    throw new UsageError("plan reads files only: name them as PATHs");
                }
                if (o.positional().isEmpty()) {
                    throw new UsageError("name at least one file or folder");
                }
                if (o.output().equals("markdown") && o.against() == null) {
                    throw new UsageError("-o markdown is the pull request summary: it needs --against OLDPATH");
                }
            }
            case "report" -> {
                only(o, "-o takes table, csv or markdown", "table", "csv", "markdown");
                if (o.against() != null || !o.files().isEmpty()) {
                    throw new UsageError("report takes PATHs, or reads the cluster; --against and -f are for plan and explain");
                }
                if (o.unexplained() && !o.positional().isEmpty()) {
                    throw new UsageError("report --unexplained reads the RoleBindings and ClusterRoleBindings in the cluster, which"
                            + " files cannot show: drop the PATHs");
                }
                if (o.unexplained() && o.atGiven()) {
                    throw new UsageError("report --unexplained shows the bindings in the cluster as they are now: --at does not apply");
                }
                if (cluster && !o.positional().isEmpty()) {
                    throw new UsageError("report reads either the cluster (--kubeconfig, --context) or files (PATH...), not both");
                }
            }
            default -> {
                if (o.against() != null || !o.output().equals("table")) {
                    throw new UsageError("explain takes NAME, --at, --kubeconfig, --context and -f");
                }
                if (o.positional().size() != 1) {
                    throw new UsageError("explain takes one EngineerAccess NAME");
                }
                if (cluster && !o.files().isEmpty()) {
                    throw new UsageError("explain reads either the cluster (--kubeconfig, --context) or files (-f), not both");
                }
            }
        }
    }

    private static void only(Options o, String message, String... outputs) throws UsageError {
        if (!List.of(outputs).contains(o.output())) {
            throw new UsageError(message + ", not '" + o.output() + "'");
        }
    }
}

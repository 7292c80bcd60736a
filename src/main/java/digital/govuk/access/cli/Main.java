package digital.govuk.access.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code engineer-access plan [--at RFC3339] [-o table|json|markdown] [--against OLDPATH] PATH...}: what the
 * operator would do, with no cluster. Exit 0 when every input is valid, 1 when some input is invalid,
 * 2 on a usage error. A plain JVM main: it never starts the operator.
 */
public final class Main {
    static final String USAGE = """
            Usage: engineer-access plan [--at RFC3339] [-o table|json|markdown] [--against OLDPATH] PATH...

            Reads EngineerAccess, AccessPolicy and Namespace objects from YAML or JSON files and folders
            and prints the access the operator would grant at that instant (default: now).

              --at T            the instant to plan for, RFC 3339 (for example 2026-12-01T09:00:00Z)
              -o, --output F    table (default); json: a v1 List of EngineerAccess with .status filled in;
                                markdown (with --against): a summary for a pull request comment
              --against OLD     compare with the manifests at OLD and print who gains or loses access, now and later
              -h, --help        show this help

            Exit status: 0 every input is valid; 1 some input is invalid (each problem is printed with its
            file, object and field); 2 usage error.
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, Clock.systemUTC()));
    }

    /** Runs the command and returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err, Clock clock) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
            (args.length == 0 ? err : out).print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        if (!args[0].equals("plan")) {
            err.println("engineer-access: unknown command '" + args[0] + "'");
            err.print(USAGE);
            return 2;
        }
        Instant at = clock.instant();
        String output = "table";
        Path against = null;
        List<Path> paths = new ArrayList<>();
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
                    out.print(USAGE);
                    return 0;
                }
                case "--at", "-o", "--output", "--against" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            return usage(err, option + " needs a value");
                        }
                        value = args[++i];
                    }
                    if (option.equals("--at")) {
                        try {
                            at = OffsetDateTime.parse(value).toInstant();
                        } catch (DateTimeParseException e) {
                            return usage(err, "--at '" + value + "' is not an RFC 3339 instant (for example 2026-12-01T09:00:00Z)");
                        }
                    } else if (option.equals("--against")) {
                        against = Path.of(value);
                    } else if (value.equals("json") || value.equals("table") || value.equals("markdown")) {
                        output = value;
                    } else {
                        return usage(err, "-o takes table, json or markdown, not '" + value + "'");
                    }
                }
                default -> {
                    if (a.startsWith("-") && a.length() > 1) {
                        return usage(err, "unknown option " + a);
                    }
                    paths.add(Path.of(a));
                }
            }
        }
        if (paths.isEmpty()) {
            return usage(err, "name at least one file or folder");
        }
        if (output.equals("markdown") && against == null) {
            return usage(err, "-o markdown is the pull request summary: it needs --against OLDPATH");
        }

        Plan.Result plan = Plan.compute(Manifests.read(paths), at);
        Plan.Result before = against == null ? null : Plan.compute(Manifests.read(List.of(against)), at);

        for (String note : plan.notes()) {
            err.println("note: " + note);
        }
        List<InputError> errors = new ArrayList<>();
        if (before != null) {
            errors.addAll(before.errors());
        }
        errors.addAll(plan.errors());
        for (InputError e : errors) {
            err.println("invalid: " + e);
        }

        if (before != null) {
            PlanDiff diff = PlanDiff.between(before, plan, at);
            out.print(switch (output) {
                case "json" -> Output.json(diff.toJson(at));
                case "markdown" -> PullRequestSummary.render(diff, errors, at);
                default -> diff.toText(at);
            });
        } else {
            out.print(output.equals("json") ? Output.json(Output.list(plan)) : Output.table(plan, at));
        }
        if (!errors.isEmpty()) {
            err.println(errors.size() + (errors.size() == 1 ? " invalid input" : " invalid inputs") + ": they grant nothing");
            return 1;
        }
        return 0;
    }

    private static int usage(PrintStream err, String message) {
        err.println("engineer-access: " + message);
        err.print(USAGE);
        return 2;
    }
}

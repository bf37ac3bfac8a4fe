package io.sparknas.jobs;

import io.sparknas.jobs.bench.AsyncBench;
import io.sparknas.jobs.bench.DartsBench;
import io.sparknas.jobs.bench.EstimatorBench;
import io.sparknas.jobs.bench.FidelityBench;
import io.sparknas.jobs.bench.ParetoBench;
import io.sparknas.jobs.bench.PredictorBench;
import io.sparknas.jobs.bench.StrategyBench;
import io.sparknas.jobs.bench.TrainStepBench;
import io.sparknas.pipeline.core.Provenance;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine;

import java.util.Arrays;

/**
 * The sparknas command line: {@code ./sparknas <command>} locally, or
 * {@code spark-submit --class io.sparknas.jobs.Main sparknas-app.jar <command>} on a cluster.
 * The exit code comes from here only.
 */
@Command(name = "sparknas", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Neural-architecture search as an Apache Spark pipeline.")
public final class Main {
    /** Declared here so that every command accepts it; {@link #run} reads it from the arguments it was given. */
    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "On an error, print its stack trace after the one-line reason.")
    boolean verbose;

    /** The pom's version (the one every result row records) and the Spark line it was built for. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"sparknas " + Provenance.SPARKNAS_VERSION + " (Spark "
                    + org.apache.spark.package$.MODULE$.SPARK_VERSION() + ", Java " + System.getProperty("java.version")
                    + ")"};
        }
    }
    /**
     * Exits with the command's code; in YARN cluster mode ({@code spark.submit.deployMode = cluster}) returns on
     * success instead, because Spark's ApplicationMaster reports an application that calls {@code System.exit(0)}
     * before its main returns as FAILED (EXIT_EARLY) and YARN runs it again, and throws on failure, which the
     * ApplicationMaster reports as FAILED with the message as the diagnostics.
     */
    public static void main(String[] args) {
        int code = run(args);
        if (clusterMode()) {
            if (code != 0) {
                throw new IllegalStateException("sparknas " + String.join(" ", args) + " failed with exit code " + code
                        + " (2: bad configuration, 1: failure; the reason is in the driver's log)");
            }
            return;
        }
        System.exit(code);
    }

    static boolean clusterMode() {
        return "cluster".equals(System.getProperty("spark.submit.deployMode"));
    }

    /** The sweep kinds first, in the registry's order ({@link SweepKinds}), then the tools and the benchmarks. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        for (SweepKinds.Kind k : SweepKinds.ALL) {
            cli.addSubcommand(k.name(), k.job().get());
            cli.getSubcommands().get(k.name()).getCommandSpec().usageMessage().footer("", SWEEP_EXIT_CODES,
                    "Example: ./sparknas " + k.name() + " --conf " + k.example());
        }
        for (Object tool : new Object[] {new ReportJob(), new ServeJob(), new RepairJob(), new CompactJob(),
                new DoctorJob(), new StrategyBench(), new PredictorBench(), new ParetoBench(), new AsyncBench(),
                new TrainStepBench(), new DartsBench(), new EstimatorBench(), new FidelityBench()}) {
            cli.addSubcommand(tool);
        }
        // bash/zsh completion: source <(./sparknas generate-completion)
        cli.addSubcommand(new AutoComplete.GenerateCompletion());
        cli.getSubcommands().values().forEach(c -> {
            c.getCommandSpec().usageMessage().showDefaultValues(true);
            if (c.getCommandSpec().usageMessage().footer().length == 0) {
                c.getCommandSpec().usageMessage().footer("", TOOL_EXIT_CODES);
            }
        });
        cli.getCommandSpec().usageMessage().footer("", "Exit codes: 0 done, 1 failed, 2 bad arguments or "
                + "configuration. Completion: source <(./sparknas generate-completion)");
        return cli;
    }

    private static final String SWEEP_EXIT_CODES = "Exit codes: 0 done (or already complete), 1 the sweep stopped "
            + "(too many failed candidates, no winner), 2 a bad configuration or a sweep held by another run "
            + "(nothing written).";
    private static final String TOOL_EXIT_CODES = "Exit codes: 0 done, 1 failed, 2 bad arguments or configuration.";

    /**
     * The one line an error prints: its message, or, for an exception without one (a bug of ours, such as a
     * NullPointerException), its kind and where it was thrown, and how to see the rest.
     */
    static String reason(Throwable e) {
        if (e.getMessage() != null && !e.getMessage().isBlank()) {
            return e.getMessage();
        }
        StackTraceElement at = e.getStackTrace().length == 0 ? null : e.getStackTrace()[0];
        return "internal error " + e.getClass().getName() + (at == null ? "" : " at " + at) + " (run again with "
                + "--verbose for the stack trace, and please report it)";
    }

    /** Runs a command and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        return commandLine()
                .setExecutionExceptionHandler((e, cmd, parse) -> {
                    cmd.getErr().println("error: " + reason(e));
                    if (Arrays.asList(args).contains("--verbose")) {
                        e.printStackTrace(cmd.getErr());
                    }
                    return 1;
                })
                .execute(args);
    }
}

package io.sparknas.jobs;

import io.sparknas.jobs.bench.DartsBench;
import io.sparknas.jobs.bench.EstimatorBench;
import io.sparknas.jobs.bench.ParetoBench;
import io.sparknas.jobs.bench.StrategyBench;
import io.sparknas.jobs.bench.TrainStepBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The sparknas command line: {@code ./sparknas <command>} locally, or
 * {@code spark-submit --class io.sparknas.jobs.Main sparknas-app.jar <command>} on a cluster.
 * The exit code comes from here only.
 */
@Command(name = "sparknas", mixinStandardHelpOptions = true, version = "sparknas 0.1.0",
        description = "Neural-architecture search as an Apache Spark pipeline.",
        subcommands = {SearchJob.class, DartsJob.class, ScaleJob.class, OfaJob.class, ProfileJob.class, ReportJob.class, DoctorJob.class, StrategyBench.class, ParetoBench.class, TrainStepBench.class,
            DartsBench.class,
            EstimatorBench.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        return new CommandLine(new Main())
                .setExecutionExceptionHandler((e, cmd, parse) -> {
                    cmd.getErr().println("error: " + e.getMessage());
                    return 1;
                })
                .execute(args);
    }
}

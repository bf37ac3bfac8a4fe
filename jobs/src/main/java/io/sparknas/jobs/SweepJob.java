package io.sparknas.jobs;

import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.core.Sweep;
import io.sparknas.pipeline.core.SweepLease;
import io.sparknas.space.Evaluation;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * The one template of the jobs that run a sweep: load and validate the configuration (exit 2 on a bad one), say
 * what runs where, start Spark, move an old sweep aside on {@code --new-sweep}, run the sweep (exit 2 when the path
 * holds another configuration), print the outcome, export the winner (exit 1 when there is none), stop Spark.
 *
 * @param <C> the job's configuration
 */
abstract class SweepJob<C extends Sweep.Definition> implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(SweepJob.class);

    @Mixin
    SweepOptions options = new SweepOptions();

    /**
     * What a job's run gives: the winner, a closing line, what to say when there is no winner (empty: the job has
     * none by nature and succeeds), and whether the template exports the winner.
     */
    record Outcome(Optional<Evaluation> best, String summary, String noWinner, boolean exportWinner) {
        Outcome(Optional<Evaluation> best, String summary, String noWinner) {
            this(best, summary, noWinner, true);
        }
    }

    private final String command;
    private final Function<JobConfig, C> configure;

    /**
     * @param command   the command's name, e.g. {@code search}
     * @param configure the job's configuration from the loaded file; an invalid value throws IllegalArgumentException
     */
    SweepJob(String command, Function<JobConfig, C> configure) {
        this.command = command;
        this.configure = configure;
    }

    /** What the header line adds about this job's configuration (may be empty). */
    abstract String describe(C cfg);

    abstract Outcome run(SparkSession spark, C cfg);

    /** Settings a job's own options stand for ({@code scale --base FILE} is {@code --set scale.base=FILE}). */
    List<String> overrides() {
        return List.of();
    }

    @Override
    public Integer call() throws Exception {
        JobConfig job;
        C cfg;
        try {
            job = options.load(overrides());
            cfg = configure.apply(job);
            cfg.estimators().forEach(job::checkLocalData);
        } catch (IllegalArgumentException e) {
            System.err.println("sparknas " + command + ": " + e.getMessage());
            return 2;
        }
        System.out.println("sparknas " + command + ": sweep '" + cfg.name() + "' -> " + cfg.output() + " (config hash "
                + cfg.hash() + ")" + describe(cfg));
        LOG.info("configuration ({}):\n{}", job.source(), job.render(command));
        SparkSession spark = job.sparkSession("sparknas-" + command + "-" + cfg.name());
        org.apache.hadoop.fs.Path output = new org.apache.hadoop.fs.Path(cfg.output());
        org.apache.hadoop.fs.FileSystem outputFs = output.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (options.newSweep && !io.sparknas.pipeline.core.AtomicRenames.supported(outputFs)
                && outputFs.exists(output)) { // checked before the lease is written
            System.err.println("sparknas " + command + ": --new-sweep: " + cfg.output() + " is on an object store, "
                    + "where moving a sweep aside copies every file (a crash half-way leaves part of it at each end); "
                    + "nothing was moved. Choose another sweep.output");
            spark.stop();
            return 2;
        }
        SweepLease lease;
        try {
            lease = SweepLease.acquire(cfg.output(), spark.sparkContext().hadoopConfiguration(), options.takeOver,
                    SweepLease.runId(spark.sparkContext().applicationId()));
        } catch (SweepLease.Held e) {
            System.err.println("sparknas " + command + ": " + e.getMessage());
            spark.stop();
            return 2;
        }
        try (lease) {
            ResultStore store = new ResultStore(spark, cfg.output());
            if (options.newSweep && store.exists()) {
                if (store.metadata().isEmpty() && !isEmpty(cfg.output(), spark)) { // a sweep, never another folder
                    System.err.println("sparknas " + command + ": --new-sweep: " + cfg.output() + " is not a sweep "
                            + "(it has no sweep.json) and is not empty; nothing was moved. Choose another sweep.output");
                    return 2;
                }
                if (store.metadata().isPresent()) {
                    org.apache.hadoop.fs.Path old = new org.apache.hadoop.fs.Path(cfg.output());
                    System.out.println("moved the existing sweep aside to " + archive(old,
                            old.getFileSystem(spark.sparkContext().hadoopConfiguration())));
                }
            }
            Outcome outcome;
            try {
                outcome = run(spark, cfg);
            } catch (Sweep.Mismatch | Sweep.Refused | SweepLease.Lost e) {
                System.err.println("sparknas " + command + ": " + e.getMessage());
                return 2;
            } catch (io.sparknas.pipeline.core.FailureLimit.TooManyFailures e) {
                System.err.println("sparknas " + command + ": " + e.getMessage());
                return 1;
            } catch (RuntimeException e) { // after the lease was lost (frozen mid-write, then fenced): say that
                try {
                    SweepLease.checkFence(outputFs, cfg.output());
                } catch (SweepLease.Lost lost) {
                    System.err.println("sparknas " + command + ": " + lost.getMessage());
                    return 2;
                }
                throw e;
            }
            if (!outcome.summary().isEmpty()) {
                System.out.println(outcome.summary());
            }
            if (outcome.best().isEmpty()) {
                if (outcome.noWinner().isEmpty()) {
                    return 0; // a job without winners (a latency profile)
                }
                System.out.println(outcome.noWinner());
                return 1;
            }
            if (outcome.exportWinner()) {
                WinnerExport.announceAndExport(outcome.best().get(), cfg.estimators().get(0), job, cfg);
            }
            return 0;
        } finally {
            spark.stop();
        }
    }

    /** Moves an existing sweep aside (to {@code <path>.replaced-<millis>}) so a new one can start; deletes nothing. */
    private static String archive(org.apache.hadoop.fs.Path sweep, org.apache.hadoop.fs.FileSystem fs)
            throws java.io.IOException {
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(sweep + ".replaced-"
                + System.currentTimeMillis());
        if (!fs.rename(sweep, target)) {
            throw new java.io.IOException("cannot move " + sweep + " aside to " + target + ": rename failed");
        }
        return target.toString();
    }

    /** Whether a path holds nothing (or is not there). */
    private static boolean isEmpty(String path, SparkSession spark) throws java.io.IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
        org.apache.hadoop.fs.FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
        return !fs.exists(p) || fs.listStatus(p).length == 0;
    }
}

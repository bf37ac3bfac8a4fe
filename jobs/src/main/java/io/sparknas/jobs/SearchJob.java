package io.sparknas.jobs;

import io.sparknas.pipeline.ResultStore;
import io.sparknas.pipeline.SearchLoop;
import io.sparknas.pipeline.SweepConfig;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code sparknas search --conf FILE [--set key=value ...] [--new-sweep]}: runs (or resumes) a sweep — rounds
 * of the configured strategy evaluated on Spark, committed to Parquet — then prints the winner and exports it.
 * Exit codes: 0 done, 1 failure, 2 bad configuration or a sweep path holding another configuration.
 */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Run or resume a neural-architecture search sweep on Spark.")
public final class SearchJob implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(SearchJob.class);

    @Mixin
    SweepOptions options = new SweepOptions();

    @Override
    public Integer call() throws Exception {
        JobConfig job;
        SweepConfig cfg;
        try {
            job = options.load();
            cfg = job.sweep();
        } catch (IllegalArgumentException e) {
            System.err.println("sparknas search: " + e.getMessage());
            return 2;
        }
        System.out.println("sparknas search: sweep '" + cfg.name() + "' -> " + cfg.output() + " (config hash "
                + cfg.hash() + ")");
        LOG.info("configuration ({}):\n{}", job.source(), job.render());
        SparkSession spark = job.sparkSession("sparknas-search-" + cfg.name());
        try {
            ResultStore store = new ResultStore(spark, cfg.output());
            if (options.newSweep && store.exists()) {
                System.out.println("moved the existing sweep aside to " + store.archive());
            }
            SearchLoop.Result result;
            try {
                result = new SearchLoop(spark, cfg, System.out::println).run();
            } catch (SearchLoop.SweepMismatch e) {
                System.err.println("sparknas search: " + e.getMessage());
                return 2;
            }
            System.out.printf(Locale.ROOT, "done: %d evaluations (%d failed) in %d rounds; results: %s%n",
                    result.evaluated(), result.failed(), result.roundsCompleted(), store.path(ResultStore.CANDIDATES));
            if (result.best().isEmpty()) {
                System.out.println("no candidate was evaluated successfully; see the 'error' column of the results");
                return 1;
            }
            WinnerExport.announceAndExport(result.best().get(), cfg.estimator(), job, cfg.name(), cfg.output(),
                    cfg.hash());
            return 0;
        } finally {
            spark.stop();
        }
    }
}

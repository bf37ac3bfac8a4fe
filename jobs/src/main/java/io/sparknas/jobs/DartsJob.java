package io.sparknas.jobs;

import io.sparknas.pipeline.DartsSweep;
import io.sparknas.pipeline.ResultStore;
import io.sparknas.pipeline.SearchLoop;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code sparknas darts --conf FILE [--set key=value ...] [--new-sweep]}: DARTS searches as parallel Spark tasks
 * (traces and alpha per epoch to Parquet), their derived genotypes trained by the proxy estimator on Spark, the
 * best exported like the search job's winner. Exit codes: 0 done, 1 failure, 2 bad configuration or a sweep
 * path holding another configuration.
 */
@Command(name = "darts", mixinStandardHelpOptions = true,
        description = "Differentiable architecture search (DARTS) on Spark: parallel searches, derived genotypes "
                + "evaluated by proxy training, the best exported.")
public final class DartsJob implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(DartsJob.class);

    @Mixin
    SweepOptions options = new SweepOptions();

    @Override
    public Integer call() throws Exception {
        JobConfig job;
        DartsSweep.Config cfg;
        try {
            job = options.load();
            cfg = job.darts();
        } catch (IllegalArgumentException e) {
            System.err.println("sparknas darts: " + e.getMessage());
            return 2;
        }
        System.out.printf(Locale.ROOT, "sparknas darts: sweep '%s' -> %s (config hash %s): %d searches, %d epochs, "
                + "order %d, maxSkips %d%n", cfg.name(), cfg.output(), cfg.hash(), cfg.searches(), cfg.search().epochs(),
                cfg.search().order(), cfg.search().maxSkips());
        LOG.info("configuration ({}):\n{}", job.source(), job.render());
        SparkSession spark = job.sparkSession("sparknas-darts-" + cfg.name());
        try {
            ResultStore store = new ResultStore(spark, cfg.output());
            if (options.newSweep && store.exists()) {
                System.out.println("moved the existing sweep aside to " + store.archive());
            }
            DartsSweep.Result result;
            try {
                result = new DartsSweep(spark, cfg, System.out::println).run();
            } catch (SearchLoop.SweepMismatch e) {
                System.err.println("sparknas darts: " + e.getMessage());
                return 2;
            }
            if (result.best().isEmpty()) {
                System.out.println("no derived genotype was evaluated successfully; see " + store.path(DartsSweep.EPOCHS)
                        + " and the 'error' column of " + store.path(ResultStore.CANDIDATES));
                return 1;
            }
            WinnerExport.announceAndExport(result.best().get(), cfg.evaluation(), job, cfg.name(), cfg.output(),
                    cfg.hash());
            return 0;
        } finally {
            spark.stop();
        }
    }
}

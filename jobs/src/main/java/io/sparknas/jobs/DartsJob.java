package io.sparknas.jobs;

import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.darts.DartsConfig;
import io.sparknas.pipeline.darts.DartsSweep;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;

import java.util.Locale;

/**
 * {@code sparknas darts --conf FILE [--set key=value ...] [--new-sweep]}: DARTS searches as parallel Spark tasks
 * (traces and alpha per epoch to Parquet), their derived genotypes trained by the proxy estimator on Spark, the
 * best exported like the search job's winner. Exit codes: 0 done, 1 failure, 2 bad configuration or a sweep
 * path holding another configuration.
 */
@Command(name = "darts", mixinStandardHelpOptions = true,
        description = "Differentiable architecture search (DARTS) on Spark: parallel searches, derived genotypes "
                + "evaluated by proxy training, the best exported.")
public final class DartsJob extends SweepJob<DartsConfig> {

    public DartsJob() {
        super("darts", JobConfig::darts);
    }

    @Override
    String describe(DartsConfig cfg) {
        return String.format(Locale.ROOT, ": %d searches, %d epochs, order %d, maxSkips %d", cfg.searches(),
                cfg.search().epochs(), cfg.search().architect().order(), cfg.search().maxSkips());
    }

    @Override
    Outcome run(SparkSession spark, DartsConfig cfg) {
        DartsSweep.Result result = new DartsSweep(spark, cfg, System.out::println).run();
        ResultStore store = result.sweep().store();
        return new Outcome(result.best(), "", "no derived genotype was evaluated successfully; see "
                + store.path(DartsSweep.EPOCHS) + " and the 'error' column of " + store.path(ResultStore.CANDIDATES));
    }
}

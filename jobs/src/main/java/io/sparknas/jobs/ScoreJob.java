package io.sparknas.jobs;

import io.sparknas.pipeline.score.ScoreConfig;
import io.sparknas.pipeline.score.ScoreSweep;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;

import java.util.Locale;
import java.util.Optional;

/**
 * {@code sparknas score --conf FILE [--set key=value ...] [--new-sweep]}: zero-cost proxies ({@code score.proxies})
 * of every NAS-Bench-201 cell or of {@code score.sample} drawn cells, spread over the executors in parts that are
 * committed as they finish; with {@code score.table}, each proxy's rank correlations against the table. A rerun
 * resumes at the parts not committed. Exit codes: 0 done, 1 failure, 2 bad configuration or a path holding another
 * configuration.
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Zero-cost proxies of a whole space (or a sample) on the cluster, ranked against a table; a "
                + "rerun resumes.")
public final class ScoreJob extends SweepJob<ScoreConfig> {

    public ScoreJob() {
        super("score", JobConfig::score);
    }

    @Override
    String describe(ScoreConfig cfg) {
        return String.format(Locale.ROOT, ": %s %s, proxies %s, %d cells per task", cfg.sample() == 0 ? "every"
                : cfg.sample() + " drawn", cfg.space(), cfg.zerocost().proxies(), cfg.cellsPerTask());
    }

    @Override
    Outcome run(SparkSession spark, ScoreConfig cfg) {
        ScoreSweep.Result r = new ScoreSweep(spark, cfg, System.out::println).run();
        return new Outcome(Optional.empty(), "scores of " + r.cells().size() + " cells: "
                + r.sweep().store().path(ScoreSweep.SCORES), "", false);
    }
}

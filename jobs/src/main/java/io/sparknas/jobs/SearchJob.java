package io.sparknas.jobs;

import io.sparknas.pipeline.ResultStore;
import io.sparknas.pipeline.SearchLoop;
import io.sparknas.pipeline.SweepConfig;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;

import java.util.Locale;

/**
 * {@code sparknas search --conf FILE [--set key=value ...] [--new-sweep]}: runs (or resumes) a sweep — rounds
 * of the configured strategy evaluated on Spark, committed to Parquet — then prints the winner and exports it.
 * Exit codes: 0 done, 1 failure, 2 bad configuration or a sweep path holding another configuration.
 */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Run or resume a neural-architecture search sweep on Spark.")
public final class SearchJob extends SweepJob<SweepConfig> {

    public SearchJob() {
        super("search", JobConfig::sweep);
    }

    @Override
    String describe(SweepConfig cfg) {
        return "";
    }

    @Override
    Outcome run(SparkSession spark, SweepConfig cfg) {
        SearchLoop.Result result = new SearchLoop(spark, cfg, System.out::println).run();
        return new Outcome(result.best(), String.format(Locale.ROOT, "done: %d evaluations (%d failed) in %d rounds; "
                + "results: %s", result.counts().evaluated(), result.counts().failed(), result.roundsCompleted(),
                result.sweep().store().path(ResultStore.CANDIDATES)),
                "no candidate was evaluated successfully; see the 'error' column of the results");
    }
}

package io.sparknas.jobs;

import io.sparknas.pipeline.ResultStore;
import io.sparknas.pipeline.SearchLoop;
import io.sparknas.pipeline.SparkSessions;
import io.sparknas.pipeline.SweepConfig;
import io.sparknas.space.Evaluation;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    @Option(names = "--conf", description = "HOCON configuration file, e.g. conf/quickstart.conf")
    Path conf;

    @Option(names = "--set", description = "override a setting, e.g. --set search.budget=32 (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--new-sweep", description = "move an existing sweep at sweep.output aside and start anew")
    boolean newSweep;

    @Override
    public Integer call() throws Exception {
        JobConfig job;
        SweepConfig cfg;
        try {
            job = JobConfig.load(conf, overrides);
            cfg = job.sweep();
        } catch (IllegalArgumentException e) {
            System.err.println("sparknas search: " + e.getMessage());
            return 2;
        }
        System.out.println("sparknas search: sweep '" + cfg.name() + "' -> " + cfg.output() + " (config hash "
                + cfg.hash() + ")");
        LOG.info("configuration ({}):\n{}", job.source(), job.render());
        SparkSession spark = SparkSessions.create("sparknas-search-" + cfg.name(),
                System.getProperty("spark.master") != null ? null : job.sparkMaster(), job.sparkConf());
        try {
            ResultStore store = new ResultStore(spark, cfg.output());
            if (newSweep && store.exists()) {
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
            Evaluation best = result.best().get();
            System.out.printf(Locale.ROOT, "best: %s (key %s) validation accuracy %.4f%n  %s%n", best.candidate().id(),
                    best.candidate().key(), best.accuracy(), best.candidate().genotype());
            Path exportDir = exportDir(job, cfg.name(), cfg.output());
            List<Path> files = WinnerExport.export(best, cfg.estimator(), exportDir, job.exportRetrain(), cfg.name(),
                    cfg.hash());
            System.out.println("exported the winner to " + exportDir.toAbsolutePath() + ": "
                    + files.stream().map(p -> p.getFileName().toString()).toList());
            return 0;
        } finally {
            spark.stop();
        }
    }

    static Path exportDir(JobConfig job, String sweepName, String output) {
        if (!job.exportDir().isEmpty()) {
            return Path.of(job.exportDir());
        }
        if (!output.contains("://") || output.startsWith("file:")) {
            return Path.of(output.replaceFirst("^file:(//)?", ""), "export");
        }
        return Path.of(sweepName + "-export");
    }
}

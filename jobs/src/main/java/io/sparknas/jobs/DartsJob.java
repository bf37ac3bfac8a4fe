package io.sparknas.jobs;

import io.sparknas.pipeline.DartsSweep;
import io.sparknas.pipeline.ResultStore;
import io.sparknas.pipeline.SearchLoop;
import io.sparknas.pipeline.SparkSessions;
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

    @Option(names = "--conf", description = "HOCON configuration file, e.g. conf/darts-quickstart.conf")
    Path conf;

    @Option(names = "--set", description = "override a setting, e.g. --set darts.epochs=5 (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--new-sweep", description = "move an existing sweep at sweep.output aside and start anew")
    boolean newSweep;

    @Override
    public Integer call() throws Exception {
        JobConfig job;
        DartsSweep.Config cfg;
        try {
            job = JobConfig.load(conf, overrides);
            cfg = job.darts();
        } catch (IllegalArgumentException e) {
            System.err.println("sparknas darts: " + e.getMessage());
            return 2;
        }
        System.out.printf(Locale.ROOT, "sparknas darts: sweep '%s' -> %s (config hash %s): %d searches, %d epochs, "
                + "order %d, maxSkips %d%n", cfg.name(), cfg.output(), cfg.hash(), cfg.searches(), cfg.search().epochs(),
                cfg.search().order(), cfg.search().maxSkips());
        LOG.info("configuration ({}):\n{}", job.source(), job.render());
        SparkSession spark = SparkSessions.create("sparknas-darts-" + cfg.name(),
                System.getProperty("spark.master") != null ? null : job.sparkMaster(), job.sparkConf());
        try {
            ResultStore store = new ResultStore(spark, cfg.output());
            if (newSweep && store.exists()) {
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
            Evaluation best = result.best().get();
            System.out.printf(Locale.ROOT, "best: %s (key %s) validation accuracy %.4f%n  %s%n", best.candidate().id(),
                    best.candidate().key(), best.accuracy(), best.candidate().genotype());
            Path exportDir = SearchJob.exportDir(job, cfg.name(), cfg.output());
            List<Path> files = WinnerExport.export(best, cfg.evaluation(), exportDir, job.exportRetrain(), cfg.name(),
                    cfg.hash());
            System.out.println("exported the winner to " + exportDir.toAbsolutePath() + ": "
                    + files.stream().map(p -> p.getFileName().toString()).toList());
            return 0;
        } finally {
            spark.stop();
        }
    }
}

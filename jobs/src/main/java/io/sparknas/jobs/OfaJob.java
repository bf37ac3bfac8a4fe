package io.sparknas.jobs;

import io.sparknas.pipeline.ofa.OfaConfig;
import io.sparknas.pipeline.ofa.OfaSweep;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code sparknas ofa --conf FILE [--set key=value ...] [--new-sweep]}: Once-for-All on Spark — the elastic
 * supernet trained by progressive shrinking (one Spark task, a checkpoint per phase), random subnets and a
 * constrained search per FLOP budget evaluated by weight inheritance, each budget's choice trained from scratch as
 * the baseline and exported as a plain DJL network. Exit codes: 0 done, 1 failure, 2 bad configuration or a sweep
 * path holding another configuration.
 */
@Command(name = "ofa", mixinStandardHelpOptions = true,
        description = "Once-for-All on Spark: progressive shrinking of an elastic supernet, then subnets per FLOP "
                + "budget by weight inheritance, exported as standalone networks.")
public final class OfaJob extends SweepJob<OfaConfig> {

    public OfaJob() {
        super("ofa", JobConfig::ofa);
    }

    @Override
    String describe(OfaConfig cfg) {
        return String.format(Locale.ROOT, ": supernet %s on %s, budgets %s MFLOPs x %d subnets, %d random",
                cfg.space().largest().text(), cfg.estimator().dataset()
                        .map(d -> d.dataset()).orElse("?"), cfg.search().budgets(), cfg.search().evaluations(),
                cfg.search().randomSubnets());
    }

    @Override
    Outcome run(SparkSession spark, OfaConfig cfg) {
        OfaSweep sweep = new OfaSweep(spark, cfg, System.out::println);
        OfaSweep.Result r = sweep.run();
        try {
            String target = WinnerExport.exportDir(options.load(overrides()), cfg.output());
            Path staged = java.nio.file.Files.createTempDirectory("sparknas-export-");
            try {
                List<Path> dirs = sweep.export(r, staged);
                WinnerExport.upload(spark.sparkContext().hadoopConfiguration(), staged, target);
                System.out.println("exported the chosen subnets (plain DJL networks, no supernet needed) to "
                        + target + ": " + dirs.stream().map(p -> p.getFileName().toString()).toList());
            } finally {
                WinnerExport.deleteLocal(staged);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Optional<io.sparknas.space.Evaluation> largest = r.choices().isEmpty() ? Optional.empty()
                : Optional.of(r.choices().get(r.choices().size() - 1).chosen());
        return new Outcome(largest, "results: " + r.sweep().store().path("candidates") + " (subnets), "
                + r.sweep().store().path(OfaSweep.EPOCHS) + " (progressive shrinking), supernet checkpoints beside "
                + "them", "no subnet was evaluated successfully", false);
    }
}

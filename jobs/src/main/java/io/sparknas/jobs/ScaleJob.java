package io.sparknas.jobs;

import io.sparknas.pipeline.scale.ScaleSweep;
import io.sparknas.strategies.scaling.CompoundScalingPlan;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Locale;

/**
 * {@code sparknas scale --conf FILE [--set key=value ...] [--new-sweep]}: EfficientNet's compound scaling of a base
 * network on Spark — the coefficient grid at phi = 1, then phi = 1..N against depth, width and resolution alone at
 * matched FLOPs — committed to Parquet; prints accuracy against FLOPs per method and exports the best network.
 * Exit codes: 0 done, 1 failure, 2 bad configuration or a sweep path holding another configuration.
 */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = "EfficientNet compound scaling on Spark: the alpha/beta/gamma grid, phi scaling, and baselines "
                + "scaled in one dimension at matched FLOPs.")
public final class ScaleJob extends SweepJob<ScaleSweep.Config> {

    @Option(names = "--base", description = "the base cell: DARTS_V1, DARTS_V2, a NAS-Bench-201 string "
            + "(|op~0|+|op~0|op~1|+|op~0|op~1|op~2|), or a search sweep's export/genotype.json (the same as "
            + "--set scale.base=...)")
    String base;

    public ScaleJob() {
        super("scale", JobConfig::scale);
    }

    @Override
    List<String> overrides() {
        return base == null ? List.of() : List.of("scale.base=" + com.typesafe.config.ConfigUtil.quoteString(base));
    }

    @Override
    String describe(ScaleSweep.Config cfg) {
        int seeds = cfg.scale().seeds();
        int single = cfg.plan().saturation().size() / seeds;
        boolean growing = cfg.scale().budget().equals(CompoundScalingPlan.Settings.FLOPS);
        return String.format(Locale.ROOT, ": %d grid points at phi = 1, then the base and phi = 1..%d x 4 methods%s%s, "
                + "%d seed%s each", cfg.plan().grid().size(), cfg.scale().maxPhi(),
                growing ? " (epochs x " + cfg.scale().flopsTarget() + "^phi)" : "",
                single == 0 ? "" : ", then " + single + " networks of one dimension alone", seeds,
                seeds == 1 ? "" : "s");
    }

    @Override
    Outcome run(SparkSession spark, ScaleSweep.Config cfg) {
        ScaleSweep.Result r = new ScaleSweep(spark, cfg, System.out::println).run();
        int last = cfg.scale().lastScalingRound();
        String rounds = "round 0: the grid, " + (last == 1 ? "round 1" : "rounds 1.." + last) + ": the scaled networks"
                + (cfg.scale().saturation().isEmpty() ? "" : ", the last: one dimension alone");
        return new Outcome(r.best(), "results: " + r.sweep().store().path("candidates") + " (" + rounds + ")",
                "no scaled network was evaluated successfully; see the 'error' column of the results");
    }
}

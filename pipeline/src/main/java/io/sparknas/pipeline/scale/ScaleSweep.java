package io.sparknas.pipeline.scale;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.estimators.spec.ProxySpec;
import io.sparknas.pipeline.core.FixedStage;
import io.sparknas.pipeline.core.Json;
import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.core.Sweep;
import io.sparknas.pipeline.core.SweepRun;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Metrics;
import io.sparknas.space.NetworkSize;
import io.sparknas.space.scaling.CompoundCoefficients;
import io.sparknas.space.scaling.ScaledNetwork;
import io.sparknas.space.scaling.ScalingBase;
import io.sparknas.strategies.scaling.CompoundScalingPlan;
import org.apache.spark.sql.SparkSession;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * EfficientNet's compound scaling on Spark ({@code scale} job): the base network (a DARTS genotype or a NAS-Bench-201
 * cell at the proxy's size and the data's resolution) is scaled at phi = 1 for the points of the coefficient grid
 * whose networks cost the target FLOPs after rounding (round 0, committed), the best coefficients by validation
 * accuracy are chosen, and the base itself (phi = 0) and the base scaled for phi = 1..N with them and, as baselines at
 * matched FLOPs, in one dimension alone are trained with seeds of their own (round 1, committed). The table reports
 * validation and, where the data has a test split, test accuracy over those seeds. With {@code scale.budget = flops}
 * each phi trains in a round of its own, for the proxy's epochs times flopsTarget^phi. With {@code scale.saturation},
 * a last round scales each dimension alone far beyond the budget (EfficientNet's Figure 3). Every row carries alpha,
 * beta, gamma, phi (or its multiplier), its FLOPs ratio to the base and its epochs in its metrics, and the method in
 * {@code origin}. A rerun resumes.
 */
public record ScaleSweep(SparkSession spark, Config cfg, Consumer<String> log) {

    /** The scale job's configuration; {@code base} is the base cell's text (DARTS or NAS-Bench-201). */
    public record Config(String name, String output, String base, CompoundScalingPlan.Settings scale,
                         EstimatorSpec estimator) implements Sweep.Evaluated, Serializable {
        public Config {
            Json.checkName(name);
            ScalingBase cell = ScalingBase.parse(base);
            ProxySpec p = ProxySpec.required(estimator, "scale");
            // every network of stage 1 must be buildable before anything is written (stage 2 only grows them)
            try {
                cell.cost(baseNetwork(cell, p), p.data().imageChannels(), p.data().classes());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the base network (estimator.proxy's size at estimator.data's "
                        + "resolution " + p.data().imageSide() + ") cannot be built: " + e.getMessage(), e);
            }
            plan(base, scale, p).grid();
        }

        @Override
        public String kind() {
            return "scale";
        }

        /** The plan of candidates: the base at the proxy's size and the images' resolution. */
        public CompoundScalingPlan plan() {
            return plan(base, scale, ProxySpec.required(estimator, kind()));
        }

        private static CompoundScalingPlan plan(String base, CompoundScalingPlan.Settings scale, ProxySpec p) {
            ScalingBase cell = ScalingBase.parse(base);
            return new CompoundScalingPlan(cell, baseNetwork(cell, p), p.data().imageChannels(), p.data().classes(),
                    scale);
        }

        /**
         * The base at the proxy's size and the images' resolution: a DARTS genotype with the proxy's channels, cells
         * and stem; a NAS-Bench-201 cell with the proxy's channels and {@code nb201CellsPerStage}.
         */
        private static ScaledNetwork baseNetwork(ScalingBase cell, ProxySpec p) {
            NetworkSize size = cell instanceof ScalingBase.Nb201
                    ? new NetworkSize(p.network().channels(), p.nb201CellsPerStage(), 1) : p.network();
            return new ScaledNetwork(size, p.data().imageSide());
        }

        @Override
        public String semantics() {
            ObjectNode n = Json.semanticsOf(kind());
            n.put("base", base);
            // 2: the grid kept on actual FLOPs, stage 2 with its own seeds and the base row (a sweep of the first
            // plan is not resumed by this one)
            n.put("plan", 2);
            ObjectNode settings = Json.MAPPER.valueToTree(scale);
            if (scale.budget().equals(CompoundScalingPlan.Settings.FIXED)) {
                settings.remove("budget"); // the defaults of the second plan's sweeps, which resume as they were
            }
            if (scale.saturation().isEmpty()) {
                settings.remove("saturation");
            }
            n.set("scale", settings);
            n.set("estimator", Json.MAPPER.valueToTree(estimator));
            return Json.canonical(n);
        }
    }

    /** The outcome: the grid, the chosen coefficients, the scaled networks, and the best of them. */
    public record Result(Sweep sweep, List<Evaluation> grid, CompoundCoefficients chosen, List<Evaluation> scaled,
                         Optional<Evaluation> best) {
    }

    public Result run() {
        Sweep sweep = Sweep.open(spark, cfg, ResultStore.CANDIDATES);
        SweepRun run = SweepRun.of(spark, sweep, log);
        CompoundScalingPlan plan = cfg.plan();
        int epochs = ProxySpec.required(cfg.estimator(), cfg.kind()).epochs();
        List<Evaluation> grid = FixedStage.of("grid at phi = 1", 0, plan.grid(), cfg.estimator())
                .withHook(describe(plan, epochs)).run(run);
        CompoundCoefficients chosen = plan.choose(grid);
        double ratio = grid.stream().filter(e -> e.metric("alpha") == chosen.alpha()
                && e.metric("beta") == chosen.beta() && e.metric("gamma") == chosen.gamma())
                .mapToDouble(e -> e.metric("flops_ratio")).findFirst().orElse(Double.NaN);
        log.accept(String.format(Locale.ROOT, "chosen: alpha %.2f, beta %.2f, gamma %.2f (alpha*beta^2*gamma^2 = %.3f; "
                + "%.2fx the base's FLOPs after rounding)", chosen.alpha(), chosen.beta(), chosen.gamma(),
                chosen.flopsFactor(), ratio));
        List<Evaluation> scaled = scaling(run, plan, plan.scaling(chosen));
        table(scaled).forEach(log);
        if (!cfg.scale().saturation().isEmpty()) {
            int round = cfg.scale().lastScalingRound() + 1;
            List<Evaluation> single = FixedStage.of("single dimensions far beyond the budget (EfficientNet's "
                    + "Figure 3)", round, plan.saturation(), cfg.estimator()).withHook(describe(plan, epochs))
                    .run(run);
            saturationTable(scaled, single).forEach(log);
        }
        Optional<Evaluation> best = scaled.stream().filter(Evaluation::isOk)
                .max(Comparator.comparingDouble(Evaluation::accuracy));
        return new Result(sweep, grid, chosen, scaled, best);
    }

    /**
     * Stage 2: with a fixed budget one round (1) of every network; with {@code budget = flops} one round per phi
     * (1 + phi), each at the proxy's epochs times {@link CompoundScalingPlan.Settings#epochFactor}.
     */
    private List<Evaluation> scaling(SweepRun run, CompoundScalingPlan plan, List<Candidate> all) {
        ProxySpec p = ProxySpec.required(cfg.estimator(), cfg.kind());
        if (cfg.scale().budget().equals(CompoundScalingPlan.Settings.FIXED)) {
            return FixedStage.of("scaling", 1, all, cfg.estimator()).withHook(describe(plan, p.epochs())).run(run);
        }
        List<Evaluation> out = new ArrayList<>();
        for (int phi = 0; phi <= cfg.scale().maxPhi(); phi++) {
            int at = phi;
            int epochs = epochs(p.epochs(), cfg.scale().epochFactor(phi));
            List<Candidate> these = all.stream()
                    .filter(c -> plan.describe(c.id()).get("phi") == at).toList();
            out.addAll(FixedStage.of(String.format(Locale.ROOT, "scaling at phi = %d (%d epochs)", phi, epochs),
                    1 + phi, these, p.withEpochs(epochs)).withHook(describe(plan, epochs)).run(run));
        }
        return out;
    }

    /** A row's metrics gain what the plan made its candidate as, and the epochs it trained. */
    private static UnaryOperator<Evaluation> describe(CompoundScalingPlan plan, int epochs) {
        return e -> e.withMetrics(plan.describe(e.candidate().id())).withMetrics(Map.of("epochs", (double) epochs));
    }

    /** The proxy's {@code epochs} times {@code factor}, rounded, at least 1. */
    static int epochs(int epochs, double factor) {
        return Math.max(1, (int) Math.round(epochs * factor));
    }

    /**
     * EfficientNet's Figure 3 as a table: for each dimension alone, the base (phi = 0 of stage 2) and each multiplier,
     * with its FLOPs ratio and mean validation and test accuracy over the seeds.
     */
    public static List<String> saturationTable(List<Evaluation> scaled, List<Evaluation> single) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "  %-10s %10s %9s %8s %8s %8s %8s %6s  %s", "dimension", "multiplier",
                "flops x", "val", "std", "test", "std", "seeds", "network (channels x cells @ resolution)"));
        List<Evaluation> base = scaled.stream().filter(e -> e.candidate().origin().equals("base")).toList();
        for (String dim : List.of("depth", "width", "resolution")) {
            Map<Double, List<Evaluation>> byMultiplier = new TreeMap<>();
            if (!base.isEmpty()) {
                byMultiplier.put(1.0, base);
            }
            single.stream().filter(e -> e.candidate().origin().equals("single-" + dim)).forEach(e ->
                    byMultiplier.computeIfAbsent(e.metric("multiplier"), k -> new ArrayList<>()).add(e));
            if (byMultiplier.size() <= (base.isEmpty() ? 0 : 1)) {
                continue;
            }
            for (var e : byMultiplier.entrySet()) {
                lines.add(String.format(Locale.ROOT, "  %-10s %10.2f %s", dim, e.getKey(), summary(e.getValue())));
            }
        }
        return lines;
    }

    /**
     * Accuracy against FLOPs, one line per phi and method: mean validation and test accuracy over the seeds (with
     * their standard deviations; test "-" without a test split), mean FLOPs ratio to the base, the network; the
     * report prints the same. Stage 1 chose on validation; test is the number to compare methods by.
     */
    public static List<String> table(List<Evaluation> scaled) {
        Map<String, List<Evaluation>> byPoint = new TreeMap<>();
        for (Evaluation e : scaled) {
            if (e.metrics().containsKey("phi") && !e.candidate().origin().equals("grid")) {
                byPoint.computeIfAbsent(String.format(Locale.ROOT, "%d %s", (int) e.metric("phi"),
                        e.candidate().origin()), k -> new ArrayList<>()).add(e);
            }
        }
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "  %-3s %-11s %9s %8s %8s %8s %8s %6s  %s", "phi", "method", "flops x",
                "val", "std", "test", "std", "seeds", "network (channels x cells @ resolution)"));
        for (var e : byPoint.entrySet()) {
            String[] key = e.getKey().split(" ");
            lines.add(String.format(Locale.ROOT, "  %-3s %-11s %s", key[0], key[1], summary(e.getValue())));
        }
        return lines;
    }

    /** One network's rows: FLOPs ratio, mean val and test accuracy with their spread, seeds ok/all, its shape. */
    private static String summary(List<Evaluation> rows) {
        List<Evaluation> ok = rows.stream().filter(Evaluation::isOk).toList();
        double[] val = ok.stream().mapToDouble(Evaluation::accuracy).toArray();
        double[] test = ok.stream().filter(x -> x.metrics().containsKey(Metrics.TEST_ACCURACY))
                .mapToDouble(x -> x.metric(Metrics.TEST_ACCURACY)).toArray();
        Evaluation any = rows.get(0);
        return String.format(Locale.ROOT, "%9.2f %8.4f %8s %8s %8s %3d/%-2d  %dx%d @ %d", any.metric("flops_ratio"),
                mean(val), std(val), test.length == 0 ? "-" : String.format(Locale.ROOT, "%.4f", mean(test)),
                std(test), ok.size(), rows.size(), (int) any.metric("channels"), (int) any.metric("layers"),
                (int) any.metric("resolution"));
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    /** The sample standard deviation, "-" for fewer than two values. */
    private static String std(double[] v) {
        if (v.length < 2) {
            return "-";
        }
        double m = mean(v);
        return String.format(Locale.ROOT, "%.4f", Math.sqrt(Arrays.stream(v).map(x -> (x - m) * (x - m))
                .sum() / (v.length - 1)));
    }

    /** The grid's coefficients and accuracy, for the log and the report: {@code alpha,beta,gamma=accuracy}. */
    public static String gridSummary(List<Evaluation> grid) {
        return grid.stream().map(e -> String.format(Locale.ROOT, "(%.2f, %.2f, %.2f) %s", e.metric("alpha"),
                e.metric("beta"), e.metric("gamma"), e.isOk() ? String.format(Locale.ROOT, "%.4f", e.accuracy())
                : "failed")).collect(Collectors.joining("; "));
    }
}

package io.sparknas.pipeline.ofa;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.estimators.spec.SupernetSpec;
import io.sparknas.pipeline.core.AskStage;
import io.sparknas.pipeline.core.FixedStage;
import io.sparknas.pipeline.core.Json;
import io.sparknas.pipeline.core.Pacing;
import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.core.Sweep;
import io.sparknas.pipeline.core.SweepRun;
import io.sparknas.pipeline.core.WholeFiles;
import io.sparknas.space.Candidate;
import io.sparknas.space.ConstrainedSpace;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Metrics;
import io.sparknas.space.ofa.OfaNet;
import io.sparknas.space.ofa.OfaSpace;
import io.sparknas.space.ofa.OfaSubnet;
import io.sparknas.strategies.RandomSearch;
import io.sparknas.strategies.Strategies;
import io.sparknas.strategies.Strategy;
import io.sparknas.strategies.StrategyConfig;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Once-for-All on Spark ({@code ofa} job). Three stages, each committed and resumable:
 * <ol>
 *   <li><b>Progressive shrinking</b> as one Spark task (on an executor's GPU where there is one): each finished
 *       phase writes its epochs and then the supernet checkpoint to {@code <sweep>/supernet/} on the sweep's Hadoop
 *       path, so a killed training resumes at the phase after the last checkpoint; the epochs become the
 *       {@value #EPOCHS} table.</li>
 *   <li><b>Subnets by weight inheritance</b>: the final checkpoint is shipped to every executor once
 *       ({@code addFile}); subnets are candidates of space {@code ofa} evaluated by the {@code supernet} estimator
 *       through the pipeline. Round 0 scores the largest and the smallest subnet; then random subnets (the
 *       scatter); then, per FLOP budget, the configured
 *       strategy (regularized evolution by default) searches subnets under the budget (infeasible children
 *       re-drawn), its candidates named {@code b<i>-...}.</li>
 *   <li><b>From scratch</b>: the chosen subnet of each budget, as a network of its own ({@code ofa-net}), trained by
 *       the proxy estimator (the {@code estimator} section), the baseline OFA's claim is measured against.</li>
 * </ol>
 */
public record OfaSweep(SparkSession spark, OfaConfig cfg, Consumer<String> log) {

    public static final String EPOCHS = "ofa_epochs";
    private static final Logger LOG = LoggerFactory.getLogger(OfaSweep.class);

    /**
     * What one budget's search chose: the best subnet under it by validation accuracy, and its scores from scratch
     * (the proxy's epochs; the supernet's epochs).
     */
    public record Choice(double budgetMflops, Evaluation chosen, Optional<Evaluation> scratch,
                         Optional<Evaluation> scratchMatched) {
    }

    /** The outcome: the choice per budget and the final checkpoint (every subnet is in the sweep's candidates). */
    public record Result(Sweep sweep, List<Choice> choices, String checkpoint) {
    }

    public Result run() {
        Sweep sweep = Sweep.open(spark, cfg, ResultStore.CANDIDATES, EPOCHS);
        SweepRun run = SweepRun.of(spark, sweep, log);
        String checkpoint = new SupernetTraining(cfg, spark.sparkContext().hadoopConfiguration()).run(run);
        spark.sparkContext().addFile(checkpoint);
        SupernetSpec subnets = new SupernetSpec(checkpoint, cfg.proxy().data(), cfg.search().calibrationImages(),
                cfg.training().batchSize(), cfg.training().seed(), cfg.search().latencyRepeats(),
                cfg.proxy().torchThreads());
        List<Evaluation> all = new ArrayList<>(anchors(run, subnets));
        int round = 1;
        if (cfg.search().randomSubnets() > 0) {
            Strategy random = Strategies.create(StrategyConfig.of(RandomSearch.NAME, cfg.search().strategy().seed()),
                    cfg.space());
            all.addAll(search(run, round, "r-", random, cfg.search().randomSubnets(), subnets, "random subnets"));
            round += roundsOf(cfg.search().randomSubnets());
        }
        List<Choice> choices = new ArrayList<>();
        List<Double> budgets = cfg.search().budgets();
        for (int i = 0; i < budgets.size(); i++) {
            double budget = budgets.get(i);
            long limit = (long) (budget * 1e6);
            ConstrainedSpace<OfaSubnet> feasible = new ConstrainedSpace<>(cfg.space(), n -> cfg.flops(n) <= limit,
                    "FLOPs <= " + fmt(budget) + " M");
            StrategyConfig s = cfg.search().strategy();
            Strategy strategy = Strategies.create(s.withSeed(s.seed() + i), feasible);
            List<Evaluation> found = search(run, round, "b" + i + "-", strategy, cfg.search().evaluations(), subnets,
                    "budget " + fmt(budget) + " MFLOPs");
            round += roundsOf(cfg.search().evaluations());
            all.addAll(found);
            Evaluation best = found.stream().filter(Evaluation::isOk)
                    .filter(e -> e.metric(Metrics.FLOPS) <= limit)
                    .max(Comparator.comparingDouble(Evaluation::accuracy).thenComparing(e -> -e.metric(Metrics.FLOPS)))
                    .orElseThrow(() -> new IllegalStateException("no subnet under " + fmt(budget) + " MFLOPs was "
                            + "evaluated successfully; see the 'error' column of " + sweep.store().path("candidates")));
            choices.add(new Choice(budget, best, Optional.empty(), Optional.empty()));
        }
        if (cfg.search().scratch()) {
            choices = scratch(run, round, choices);
        }
        List<Evaluation> every = new ArrayList<>(all);
        choices.forEach(c -> {
            c.scratch().ifPresent(every::add);
            c.scratchMatched().ifPresent(every::add);
        });
        table(every, budgets).forEach(log);
        return new Result(sweep, choices, checkpoint);
    }

    /**
     * The choice per budget, for the log and the report: the best subnet its search found (validation accuracy by
     * weight inheritance; ties to fewer FLOPs), its FLOPs, test accuracy and latency, and the same subnet trained from
     * scratch where it was (validation and test; {@code m_test}: for the supernet's epochs). {@code rows} are a
     * sweep's candidates.
     */
    public static List<String> table(List<Evaluation> rows, List<Double> budgets) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "  %-8s %-12s %7s %8s %8s %8s %9s %9s %9s  %s", "MFLOPs", "chosen",
                "MFLOPs", "val", "test", "lat_ms", "scratch", "s_test", "m_test", "subnet"));
        for (int i = 0; i < budgets.size(); i++) {
            String prefix = "b" + i + "-";
            Optional<Evaluation> best = rows.stream().filter(e -> e.candidate().id().startsWith(prefix))
                    .filter(Evaluation::isOk).max(Comparator.comparingDouble(Evaluation::accuracy)
                            .thenComparing(e -> -e.metric(Metrics.FLOPS)));
            if (best.isEmpty()) {
                lines.add(String.format(Locale.ROOT, "  %-8s no subnet evaluated", fmt(budgets.get(i))));
                continue;
            }
            Optional<Evaluation> scratch = byId(rows, "scratch-b" + i);
            Evaluation e = best.get();
            lines.add(String.format(Locale.ROOT, "  %-8s %-12s %7.3f %8.4f %8s %8s %9s %9s %9s  %s",
                    fmt(budgets.get(i)), e.candidate().id(), e.metric(Metrics.FLOPS) / 1e6, e.accuracy(),
                    opt(e, Metrics.TEST_ACCURACY, "%.4f"), opt(e, Metrics.LATENCY_MS_B1, "%.2f"),
                    scratch.map(x -> x.isOk() ? String.format(Locale.ROOT, "%.4f", x.accuracy()) : "failed")
                            .orElse("-"), scratch.map(x -> opt(x, Metrics.TEST_ACCURACY, "%.4f")).orElse("-"),
                    byId(rows, "scratch-matched-b" + i).map(x -> x.isOk() ? opt(x, Metrics.TEST_ACCURACY, "%.4f")
                            : "failed").orElse("-"), e.candidate().genotype()));
        }
        return lines;
    }

    private static Optional<Evaluation> byId(List<Evaluation> rows, String id) {
        return rows.stream().filter(e -> e.candidate().id().equals(id)).findFirst();
    }

    private static String opt(Evaluation e, String metric, String format) {
        return e.metrics().containsKey(metric) ? String.format(Locale.ROOT, format, e.metric(metric)) : "-";
    }

    /** Round 0: the largest and the smallest subnet (ids {@code largest}, {@code smallest}), the supernet's ends. */
    private List<Evaluation> anchors(SweepRun run, EstimatorSpec spec) {
        List<Candidate> ends = new ArrayList<>();
        for (OfaSubnet net : List.of(cfg.space().largest(), cfg.space().smallest())) {
            ends.add(new Candidate(ends.isEmpty() ? "largest" : "smallest", OfaSpace.NAME, net.text(),
                    cfg.space().canonicalKey(net), "anchor", List.of(), cfg.training().seed()));
        }
        List<Evaluation> out = FixedStage.of("anchor subnets", 0, ends, spec).run(run);
        for (Evaluation e : out) {
            log.accept(String.format(Locale.ROOT, "%s subnet (%.3f MFLOPs): %s", e.candidate().id(),
                    e.metric(Metrics.FLOPS) / 1e6, e.isOk() ? String.format(Locale.ROOT, "val %.4f%s", e.accuracy(),
                            e.metrics().containsKey(Metrics.TEST_ACCURACY) ? String.format(Locale.ROOT, ", test %.4f",
                                    e.metric(Metrics.TEST_ACCURACY)) : "") : "failed: " + e.error()));
        }
        return out;
    }

    private int roundsOf(int evaluations) {
        return (evaluations + cfg.search().roundSize() - 1) / cfg.search().roundSize();
    }

    /**
     * {@code total} candidates of {@code strategy} in rounds from {@code firstRound}, their ids prefixed: an ask
     * stage of the core (committed rounds are replayed from the strategy's checkpoint; the rest evaluated).
     */
    private List<Evaluation> search(SweepRun run, int firstRound, String prefix, Strategy strategy, int total,
                                    EstimatorSpec spec, String what) {
        return AskStage.of(strategy, total, new Pacing.Rounds(cfg.search().roundSize(), 0), spec).labelled(what)
                .at(prefix, firstRound, roundsOf(total)).run(run).evaluations();
    }

    /**
     * Each budget's chosen subnet trained from scratch by the proxy estimator (one committed round), and with
     * {@code scratchMatched} again for the supernet's epochs (the next round).
     */
    private List<Choice> scratch(SweepRun run, int round, List<Choice> choices) {
        Map<String, Evaluation> byId = new HashMap<>();
        FixedStage.of("from-scratch baseline", round, scratchNets("scratch-b", choices), cfg.estimator()).run(run)
                .forEach(e -> byId.put(e.candidate().id(), e));
        if (cfg.search().scratchMatched()) {
            int epochs = cfg.supernetEpochs();
            EstimatorSpec matched = cfg.proxy().withEpochs(epochs);
            FixedStage.of("from-scratch baseline, " + epochs + " epochs (the supernet's)", round + 1,
                    scratchNets("scratch-matched-b", choices), matched).run(run)
                    .forEach(e -> byId.put(e.candidate().id(), e));
        }
        List<Choice> out = new ArrayList<>();
        for (int i = 0; i < choices.size(); i++) {
            out.add(new Choice(choices.get(i).budgetMflops(), choices.get(i).chosen(),
                    Optional.ofNullable(byId.get("scratch-b" + i)),
                    Optional.ofNullable(byId.get("scratch-matched-b" + i))));
        }
        return out;
    }

    /** Each choice as a network of its own, ids {@code prefix + i}. */
    private List<Candidate> scratchNets(String prefix, List<Choice> choices) {
        List<Candidate> nets = new ArrayList<>();
        for (int i = 0; i < choices.size(); i++) {
            Evaluation chosen = choices.get(i).chosen();
            OfaNet net = new OfaNet(cfg.space(), cfg.space().parse(chosen.candidate().genotype()));
            nets.add(new Candidate(prefix + i, OfaNet.NAME, net.text(), net.key(), "scratch",
                    List.of(chosen.candidate().id()), cfg.training().seed()));
        }
        return nets;
    }

    /**
     * Exports each budget's chosen subnet as a plain DJL network that runs without the supernet (its weights cut
     * from the final checkpoint, BN recalibrated): {@code <root>/budget-<M>MFLOPs/} with {@code subnet.json},
     * {@code subnet-0000.params} and {@code genotype.json}. Runs on the driver through the supernet estimator.
     */
    public List<java.nio.file.Path> export(Result result, java.nio.file.Path root) throws IOException {
        java.nio.file.Path local = java.nio.file.Files.createTempFile("sparknas-ofa-", ".ckpt");
        List<java.nio.file.Path> dirs = new ArrayList<>();
        try {
            FileSystem fs = new Path(result.checkpoint()).getFileSystem(spark.sparkContext().hadoopConfiguration());
            java.nio.file.Files.write(local, WholeFiles.readWhole(fs, result.checkpoint()));
            SupernetSpec spec = new SupernetSpec(local.toString(), cfg.proxy().data(), cfg.search().calibrationImages(),
                    cfg.training().batchSize(), cfg.training().seed(), 0, cfg.proxy().torchThreads());
            try (io.sparknas.estimators.Estimator est = spec.create()) {
                for (Choice c : result.choices()) {
                    java.nio.file.Path dir = root.resolve("budget-" + fmt(c.budgetMflops()) + "MFLOPs");
                    Evaluation again = est.evaluate(c.chosen().candidate(),
                            io.sparknas.estimators.EvaluationContext.defaults().savingModelTo(dir));
                    if (!again.isOk()) {
                        throw new IOException("exporting " + c.chosen().candidate().id() + " failed: " + again.error());
                    }
                    ObjectNode n = Json.MAPPER.createObjectNode();
                    n.put("sweep", cfg.name());
                    n.put("configHash", cfg.hash());
                    n.put("budgetMflops", c.budgetMflops());
                    n.put("candidate", c.chosen().candidate().id());
                    n.put("space", OfaSpace.NAME);
                    n.put("subnet", c.chosen().candidate().genotype());
                    n.put("accuracy", c.chosen().accuracy());
                    n.put("exportedAccuracy", again.accuracy());
                    n.set("metrics", Json.MAPPER.valueToTree(c.chosen().metrics()));
                    c.scratch().filter(Evaluation::isOk).ifPresent(e -> n.put("scratchAccuracy", e.accuracy()));
                    c.scratchMatched().filter(Evaluation::isOk)
                            .ifPresent(e -> n.put("scratchMatchedAccuracy", e.accuracy()));
                    java.nio.file.Files.writeString(dir.resolve("genotype.json"), n.toPrettyString() + "\n");
                    dirs.add(dir);
                }
            }
        } finally {
            java.nio.file.Files.deleteIfExists(local);
        }
        return dirs;
    }

    // ---- the supernet's training as a Spark task, and its checkpoints on the sweep's Hadoop path ----

    static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}

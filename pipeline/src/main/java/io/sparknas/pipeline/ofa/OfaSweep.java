package io.sparknas.pipeline.ofa;

import io.sparknas.pipeline.core.Durations;
import io.sparknas.pipeline.core.ExecutorInfo;
import io.sparknas.pipeline.core.HadoopSettings;
import io.sparknas.pipeline.core.Json;
import io.sparknas.pipeline.core.ResultSchema;
import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.core.RowBuilder;
import io.sparknas.pipeline.core.SparkEvaluator;
import io.sparknas.pipeline.core.Sweep;
import io.sparknas.pipeline.core.TaskResult;
import io.sparknas.space.Metrics;
import ai.djl.Device;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.estimators.Devices;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.estimators.spec.ProxySpec;
import io.sparknas.estimators.spec.SupernetSpec;
import io.sparknas.oneshot.ofa.Checkpoint;
import io.sparknas.oneshot.ofa.ElasticSupernet;
import io.sparknas.oneshot.ofa.OfaTrainingConfig;
import io.sparknas.oneshot.ofa.ProgressiveShrinking;
import io.sparknas.space.Candidate;
import io.sparknas.space.ConstrainedSpace;
import io.sparknas.space.Evaluation;
import io.sparknas.space.ofa.OfaCostModel;
import io.sparknas.space.ofa.OfaNet;
import io.sparknas.space.ofa.OfaSpace;
import io.sparknas.space.ofa.OfaSubnet;
import io.sparknas.strategies.RandomSearch;
import io.sparknas.strategies.Strategies;
import io.sparknas.strategies.Strategy;
import io.sparknas.strategies.StrategyConfig;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
public record OfaSweep(SparkSession spark, Config cfg, Consumer<String> log) {
    public static final String EPOCHS = "ofa_epochs";
    static final String SUPERNET = "supernet";
    private static final Logger LOG = LoggerFactory.getLogger(OfaSweep.class);

    /**
     * The subnet search, bound from {@code ofa.search}.
     *
     * @param budgets           FLOP budgets in millions of multiply-adds; one constrained search each
     * @param evaluations       subnets evaluated per budget
     * @param roundSize         subnets per committed round
     * @param randomSubnets     random subnets evaluated for the scatter (round 0)
     * @param strategy          the search per budget (seed {@code strategy.seed + i} for budget {@code i})
     * @param calibrationImages training images that recalibrate each subnet's BN
     * @param latencyRepeats    timed passes of each subnet at batch 1 (0 = none)
     * @param scratch           train each budget's chosen subnet from scratch with the proxy estimator
     */
    public record Search(List<Double> budgets, int evaluations, int roundSize, int randomSubnets,
                         StrategyConfig strategy, int calibrationImages, int latencyRepeats, boolean scratch)
            implements Serializable {
        public Search {
            budgets = List.copyOf(budgets);
            if (budgets.isEmpty() || budgets.stream().anyMatch(b -> !(b > 0))) {
                throw new IllegalArgumentException("ofa.search.budgets must list positive MFLOPs, got " + budgets);
            }
            if (evaluations < 1 || roundSize < 1 || randomSubnets < 0 || calibrationImages < 1 || latencyRepeats < 0) {
                throw new IllegalArgumentException("ofa.search: evaluations, roundSize and calibrationImages must be "
                        + "positive, randomSubnets and latencyRepeats >= 0");
            }
        }
    }

    /** The ofa job's configuration; {@code estimator} is the proxy that gives the images and the scratch budget. */
    public record Config(String name, String output, OfaSpace space, OfaTrainingConfig training, Search search,
                         EstimatorSpec estimator) implements Sweep.Definition, Serializable {
        public Config {
            Json.checkName(name);
            DataConfig d = ProxySpec.required(estimator, "ofa").data();
            long smallest = OfaCostModel.of(space, space.smallest(), d.imageChannels(), d.imageSide(), d.classes())
                    .flops();
            for (double b : search.budgets()) {
                if (b * 1e6 < smallest) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT, "ofa.search.budgets: %s MFLOPs is "
                            + "below the smallest subnet's %.3f MFLOPs (%s); raise the budget or shrink ofa.depths, "
                            + "kernels or expands", fmt(b), smallest / 1e6, space.smallest().text()));
                }
            }
        }

        @Override
        public String kind() {
            return "ofa";
        }

        ProxySpec proxy() {
            return ProxySpec.required(estimator, kind());
        }

        @Override
        public String semantics() {
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("kind", kind());
            n.set("space", Json.MAPPER.valueToTree(space));
            n.set("training", Json.MAPPER.valueToTree(training));
            n.set("search", Json.MAPPER.valueToTree(search));
            n.set("estimator", Json.MAPPER.valueToTree(estimator));
            return Json.canonical(n);
        }

        /** FLOPs of a subnet on this sweep's images. */
        long flops(OfaSubnet net) {
            DataConfig d = proxy().data();
            return OfaCostModel.of(space, net, d.imageChannels(), d.imageSide(), d.classes()).flops();
        }
    }

    /** What one budget's search chose: the best subnet under it by validation accuracy, and its scratch score. */
    public record Choice(double budgetMflops, Evaluation chosen, Optional<Evaluation> scratch) {
    }

    /** The outcome: every subnet evaluated, the choice per budget, the final checkpoint. */
    public record Result(Sweep sweep, List<Evaluation> subnets, List<Choice> choices, String checkpoint) {
    }

    public Result run() {
        Sweep sweep = Sweep.open(spark, cfg, ResultStore.CANDIDATES, EPOCHS);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        String dir = sweep.store().root() + "/" + SUPERNET;
        List<ProgressiveShrinking.Phase> phases = ProgressiveShrinking.phases(cfg.space(), cfg.training());
        int done = completedPhases(dir, phases);
        if (done < phases.size()) {
            log.accept(done == 0 ? "training the supernet: " + phases.size() + " phases " + phaseNames(phases)
                    : "resuming the supernet's training at phase " + (done + 1) + "/" + phases.size() + " ("
                    + phases.get(done).name() + ") from " + checkpointPath(dir, done - 1, phases));
            long t0 = System.nanoTime();
            HadoopSettings hadoop = HadoopSettings.of(spark.sparkContext().hadoopConfiguration());
            Config c = cfg;
            String error = jsc.parallelize(List.of(done), 1).map(from -> train(c, hadoop, dir, from)).collect().get(0);
            if (!error.isEmpty()) {
                throw new IllegalStateException("the supernet's training failed: " + error + " (the phases before "
                        + "are checkpointed under " + dir + "; a rerun resumes)");
            }
            log.accept("trained the supernet in " + Durations.since(t0));
        } else {
            log.accept("resuming: the supernet is trained (" + dir + ")");
        }
        if (!sweep.isCommitted(EPOCHS)) {
            sweep.commit(EPOCHS, 0, epochRows(dir, phases), ResultSchema.OFA_EPOCHS);
        }
        String checkpoint = checkpointPath(dir, phases.size() - 1, phases);
        spark.sparkContext().addFile(checkpoint);
        SupernetSpec subnets = new SupernetSpec(checkpoint, cfg.proxy().data(), cfg.search().calibrationImages(),
                cfg.training().batchSize(), cfg.training().seed(), cfg.search().latencyRepeats(),
                cfg.proxy().torchThreads());
        SparkEvaluator evaluator = new SparkEvaluator(jsc, subnets);

        List<Evaluation> all = new ArrayList<>(anchors(sweep, evaluator, subnets));
        int round = 1;
        if (cfg.search().randomSubnets() > 0) {
            Strategy random = Strategies.create(StrategyConfig.of(RandomSearch.NAME, cfg.search().strategy().seed()),
                    cfg.space());
            all.addAll(rounds(sweep, round, "r-", random, cfg.search().randomSubnets(), evaluator, subnets,
                    "random subnets"));
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
            List<Evaluation> found = rounds(sweep, round, "b" + i + "-", strategy, cfg.search().evaluations(),
                    evaluator, subnets, "budget " + fmt(budget) + " MFLOPs");
            round += roundsOf(cfg.search().evaluations());
            all.addAll(found);
            Evaluation best = found.stream().filter(Evaluation::isOk)
                    .filter(e -> e.metric(Metrics.FLOPS) <= limit)
                    .max(Comparator.comparingDouble(Evaluation::accuracy).thenComparing(e -> -e.metric(Metrics.FLOPS)))
                    .orElseThrow(() -> new IllegalStateException("no subnet under " + fmt(budget) + " MFLOPs was "
                            + "evaluated successfully; see the 'error' column of " + sweep.store().path("candidates")));
            choices.add(new Choice(budget, best, Optional.empty()));
        }
        if (cfg.search().scratch()) {
            choices = scratch(sweep, round, choices, jsc);
        }
        List<Evaluation> every = new ArrayList<>(all);
        choices.forEach(c -> c.scratch().ifPresent(every::add));
        table(every, budgets).forEach(log);
        return new Result(sweep, all, choices, checkpoint);
    }

    /**
     * The choice per budget, for the log and the report: the best subnet its search found (validation accuracy by
     * weight inheritance; ties to fewer FLOPs), its FLOPs, test accuracy and latency, and the same subnet trained from
     * scratch where it was. {@code rows} are a sweep's candidates.
     */
    public static List<String> table(List<Evaluation> rows, List<Double> budgets) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "  %-8s %-12s %7s %8s %8s %8s %9s %9s  %s", "MFLOPs", "chosen", "MFLOPs",
                "val", "test", "lat_ms", "scratch", "s_test", "subnet"));
        for (int i = 0; i < budgets.size(); i++) {
            String prefix = "b" + i + "-";
            String scratchId = "scratch-b" + i;
            Optional<Evaluation> best = rows.stream().filter(e -> e.candidate().id().startsWith(prefix))
                    .filter(Evaluation::isOk).max(Comparator.comparingDouble(Evaluation::accuracy)
                            .thenComparing(e -> -e.metric(Metrics.FLOPS)));
            Optional<Evaluation> scratch = rows.stream().filter(e -> e.candidate().id().equals(scratchId)).findFirst();
            if (best.isEmpty()) {
                lines.add(String.format(Locale.ROOT, "  %-8s no subnet evaluated", fmt(budgets.get(i))));
                continue;
            }
            Evaluation e = best.get();
            lines.add(String.format(Locale.ROOT, "  %-8s %-12s %7.3f %8.4f %8s %8s %9s %9s  %s", fmt(budgets.get(i)),
                    e.candidate().id(), e.metric(Metrics.FLOPS) / 1e6, e.accuracy(), opt(e, Metrics.TEST_ACCURACY, "%.4f"),
                    opt(e, Metrics.LATENCY_MS_B1, "%.2f"), scratch.map(x -> x.isOk() ? String.format(Locale.ROOT, "%.4f",
                            x.accuracy()) : "failed").orElse("-"), scratch.map(x -> opt(x, Metrics.TEST_ACCURACY, "%.4f"))
                            .orElse("-"), e.candidate().genotype()));
        }
        return lines;
    }

    private static String opt(Evaluation e, String metric, String format) {
        return e.metrics().containsKey(metric) ? String.format(Locale.ROOT, format, e.metric(metric)) : "-";
    }

    /** Round 0: the largest and the smallest subnet (ids {@code largest}, {@code smallest}), the supernet's ends. */
    private List<Evaluation> anchors(Sweep sweep, SparkEvaluator evaluator, EstimatorSpec spec) {
        if (sweep.store().committedRounds(ResultStore.CANDIDATES).contains(0)) {
            return sweep.candidates(0);
        }
        List<Candidate> ends = new ArrayList<>();
        for (OfaSubnet net : List.of(cfg.space().largest(), cfg.space().smallest())) {
            ends.add(new Candidate(ends.isEmpty() ? "largest" : "smallest", OfaSpace.NAME, net.text(),
                    cfg.space().canonicalKey(net), "anchor", List.of(), cfg.training().seed()));
        }
        List<TaskResult> results = new ArrayList<>(evaluator.evaluate(ends, 0));
        results.sort(Comparator.comparing(r -> r.evaluation().candidate().id()));
        sweep.commitCandidates(0, spec, results);
        List<Evaluation> out = results.stream().map(TaskResult::evaluation).toList();
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
     * {@code total} candidates of {@code strategy} in rounds from {@code firstRound}, their ids prefixed; committed
     * rounds are replayed into the strategy (it must propose the same candidates again), the rest evaluated and
     * committed.
     */
    private List<Evaluation> rounds(Sweep sweep, int firstRound, String prefix, Strategy strategy, int total,
                                    SparkEvaluator evaluator, EstimatorSpec spec, String what) {
        List<Integer> committed = sweep.store().committedRounds(ResultStore.CANDIDATES);
        List<Evaluation> out = new ArrayList<>();
        long t0 = System.nanoTime();
        int size = cfg.search().roundSize();
        int replayed = 0;
        for (int r = 0; r * size < total; r++) {
            int round = firstRound + r;
            List<Candidate> asked = strategy.ask(Math.min(size, total - r * size));
            List<Evaluation> evaluations;
            if (committed.contains(round)) {
                evaluations = sweep.candidates(round);
                for (int i = 0; i < asked.size(); i++) {
                    if (i >= evaluations.size() || !evaluations.get(i).candidate().id().equals(prefix + asked.get(i).id())
                            || !evaluations.get(i).candidate().key().equals(asked.get(i).key())) {
                        throw new Sweep.Mismatch("replaying round " + round + " (" + what + "): the strategy proposed "
                                + prefix + asked.get(i).id() + " but the store holds another candidate (resume with the "
                                + "version that made the sweep, or pass --new-sweep)");
                    }
                }
                replayed++;
            } else {
                List<Candidate> named = asked.stream().map(c -> prefixed(c, prefix)).toList();
                Map<String, TaskResult> byId = new HashMap<>();
                evaluator.evaluate(named, 0).forEach(t -> byId.put(t.evaluation().candidate().id(), t));
                List<TaskResult> results = named.stream().map(c -> byId.get(c.id())).toList();
                sweep.commitCandidates(round, spec, results);
                evaluations = results.stream().map(TaskResult::evaluation).toList();
            }
            List<Evaluation> told = new ArrayList<>();
            for (int i = 0; i < asked.size(); i++) {
                told.add(evaluations.get(i).withCandidate(asked.get(i)));
            }
            strategy.tell(told);
            out.addAll(evaluations);
        }
        log.accept(String.format(Locale.ROOT, "%s: %d subnets (%d failed)%s in %s", what, out.size(),
                out.stream().filter(e -> !e.isOk()).count(), replayed > 0 ? ", " + replayed + " rounds resumed" : "",
                Durations.since(t0)));
        return out;
    }

    private static Candidate prefixed(Candidate c, String prefix) {
        return new Candidate(prefix + c.id(), c.space(), c.genotype(), c.key(), c.origin(),
                c.parents().stream().map(p -> prefix + p).toList(), c.seed());
    }

    /** Each budget's chosen subnet trained from scratch by the proxy estimator (one committed round). */
    private List<Choice> scratch(Sweep sweep, int round, List<Choice> choices, JavaSparkContext jsc) {
        List<Candidate> nets = new ArrayList<>();
        for (int i = 0; i < choices.size(); i++) {
            Evaluation chosen = choices.get(i).chosen();
            OfaNet net = new OfaNet(cfg.space(), cfg.space().parse(chosen.candidate().genotype()));
            nets.add(new Candidate("scratch-b" + i, OfaNet.NAME, net.text(), net.key(), "scratch",
                    List.of(chosen.candidate().id()), cfg.training().seed()));
        }
        List<Evaluation> trained;
        if (sweep.store().committedRounds(ResultStore.CANDIDATES).contains(round)) {
            trained = sweep.candidates(round);
            log.accept("resuming: the from-scratch baseline is committed");
        } else {
            long t0 = System.nanoTime();
            List<TaskResult> results = new ArrayList<>(new SparkEvaluator(jsc, cfg.estimator()).evaluate(nets, 0));
            results.sort(Comparator.comparing(r -> r.evaluation().candidate().id()));
            sweep.commitCandidates(round, cfg.estimator(), results);
            trained = results.stream().map(TaskResult::evaluation).toList();
            log.accept("trained the chosen subnets from scratch in "
                    + Durations.since(t0));
        }
        Map<String, Evaluation> byId = new HashMap<>();
        trained.forEach(e -> byId.put(e.candidate().id(), e));
        List<Choice> out = new ArrayList<>();
        for (int i = 0; i < choices.size(); i++) {
            out.add(new Choice(choices.get(i).budgetMflops(), choices.get(i).chosen(),
                    Optional.ofNullable(byId.get("scratch-b" + i))));
        }
        return out;
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
            java.nio.file.Files.write(local, ResultStore.readWhole(fs, result.checkpoint()));
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

    /**
     * A Spark task: progressive shrinking from phase {@code from}, each finished phase's epochs and then its
     * checkpoint written under {@code dir}. Returns "" or the error.
     */
    static String train(Config cfg, HadoopSettings hadoop, String dir, int from) {
        try {
            FileSystem fs = new Path(dir).getFileSystem(hadoop.configuration());
            List<ProgressiveShrinking.Phase> phases = ProgressiveShrinking.phases(cfg.space(), cfg.training());
            DataConfig d = cfg.proxy().data();
            Devices.configureThreads(cfg.training().torchThreads());
            Datasets.Split data = Datasets.shared(d);
            Device device = ExecutorInfo.device();
            String executor = SparkEnv.get() == null ? "driver" : SparkEnv.get().executorId();
            try (ElasticSupernet supernet = new ElasticSupernet(cfg.space(), d.imageChannels(), d.classes(), device,
                    cfg.training().seed());
                 ElasticSupernet teacher = from > 0 ? new ElasticSupernet(cfg.space(), d.imageChannels(), d.classes(),
                         device, cfg.training().seed()) : null) {
                if (from > 0) {
                    String last = checkpointPath(dir, from - 1, phases);
                    String first = checkpointPath(dir, 0, phases);
                    Checkpoint.read(ResultStore.readWhole(fs, last), supernet, last);
                    Checkpoint.read(ResultStore.readWhole(fs, first), teacher, first);
                }
                List<Map<String, Object>> epochs = new ArrayList<>();
                new ProgressiveShrinking(cfg.training(), data).train(supernet, from, teacher,
                        new ProgressiveShrinking.Listener() {
                            @Override
                            public void epoch(int i, ProgressiveShrinking.Phase phase, int epoch,
                                              Map<String, Double> metrics) {
                                Map<String, Object> row = new LinkedHashMap<>();
                                row.put("phase", i);
                                row.put("phase_name", phase.name());
                                row.put("epoch", epoch);
                                row.put("learning_rate", phase.learningRate());
                                row.putAll(metrics);
                                row.put("executor", executor);
                                row.put("host", ExecutorInfo.hostName());
                                epochs.add(row);
                                LOG.info(String.format(Locale.ROOT, "supernet phase %d/%d (%s) epoch %d: %s", i + 1,
                                        phases.size(), phase.name(), epoch, metrics));
                            }

                            @Override
                            public void phaseDone(int i, ProgressiveShrinking.Phase phase, ElasticSupernet s) {
                                try {
                                    ResultStore.writeWhole(fs, dir + "/" + epochsFile(i),
                                            Json.MAPPER.writeValueAsBytes(epochs));
                                    epochs.clear();
                                    ResultStore.writeWhole(fs, checkpointPath(dir, i, phases),
                                            Checkpoint.write(s, i, phase.name()));
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            }
                        });
            }
            return "";
        } catch (RuntimeException | IOException | OutOfMemoryError e) {
            LOG.error("the supernet's training failed", e);
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    static String checkpointPath(String dir, int phase, List<ProgressiveShrinking.Phase> phases) {
        return dir + "/" + String.format(Locale.ROOT, "phase-%d-%s.ckpt", phase, phases.get(phase).name());
    }

    private static String epochsFile(int phase) {
        return String.format(Locale.ROOT, "phase-%d-epochs.json", phase);
    }

    /** The phases whose checkpoint exists, counted from the first (a checkpoint is written last, by a rename). */
    private int completedPhases(String dir, List<ProgressiveShrinking.Phase> phases) {
        try {
            FileSystem fs = new Path(dir).getFileSystem(spark.sparkContext().hadoopConfiguration());
            int n = 0;
            while (n < phases.size() && fs.exists(new Path(checkpointPath(dir, n, phases)))) {
                n++;
            }
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private List<Row> epochRows(String dir, List<ProgressiveShrinking.Phase> phases) {
        List<Row> rows = new ArrayList<>();
        try {
            FileSystem fs = new Path(dir).getFileSystem(spark.sparkContext().hadoopConfiguration());
            for (int p = 0; p < phases.size(); p++) {
                List<Map<String, Object>> epochs = Json.MAPPER.readValue(
                        ResultStore.readWhole(fs, dir + "/" + epochsFile(p)),
                        new TypeReference<>() { });
                for (Map<String, Object> e : epochs) {
                    RowBuilder b = RowBuilder.of(ResultSchema.OFA_EPOCHS).set("sweep_id", cfg.name());
                    for (var f : e.entrySet()) {
                        Object v = f.getValue();
                        b.set(f.getKey(), v instanceof Number n && !(f.getKey().equals("phase")
                                || f.getKey().equals("epoch")) ? (Object) n.doubleValue()
                                : v instanceof Number n ? (Object) n.intValue() : v);
                    }
                    rows.add(b.build());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the supernet's epochs under " + dir + ": " + e.getMessage(), e);
        }
        return rows;
    }

    private static String phaseNames(List<ProgressiveShrinking.Phase> phases) {
        return phases.stream().map(ProgressiveShrinking.Phase::name).toList().toString();
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}

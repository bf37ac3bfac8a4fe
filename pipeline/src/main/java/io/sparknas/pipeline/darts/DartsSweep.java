package io.sparknas.pipeline.darts;

import io.sparknas.pipeline.core.Durations;
import io.sparknas.pipeline.core.ExecutorInfo;
import io.sparknas.pipeline.core.Json;
import io.sparknas.pipeline.core.LatencyTable;
import io.sparknas.pipeline.core.ResultSchema;
import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.core.RowBuilder;
import io.sparknas.pipeline.core.SparkEvaluator;
import io.sparknas.pipeline.core.Sweep;
import io.sparknas.pipeline.core.TaskResult;
import io.sparknas.space.Metrics;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.estimators.Devices;
import io.sparknas.estimators.Torch;
import io.sparknas.estimators.latency.Timing;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.estimators.spec.ProxySpec;
import io.sparknas.oneshot.darts.DartsSearch;
import io.sparknas.oneshot.darts.DartsSearchConfig;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Operation;
import io.sparknas.space.darts.DartsSpace;
import io.sparknas.space.darts.DartsText;
import io.sparknas.space.darts.DartsNetworkConfig;
import io.sparknas.space.darts.Derivation;
import io.sparknas.space.latency.DartsOps;
import io.sparknas.space.pareto.Objectives;
import ai.djl.Device;
import io.sparknas.oneshot.darts.LatencyObjective;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * DARTS on Spark, as the DARTS paper picks its cell: {@code searches} independent searches (seeds
 * {@code seed, seed+1, ...}) run in parallel, one Spark task each; their per-epoch traces (metrics, derived
 * genotypes, alpha) are committed to Parquet; the final genotype of every search is then trained from scratch by
 * the proxy estimator through the pipeline, and the best by validation accuracy wins. Both phases are committed
 * atomically; a rerun with the same configuration skips what is committed (resume), another configuration is
 * refused.
 *
 * <p>Latency-aware ({@code darts.latencyWeights}): the searches run once per weight lambda, each adding lambda times
 * the supernet's expected latency from a lookup table to its architecture loss (FBNet, ProxylessNAS); every derived
 * genotype is trained and its latency measured, and the sweep reports the accuracy-latency front.
 */
public record DartsSweep(SparkSession spark, Config cfg, Consumer<String> log) {
    public static final String EPOCHS = "darts_epochs";
    public static final String ALPHAS = "darts_alphas";
    /** Each derived network timed alone after training ({@value Metrics#Metrics.LATENCY_TIMED}): one task, median of 50. */
    static final int TIMING_WARMUP = 10;
    static final int TIMING_REPEATS = 50;

    /**
     * @param searches       independent searches (Spark tasks) per latency weight, seeds {@code search.seed() + i}
     * @param estimator      the proxy estimator that trains each derived genotype (its data also feeds the search:
     *                       w on the training split, alpha on the validation split)
     * @param latencyWeights latency-aware DARTS: one set of searches per weight lambda, each minimising
     *                       cross-entropy + lambda * E[latency] / E0 ({@link LatencyObjective}); empty = plain DARTS
     * @param latencyTable   the profile job's {@code latency_table.csv} of space darts for the network the estimator
     *                       trains (a Hadoop path); required with latency weights
     */
    public record Config(String name, String output, DartsSearchConfig search, int searches,
                         EstimatorSpec estimator, List<Double> latencyWeights, String latencyTable)
            implements Sweep.Definition, Serializable {
        public Config {
            Json.checkName(name);
            if (searches < 1) {
                throw new IllegalArgumentException("darts.searches must be >= 1, got " + searches);
            }
            latencyWeights = latencyWeights == null ? List.of() : List.copyOf(latencyWeights);
            latencyTable = latencyTable == null ? "" : latencyTable;
            for (double w : latencyWeights) {
                if (!(w >= 0) || Double.isInfinite(w)) {
                    throw new IllegalArgumentException("darts.latencyWeights must be finite and >= 0 (0 = plain "
                            + "DARTS), got " + w);
                }
            }
            if (latencyWeights.size() != latencyWeights.stream().distinct().count()) {
                throw new IllegalArgumentException("darts.latencyWeights repeats a value: " + latencyWeights);
            }
            if (!latencyWeights.isEmpty() && latencyTable.isBlank()) {
                throw new IllegalArgumentException("darts.latencyWeights needs darts.latencyTable, a latency table of "
                        + "this device for the network estimator.proxy trains; make one with: ./sparknas profile "
                        + "--conf conf/profile-darts.conf");
            }
            ProxySpec.required(estimator, "darts");
        }

        @Override
        public String kind() {
            return "darts";
        }

        /** Without a latency objective: plain DARTS. */
        public Config(String name, String output, DartsSearchConfig search, int searches, EstimatorSpec estimator) {
            this(name, output, search, searches, estimator, List.of(), "");
        }

        boolean latencyAware() {
            return !latencyWeights.isEmpty();
        }

        /** The images the searches learn from: w on the training split, alpha on the validation split. */
        ProxySpec proxy() {
            return ProxySpec.required(estimator, kind());
        }

        @Override
        public String semantics() {
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("kind", "darts");
            n.set("search", Json.MAPPER.valueToTree(search));
            n.put("searches", searches);
            n.set("estimator", Json.MAPPER.valueToTree(estimator));
            if (latencyAware()) { // absent otherwise: plain DARTS sweeps keep their hash
                n.set("latencyWeights", Json.MAPPER.valueToTree(latencyWeights));
                n.put("latencyTable", latencyTable);
            }
            return Json.canonical(n);
        }
    }

    /**
     * One search for a task: its configuration, id, and latency objective (null for plain DARTS; a field, not an
     * Optional, to be serializable).
     */
    record SearchTask(String searchId, DartsSearchConfig search, LatencyObjective latency) implements Serializable {
        double latencyWeight() {
            return latency == null ? Double.NaN : latency.weight();
        }
    }

    /** One search as it comes back from its task; {@code error} is empty unless it failed. */
    record Trace(String searchId, long seed, double latencyWeight, List<DartsSearch.Epoch> epochs, String error,
                 String device, String executor, String host) implements Serializable {
    }

    /** The genotype a search derived after its last epoch, and the latency weight it searched with (NaN: none). */
    private record Final(String searchId, long seed, double latencyWeight, String genotype) {
    }

    /**
     * The outcome: every search's final genotype and its evaluation, the winner, and for a latency-aware sweep the
     * accuracy-latency front of the evaluated genotypes.
     */
    public record Result(Sweep sweep, List<Evaluation> evaluations, Optional<Evaluation> best, int failedSearches,
                         List<Evaluation> front) {
    }

    public Result run() {
        Optional<LatencyTable> table;
        List<SearchTask> tasks;
        try {
            table = cfg.latencyAware() ? Optional.of(LatencyTable.read(spark, cfg.latencyTable(), DartsSpace.NAME,
                    "darts.latencyTable")) : Optional.empty();
            tasks = tasks(table); // refuses a table that lacks the network's instances
        } catch (IllegalArgumentException e) {
            throw new Sweep.Refused(e.getMessage());
        }
        Sweep sweep = Sweep.open(spark, cfg, ResultStore.CANDIDATES, EPOCHS);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Final> finals;
        if (!sweep.isCommitted(EPOCHS)) {
            long t0 = System.nanoTime();
            List<Trace> traces = searchOnSpark(jsc, tasks);
            table.ifPresent(t -> warnOtherDevices(t, traces));
            commitTraces(sweep, traces);
            finals = finals(traces);
            log.accept(String.format(Locale.ROOT, "searched: %d searches in %s; traces: %s", traces.size(),
                    Durations.since(t0), sweep.store().path(EPOCHS)));
        } else {
            finals = committedFinals(sweep.store());
            log.accept("resuming: the searches are committed (" + sweep.store().path(EPOCHS) + ")");
        }
        List<Evaluation> evaluations;
        if (!sweep.isCommitted(ResultStore.CANDIDATES)) {
            List<TaskResult> results;
            results = new SparkEvaluator(jsc, cfg.estimator())
                    .evaluate(candidates(finals), 0);
            Map<String, Double> timed = table.isPresent() ? timeAlone(jsc, finals) : Map.of();
            results = results.stream().map(r -> withLatency(r, finals, table, timed)).toList();
            sweep.commitCandidates(0, cfg.estimator(), results);
            evaluations = new ArrayList<>(results.stream().map(TaskResult::evaluation).toList());
        } else {
            evaluations = sweep.candidates(0);
        }
        evaluations.sort(Comparator.comparing(e -> e.candidate().id()));
        for (Evaluation e : evaluations) {
            log.accept(String.format(Locale.ROOT, "evaluated %s: %s accuracy %.4f%s%s", e.candidate().id(),
                    e.status(), e.accuracy(), latencyText(e), e.isOk() ? "" : " (" + e.error() + ")"));
        }
        Optional<Evaluation> best = evaluations.stream().filter(Evaluation::isOk)
                .max(Comparator.comparingDouble(Evaluation::accuracy));
        List<Evaluation> front = cfg.latencyAware() ? latencyFront(evaluations) : List.of();
        return new Result(sweep, evaluations, best, cfg.searches() * Math.max(1, cfg.latencyWeights().size())
                - finals.size(), front);
    }

    /**
     * The searches: {@code searches} seeds per latency weight (ids {@code s<seed>-l<i>} for the i-th weight), or
     * {@code searches} plain ones ({@code s<seed>}). The objectives' matrices come from the table for the network
     * the estimator trains; a table lacking one of its instances is refused here, before anything is written.
     */
    private List<SearchTask> tasks(Optional<LatencyTable> table) {
        List<SearchTask> tasks = new ArrayList<>();
        if (table.isEmpty()) {
            for (int i = 0; i < cfg.searches(); i++) {
                long seed = cfg.search().seed() + i;
                tasks.add(new SearchTask("s" + seed, cfg.search().withSeed(seed), null));
            }
            return tasks;
        }
        DartsNetworkConfig net = cfg.proxy().dartsNetwork();
        double[][] normal;
        double[][] reduce;
        try {
            normal = DartsOps.edgeMatrix(table.get().predictor(), net, cfg.search().ops(), cfg.search().nodes(), false);
            reduce = DartsOps.edgeMatrix(table.get().predictor(), net, cfg.search().ops(), cfg.search().nodes(), true);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("darts.latencyTable " + cfg.latencyTable() + ": " + e.getMessage(), e);
        }
        for (int j = 0; j < cfg.latencyWeights().size(); j++) {
            LatencyObjective objective = new LatencyObjective(cfg.latencyWeights().get(j), normal, reduce);
            for (int i = 0; i < cfg.searches(); i++) {
                long seed = cfg.search().seed() + i;
                tasks.add(new SearchTask("s" + seed + "-l" + j, cfg.search().withSeed(seed), objective));
            }
        }
        return tasks;
    }

    /** A line for each search whose executor's device is not the one the latency table was made on. */
    private void warnOtherDevices(LatencyTable table, List<Trace> traces) {
        for (Trace t : traces) {
            if (!t.device().isEmpty() && !t.device().equals(table.device())) {
                log.accept("warning: search " + t.searchId() + " ran on " + t.device() + "; the latency table "
                        + cfg.latencyTable() + " was made on " + table.device());
            }
        }
    }

    /** The evaluation with its search's latency weight and the table's predicted latency as metrics. */
    /**
     * Every derived network timed at batch 1 in one Spark task after the training is done, one network at a time
     * ({@value #TIMING_WARMUP} warm-up passes, the median of {@value #TIMING_REPEATS}): the latencies the front is
     * drawn with, measured without other work on the machine's cores (the estimator's own figure is taken beside
     * another task's training).
     */
    private Map<String, Double> timeAlone(JavaSparkContext jsc, List<Final> finals) {
        io.sparknas.space.darts.DartsNetworkConfig net = cfg.proxy().dartsNetwork();
        int threads = cfg.search().torchThreads();
        List<String> genotypes = finals.stream().map(Final::genotype).toList();
        List<Double> ms = jsc.parallelize(List.of(genotypes), 1).map(gs -> {
            Torch.pinThreads(threads);
            Device d = ExecutorInfo.device();
            List<Double> out = new ArrayList<>();
            for (String g : gs) {
                out.add(Timing.dartsNetwork(DartsText.parse(g), net, d, TIMING_WARMUP, TIMING_REPEATS).medianMs());
            }
            return out;
        }).collect().get(0);
        Map<String, Double> byId = new LinkedHashMap<>();
        for (int i = 0; i < finals.size(); i++) {
            byId.put("darts-" + finals.get(i).searchId(), ms.get(i));
        }
        return byId;
    }

    private TaskResult withLatency(TaskResult r, List<Final> finals, Optional<LatencyTable> table,
                                   Map<String, Double> timed) {
        if (table.isEmpty()) {
            return r;
        }
        Evaluation e = r.evaluation();
        Final f = finals.stream().filter(x -> ("darts-" + x.searchId()).equals(e.candidate().id())).findFirst()
                .orElseThrow();
        double predicted = table.get().predictor().predict(DartsOps.of(DartsText.parse(f.genotype()),
                cfg.proxy().dartsNetwork()));
        Map<String, Double> extra = new java.util.TreeMap<>(Map.of(Metrics.LATENCY_WEIGHT, f.latencyWeight(),
                Metrics.LATENCY_PREDICTED, predicted));
        if (timed.containsKey(e.candidate().id())) {
            extra.put(Metrics.LATENCY_TIMED, timed.get(e.candidate().id()));
        }
        return new TaskResult(e.withMetrics(extra), r.executor(), r.host(), r.attempt());
    }

    private static String latencyText(Evaluation e) {
        Double w = e.metrics().get(Metrics.LATENCY_WEIGHT);
        if (w == null) {
            return "";
        }
        Double measured = e.metrics().get(Metrics.LATENCY_TIMED);
        return String.format(Locale.ROOT, ", lambda %s, latency %s ms timed alone, %.3f ms predicted", weightText(w),
                measured == null ? "-" : String.format(Locale.ROOT, "%.3f", measured),
                e.metrics().get(Metrics.LATENCY_PREDICTED));
    }

    private static String weightText(double w) {
        return java.math.BigDecimal.valueOf(w).stripTrailingZeros().toPlainString();
    }

    /**
     * The accuracy-latency front of the evaluated genotypes (latency timed alone at batch 1; the table's prediction
     * where a timing is missing), with a line per member and whether raising lambda lowered the latency
     * monotonically (per seed).
     */
    private List<Evaluation> latencyFront(List<Evaluation> evaluations) {
        String cost = evaluations.stream().allMatch(e -> !e.isOk() || e.metrics().containsKey(Metrics.LATENCY_TIMED))
                ? Metrics.LATENCY_TIMED : Metrics.LATENCY_PREDICTED;
        List<Evaluation> front = new Objectives(List.of(Objectives.ACCURACY, cost)).front(evaluations);
        for (Evaluation e : front) {
            log.accept(String.format(Locale.ROOT, "front (accuracy, %s): %s lambda %s accuracy %.4f latency %.3f ms",
                    cost, e.candidate().id(), weightText(e.metrics().get(Metrics.LATENCY_WEIGHT)), e.accuracy(),
                    e.metrics().get(cost)));
        }
        for (int i = 0; i < cfg.searches(); i++) {
            long seed = cfg.search().seed() + i;
            List<Evaluation> bySeed = evaluations.stream().filter(Evaluation::isOk)
                    .filter(e -> e.candidate().seed() == seed && e.metrics().containsKey(cost))
                    .sorted(Comparator.comparingDouble(e -> e.metrics().get(Metrics.LATENCY_WEIGHT))).toList();
            boolean monotone = true;
            StringBuilder trail = new StringBuilder();
            for (int k = 0; k < bySeed.size(); k++) {
                double lat = bySeed.get(k).metrics().get(cost);
                monotone &= k == 0 || lat <= bySeed.get(k - 1).metrics().get(cost);
                trail.append(k == 0 ? "" : " -> ").append(String.format(Locale.ROOT, "%.3f",
                        lat));
            }
            log.accept(String.format(Locale.ROOT, "seed %d: latency by rising lambda %s ms: %s", seed, trail,
                    monotone ? "monotonically non-increasing" : "NOT monotonic"));
        }
        return front;
    }

    /** The final genotype of every search that did not fail; a line per search. */
    private List<Final> finals(List<Trace> traces) {
        List<Final> finals = new ArrayList<>();
        for (Trace t : traces) {
            if (!t.error().isEmpty()) {
                log.accept("search " + t.searchId() + " failed: " + t.error());
                continue;
            }
            DartsSearch.Epoch last = t.epochs().get(t.epochs().size() - 1);
            finals.add(new Final(t.searchId(), t.seed(), t.latencyWeight(), DartsText.format(last.genotype())));
            log.accept(String.format(Locale.ROOT, "search %s (seed %d%s): %d epochs, supernet val accuracy %.4f, "
                    + "%d skip connections in the normal cell (%d without the guard)%s", t.searchId(), t.seed(),
                    Double.isNaN(t.latencyWeight()) ? "" : ", lambda " + weightText(t.latencyWeight()),
                    t.epochs().size(), last.validationAccuracy(), Derivation.skips(last.genotype().normal()),
                    Derivation.skips(last.unguarded().normal()), Double.isNaN(last.expectedLatencyMs()) ? ""
                            : String.format(Locale.ROOT, ", expected latency %.3f ms", last.expectedLatencyMs())));
        }
        return finals;
    }

    /** Every search as a Spark task of its own, traces in task order (weight, then seed). */
    private List<Trace> searchOnSpark(JavaSparkContext jsc, List<SearchTask> tasks) {
        ProxySpec spec = cfg.proxy();
        List<Trace> traces = new ArrayList<>(jsc.parallelize(tasks, tasks.size()).map(t -> runSearch(t, spec))
                .collect());
        List<String> order = tasks.stream().map(SearchTask::searchId).toList();
        traces.sort(Comparator.comparingInt(t -> order.indexOf(t.searchId())));
        return traces;
    }

    /** A Spark task: one whole search on the executor's dataset and device; a failure is a trace with the error. */
    static Trace runSearch(SearchTask task, ProxySpec spec) {
        DartsSearchConfig c = task.search();
        String executor = SparkEnv.get() == null ? "driver" : SparkEnv.get().executorId();
        String host = ExecutorInfo.hostName();
        String device = "";
        try {
            Devices.configureThreads(c.torchThreads());
            Datasets.Split data = Datasets.shared(spec.data());
            Device d = ExecutorInfo.device();
            device = ExecutorInfo.deviceName(d);
            try (DartsSearch search = new DartsSearch(c, data, d, Optional.ofNullable(task.latency()))) {
                return new Trace(task.searchId(), c.seed(), task.latencyWeight(), search.run(e -> { }), "", device,
                        executor, host);
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            return new Trace(task.searchId(), c.seed(), task.latencyWeight(), List.of(),
                    e.getClass().getSimpleName() + ": " + e.getMessage(), device, executor, host);
        }
    }

    private void commitTraces(Sweep sweep, List<Trace> traces) {
        List<Row> epochs = new ArrayList<>();
        List<Row> alphas = new ArrayList<>();
        for (Trace t : traces) {
            if (!t.error().isEmpty()) {
                epochs.add(epochRow(t).set("epoch", 0).set("status", "FAILED").set("error", t.error()).build());
                continue;
            }
            for (DartsSearch.Epoch e : t.epochs()) {
                epochs.add(epochRow(t).set("epoch", e.epoch()).set("status", "OK").set("error", "")
                        .set("learning_rate", e.learningRate()).set("train_loss", e.trainLoss())
                        .set("train_accuracy", e.trainAccuracy()).set("val_loss", e.validationLoss())
                        .set("val_accuracy", e.validationAccuracy()).set("seconds", e.seconds())
                        .set("genotype", DartsText.format(e.genotype()))
                        .set("genotype_unguarded", DartsText.format(e.unguarded()))
                        .set("skips_normal", Derivation.skips(e.genotype().normal()))
                        .set("skips_normal_unguarded", Derivation.skips(e.unguarded().normal()))
                        .set("skips_reduce", Derivation.skips(e.genotype().reduce()))
                        .set("expected_latency_ms", Double.isNaN(e.expectedLatencyMs()) ? null
                                : e.expectedLatencyMs())
                        .build());
                addAlphas(alphas, t.searchId(), e.epoch(), "normal", e.alphaNormal());
                addAlphas(alphas, t.searchId(), e.epoch(), "reduce", e.alphaReduce());
            }
        }
        sweep.commit(ALPHAS, 0, alphas, ResultSchema.DARTS_ALPHAS);
        sweep.commit(EPOCHS, 0, epochs, ResultSchema.DARTS_EPOCHS); // last: its presence marks the phase done
    }

    /** The columns of an epoch row that every epoch of a search shares. */
    private RowBuilder epochRow(Trace t) {
        return RowBuilder.of(ResultSchema.DARTS_EPOCHS).set("sweep_id", cfg.name()).set("search_id", t.searchId())
                .set("seed", t.seed()).set("order", cfg.search().architect().order())
                .set("max_skips", cfg.search().maxSkips()).set("executor", t.executor()).set("host", t.host())
                .set(Metrics.LATENCY_WEIGHT, Double.isNaN(t.latencyWeight()) ? null : t.latencyWeight());
    }

    private void addAlphas(List<Row> rows, String searchId, int epoch, String cell, double[][] alpha) {
        double[][] w = DartsSearch.softmax(alpha);
        List<Operation> ops = cfg.search().ops();
        int edge = 0;
        for (int node = 0; node < cfg.search().nodes(); node++) {
            for (int input = 0; input < node + 2; input++) {
                for (int k = 0; k < ops.size(); k++) {
                    rows.add(RowBuilder.of(ResultSchema.DARTS_ALPHAS).set("sweep_id", cfg.name())
                            .set("search_id", searchId).set("epoch", epoch).set("cell", cell).set("edge", edge)
                            .set("node", node + 2).set("input", input).set("op", ops.get(k).text())
                            .set("alpha", alpha[edge][k]).set("weight", w[edge][k]).build());
                }
                edge++;
            }
        }
    }

    private List<Final> committedFinals(ResultStore store) {
        org.apache.spark.sql.Dataset<Row> epochs = store.read(EPOCHS);
        boolean weighted = java.util.Arrays.asList(epochs.columns()).contains("latency_weight");
        List<Row> rows = epochs.filter("status = 'OK'").orderBy("seed", "search_id", "epoch").collectAsList();
        Map<String, Final> last = new LinkedHashMap<>();
        for (Row r : rows) {
            Double w = weighted ? r.<Double>getAs(Metrics.LATENCY_WEIGHT) : null;
            last.put(r.getAs("search_id"), new Final(r.getAs("search_id"), r.<Long>getAs("seed"),
                    w == null ? Double.NaN : w, r.getAs("genotype")));
        }
        return new ArrayList<>(last.values());
    }

    /** The final genotype of every successful search as a candidate; the proxy trains it with the search's seed. */
    private List<Candidate> candidates(List<Final> finals) {
        DartsSpace space = new DartsSpace(cfg.search().ops().stream().filter(op -> op != Operation.NONE).toList(),
                cfg.search().nodes());
        List<Candidate> out = new ArrayList<>();
        for (Final f : finals) {
            out.add(new Candidate("darts-" + f.searchId(), DartsSpace.NAME, f.genotype(),
                    space.canonicalKey(DartsText.parse(f.genotype())), "darts", List.of(), f.seed()));
        }
        return out;
    }
}

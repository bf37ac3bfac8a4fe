package io.sparknas.pipeline.darts;

import ai.djl.Device;
import io.sparknas.estimators.Torch;
import io.sparknas.estimators.latency.Timing;
import io.sparknas.estimators.spec.ProxySpec;
import io.sparknas.oneshot.darts.DartsSearch;
import io.sparknas.oneshot.darts.LatencyObjective;
import io.sparknas.pipeline.core.Durations;
import io.sparknas.pipeline.core.EpochReport;
import io.sparknas.pipeline.core.ExecutorInfo;
import io.sparknas.pipeline.core.FixedStage;
import io.sparknas.pipeline.core.LatencyTable;
import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.core.Sweep;
import io.sparknas.pipeline.core.SweepRun;
import io.sparknas.pipeline.core.TaskStage;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Metrics;
import io.sparknas.space.Operation;
import io.sparknas.space.darts.DartsNetworkConfig;
import io.sparknas.space.darts.DartsSpace;
import io.sparknas.space.darts.DartsText;
import io.sparknas.space.darts.Derivation;
import io.sparknas.space.latency.DartsOps;
import io.sparknas.space.pareto.Objectives;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;

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
public record DartsSweep(SparkSession spark, DartsConfig cfg, Consumer<String> log) {
    public static final String EPOCHS = "darts_epochs";
    public static final String ALPHAS = "darts_alphas";
    /** Each derived network timed alone after training ({@value Metrics#LATENCY_TIMED}): one task, median of 50. */
    static final int TIMING_WARMUP = 10;
    static final int TIMING_REPEATS = 50;

    /**
     * The outcome: every search's final genotype and its evaluation, the winner, and for a latency-aware sweep the
     * accuracy-latency front of the evaluated genotypes.
     */
    public record Result(Sweep sweep, List<Evaluation> evaluations, Optional<Evaluation> best,
                         List<Evaluation> front) {
    }

    public Result run() {
        Optional<LatencyTable> table;
        List<DartsTraces.SearchTask> tasks;
        try {
            table = cfg.latencyAware() ? Optional.of(LatencyTable.read(spark, cfg.latencyTable(), DartsSpace.NAME,
                    "darts.latencyTable")) : Optional.empty();
            tasks = tasks(table); // refuses a table that lacks the network's instances
        } catch (IllegalArgumentException e) {
            throw new Sweep.Refused(e.getMessage());
        }
        Sweep sweep = Sweep.open(spark, cfg, ResultStore.CANDIDATES, EPOCHS);
        SweepRun run = SweepRun.of(spark, sweep, log);
        List<DartsTraces.Final> finals = new TaskStage<List<DartsTraces.Final>>("search", () -> sweep.isCommitted(EPOCHS),
                () -> DartsTraces.committedFinals(sweep.store()), progress -> {
                    long t0 = System.nanoTime();
                    List<DartsTraces.Trace> traces = searchOnSpark(run.jsc(), tasks, progress);
                    table.ifPresent(t -> warnOtherDevices(t, traces));
                    DartsTraces.commit(sweep, cfg, traces);
                    log.accept(String.format(Locale.ROOT, "searched: %d searches in %s; traces: %s", traces.size(),
                            Durations.since(t0), sweep.store().path(EPOCHS)));
                    return finals(traces);
                }, "resuming: the searches are committed (" + sweep.store().path(EPOCHS) + ")").run(run);
        List<Evaluation> evaluations = FixedStage.of("derived genotypes", 0, candidates(finals), cfg.estimator())
                .withHooks(missing -> {
                    Map<String, Double> timed = table.isPresent() ? timeAlone(run.jsc(), missing) : Map.of();
                    return e -> withLatency(e, finals, table, timed);
                }).run(run);
        for (Evaluation e : evaluations) {
            log.accept(String.format(Locale.ROOT, "evaluated %s: %s accuracy %.4f%s%s", e.candidate().id(),
                    e.status(), e.accuracy(), latencyText(e), e.isOk() ? "" : " (" + e.error() + ")"));
        }
        Optional<Evaluation> best = evaluations.stream().filter(Evaluation::isOk)
                .max(Comparator.comparingDouble(Evaluation::accuracy));
        List<Evaluation> front = cfg.latencyAware() ? latencyFront(evaluations) : List.of();
        return new Result(sweep, evaluations, best, front);
    }

    /**
     * The searches: {@code searches} seeds per latency weight (ids {@code s<seed>-l<i>} for the i-th weight), or
     * {@code searches} plain ones ({@code s<seed>}). The objectives' matrices come from the table for the network
     * the estimator trains; a table lacking one of its instances is refused here, before anything is written.
     */
    private List<DartsTraces.SearchTask> tasks(Optional<LatencyTable> table) {
        List<DartsTraces.SearchTask> tasks = new ArrayList<>();
        if (table.isEmpty()) {
            for (int i = 0; i < cfg.searches(); i++) {
                long seed = cfg.search().seed() + i;
                tasks.add(new DartsTraces.SearchTask("s" + seed, cfg.search().withSeed(seed), null));
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
            LatencyObjective objective = new LatencyObjective(cfg.latencyWeights().get(j), normal, reduce,
                    cfg.search().ops().indexOf(Operation.NONE));
            for (int i = 0; i < cfg.searches(); i++) {
                long seed = cfg.search().seed() + i;
                tasks.add(new DartsTraces.SearchTask("s" + seed + "-l" + j, cfg.search().withSeed(seed), objective));
            }
        }
        return tasks;
    }

    /** A line for each search whose executor's device is not the one the latency table was made on. */
    private void warnOtherDevices(LatencyTable table, List<DartsTraces.Trace> traces) {
        for (DartsTraces.Trace t : traces) {
            if (!t.device().isEmpty() && !t.device().equals(table.device())) {
                log.accept("warning: search " + t.searchId() + " ran on " + t.device() + "; the latency table "
                        + cfg.latencyTable() + " was made on " + table.device());
            }
        }
    }

    /**
     * Every derived network about to be trained timed at batch 1 in one Spark task before their training, one at a time
     * ({@value #TIMING_WARMUP} warm-up passes, the median of {@value #TIMING_REPEATS}): the latencies the front is
     * drawn with, measured without other work on the machine's cores (the estimator's own figure is taken beside
     * another task's training).
     */
    private Map<String, Double> timeAlone(JavaSparkContext jsc, List<Candidate> networks) {
        io.sparknas.space.darts.DartsNetworkConfig net = cfg.proxy().dartsNetwork();
        int threads = cfg.search().torchThreads();
        List<String> genotypes = networks.stream().map(Candidate::genotype).toList();
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
        for (int i = 0; i < networks.size(); i++) {
            byId.put(networks.get(i).id(), ms.get(i));
        }
        return byId;
    }

    private Evaluation withLatency(Evaluation e, List<DartsTraces.Final> finals, Optional<LatencyTable> table,
                                   Map<String, Double> timed) {
        if (table.isEmpty()) {
            return e;
        }
        DartsTraces.Final f = finals.stream().filter(x -> ("darts-" + x.searchId()).equals(e.candidate().id())).findFirst()
                .orElseThrow();
        double predicted = table.get().predictor().predict(DartsOps.of(DartsText.parse(f.genotype()),
                cfg.proxy().dartsNetwork()));
        Map<String, Double> extra = new java.util.TreeMap<>(Map.of(Metrics.LATENCY_WEIGHT, f.latencyWeight(),
                Metrics.LATENCY_PREDICTED, predicted));
        if (timed.containsKey(e.candidate().id())) {
            extra.put(Metrics.LATENCY_TIMED, timed.get(e.candidate().id()));
        }
        return e.withMetrics(extra);
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
    private List<DartsTraces.Final> finals(List<DartsTraces.Trace> traces) {
        List<DartsTraces.Final> finals = new ArrayList<>();
        for (DartsTraces.Trace t : traces) {
            if (!t.error().isEmpty()) {
                log.accept("search " + t.searchId() + " failed: " + t.error());
                continue;
            }
            DartsSearch.Epoch last = t.epochs().get(t.epochs().size() - 1);
            finals.add(new DartsTraces.Final(t.searchId(), t.seed(), t.latencyWeight(), DartsText.format(last.genotype())));
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
    private List<DartsTraces.Trace> searchOnSpark(JavaSparkContext jsc, List<DartsTraces.SearchTask> tasks,
                                      CollectionAccumulator<EpochReport> progress) {
        ProxySpec spec = cfg.proxy();
        List<DartsTraces.Trace> traces = new ArrayList<>(jsc.parallelize(tasks, tasks.size()).map(t -> DartsTraces.runSearch(t, spec,
                progress)).collect());
        List<String> order = tasks.stream().map(DartsTraces.SearchTask::searchId).toList();
        traces.sort(Comparator.comparingInt(t -> order.indexOf(t.searchId())));
        return traces;
    }

    /** The final genotype of every successful search as a candidate; the proxy trains it with the search's seed. */
    private List<Candidate> candidates(List<DartsTraces.Final> finals) {
        DartsSpace space = new DartsSpace(cfg.search().ops().stream().filter(op -> op != Operation.NONE).toList(),
                cfg.search().nodes());
        List<Candidate> out = new ArrayList<>();
        for (DartsTraces.Final f : finals) {
            out.add(new Candidate("darts-" + f.searchId(), DartsSpace.NAME, f.genotype(),
                    space.canonicalKey(DartsText.parse(f.genotype())), "darts", List.of(), f.seed()));
        }
        return out;
    }
}

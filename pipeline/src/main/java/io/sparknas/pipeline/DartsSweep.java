package io.sparknas.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.estimators.Devices;
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
import io.sparknas.space.darts.Derivation;
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
 */
public record DartsSweep(SparkSession spark, Config cfg, Consumer<String> log) {
    public static final String EPOCHS = "darts_epochs";
    public static final String ALPHAS = "darts_alphas";

    /**
     * @param searches   independent searches (Spark tasks), seeds {@code search.seed() + i}
     * @param estimator  the proxy estimator that trains each derived genotype (its data also feeds the search:
     *                   w on the training split, alpha on the validation split)
     */
    public record Config(String name, String output, DartsSearchConfig search, int searches,
                         EstimatorSpec estimator) implements Sweep.Definition, Serializable {
        public Config {
            SweepConfig.checkName(name);
            if (searches < 1) {
                throw new IllegalArgumentException("darts.searches must be >= 1, got " + searches);
            }
            if (!(estimator instanceof ProxySpec)) {
                throw new IllegalArgumentException("darts needs estimator.kind = proxy (images to search on), got '"
                        + estimator.kind() + "'");
            }
        }

        @Override
        public String kind() {
            return "darts";
        }

        /** The images the searches learn from: w on the training split, alpha on the validation split. */
        ProxySpec proxy() {
            return (ProxySpec) estimator;
        }

        @Override
        public String semantics() {
            ObjectNode n = SweepConfig.JSON.createObjectNode();
            n.put("kind", "darts");
            n.set("search", SweepConfig.JSON.valueToTree(search));
            n.put("searches", searches);
            n.set("estimator", SweepConfig.JSON.valueToTree(estimator));
            return SweepConfig.canonical(n);
        }
    }

    /** One search as it comes back from its task; {@code error} is empty unless it failed. */
    record Trace(String searchId, long seed, List<DartsSearch.Epoch> epochs, String error, String executor,
                 String host) implements Serializable {
    }

    /** The genotype a search derived after its last epoch. */
    private record Final(String searchId, long seed, String genotype) {
    }

    /** The outcome: every search's final genotype and its evaluation, and the winner. */
    public record Result(Sweep sweep, List<Evaluation> evaluations, Optional<Evaluation> best, int failedSearches) {
    }

    public Result run() {
        Sweep sweep = Sweep.open(spark, cfg, ResultStore.CANDIDATES, EPOCHS);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Final> finals;
        if (!sweep.isCommitted(EPOCHS)) {
            long t0 = System.nanoTime();
            List<Trace> traces = searchOnSpark(jsc);
            commitTraces(sweep, traces);
            finals = finals(traces);
            log.accept(String.format(Locale.ROOT, "searched: %d searches in %s; traces: %s", traces.size(),
                    SearchLoop.duration((System.nanoTime() - t0) / 1e9), sweep.store().path(EPOCHS)));
        } else {
            finals = committedFinals(sweep.store());
            log.accept("resuming: the searches are committed (" + sweep.store().path(EPOCHS) + ")");
        }
        List<Evaluation> evaluations;
        if (!sweep.isCommitted(ResultStore.CANDIDATES)) {
            List<TaskResult> results = new SparkEvaluator(jsc, cfg.estimator(), false, SearchLoop::logEpoch)
                    .evaluate(candidates(finals), 0);
            sweep.commitCandidates(0, cfg.estimator(), results);
            evaluations = new ArrayList<>(results.stream().map(TaskResult::evaluation).toList());
        } else {
            evaluations = sweep.candidates(0);
        }
        evaluations.sort(Comparator.comparing(e -> e.candidate().id()));
        for (Evaluation e : evaluations) {
            log.accept(String.format(Locale.ROOT, "evaluated %s: %s accuracy %.4f%s", e.candidate().id(),
                    e.status(), e.accuracy(), e.isOk() ? "" : " (" + e.error() + ")"));
        }
        Optional<Evaluation> best = evaluations.stream().filter(Evaluation::isOk)
                .max(Comparator.comparingDouble(Evaluation::accuracy));
        return new Result(sweep, evaluations, best, cfg.searches() - finals.size());
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
            finals.add(new Final(t.searchId(), t.seed(), DartsText.format(last.genotype())));
            log.accept(String.format(Locale.ROOT, "search %s (seed %d): %d epochs, supernet val accuracy %.4f, "
                    + "%d skip connections in the normal cell (%d without the guard)", t.searchId(), t.seed(),
                    t.epochs().size(), last.validationAccuracy(), Derivation.skips(last.genotype().normal()),
                    Derivation.skips(last.unguarded().normal())));
        }
        return finals;
    }

    private List<Trace> searchOnSpark(JavaSparkContext jsc) {
        List<DartsSearchConfig> configs = new ArrayList<>();
        for (int i = 0; i < cfg.searches(); i++) {
            configs.add(cfg.search().withSeed(cfg.search().seed() + i));
        }
        ProxySpec spec = cfg.proxy();
        List<Trace> traces = new ArrayList<>(jsc.parallelize(configs, configs.size())
                .map(c -> runSearch(c, spec)).collect());
        traces.sort(Comparator.comparingLong(Trace::seed));
        return traces;
    }

    /** A Spark task: one whole search on the executor's dataset and device; a failure is a trace with the error. */
    static Trace runSearch(DartsSearchConfig c, ProxySpec spec) {
        String id = "s" + c.seed();
        String executor = SparkEnv.get() == null ? "driver" : SparkEnv.get().executorId();
        String host = SparkEvaluator.hostName();
        try {
            Devices.configureThreads(c.torchThreads());
            Datasets.Split data = Datasets.shared(spec.data());
            try (DartsSearch search = new DartsSearch(c, data,
                    Devices.choose(SparkEvaluator.assignedGpu(TaskContext.get())))) {
                return new Trace(id, c.seed(), search.run(e -> { }), "", executor, host);
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            return new Trace(id, c.seed(), List.of(), e.getClass().getSimpleName() + ": " + e.getMessage(), executor,
                    host);
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
                .set("max_skips", cfg.search().maxSkips()).set("executor", t.executor()).set("host", t.host());
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
        List<Row> rows = store.read(EPOCHS).filter("status = 'OK'").orderBy("seed", "epoch").collectAsList();
        Map<String, Final> last = new LinkedHashMap<>();
        for (Row r : rows) {
            last.put(r.getAs("search_id"), new Final(r.getAs("search_id"), r.<Long>getAs("seed"), r.getAs("genotype")));
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

package io.sparknas.pipeline.darts;

import ai.djl.Device;
import io.sparknas.estimators.Devices;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.spec.ProxySpec;
import io.sparknas.oneshot.darts.DartsSearch;
import io.sparknas.oneshot.darts.DartsSearchConfig;
import io.sparknas.oneshot.darts.LatencyObjective;
import io.sparknas.pipeline.core.EpochReport;
import io.sparknas.pipeline.core.ExecutorInfo;
import io.sparknas.pipeline.core.ResultSchema;
import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.core.RowBuilder;
import io.sparknas.pipeline.core.Sweep;
import io.sparknas.space.Metrics;
import io.sparknas.space.Operation;
import io.sparknas.space.darts.DartsText;
import io.sparknas.space.darts.Derivation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * DARTS' searches as Spark tasks and their traces in Parquet: one task runs one whole search on the executor's dataset
 * and device (its epochs reported as they happen), and the traces are committed as {@code darts_alphas} and then
 * {@code darts_epochs} (one row per search and epoch; the epochs' presence marks the searches done); a resume reads
 * every search's final genotype back.
 */
final class DartsTraces {
    private DartsTraces() {
    }

    /** One row per DARTS search and epoch (epoch 0 with status FAILED and the error for a search that failed). */
    static final StructType EPOCHS = ResultSchema.ddl("""
            sweep_id STRING NOT NULL, search_id STRING NOT NULL, seed BIGINT NOT NULL, order INT NOT NULL,
            max_skips INT NOT NULL, epoch INT NOT NULL, status STRING NOT NULL, error STRING NOT NULL,
            learning_rate DOUBLE, train_loss DOUBLE, train_accuracy DOUBLE, val_loss DOUBLE, val_accuracy DOUBLE,
            seconds DOUBLE, genotype STRING, genotype_unguarded STRING, skips_normal INT,
            skips_normal_unguarded INT, skips_reduce INT, executor STRING NOT NULL, host STRING NOT NULL,
            latency_weight DOUBLE, expected_latency_ms DOUBLE
            """);

    /** DARTS architecture parameters per search, epoch, cell type, edge and operation. */
    static final StructType ALPHAS = ResultSchema.ddl("""
            sweep_id STRING NOT NULL, search_id STRING NOT NULL, epoch INT NOT NULL, cell STRING NOT NULL,
            edge INT NOT NULL, node INT NOT NULL, input INT NOT NULL, op STRING NOT NULL, alpha DOUBLE NOT NULL,
            weight DOUBLE NOT NULL
            """);

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
    record Final(String searchId, long seed, double latencyWeight, String genotype) {
    }

    /** A Spark task: one whole search on the executor's dataset and device; a failure is a trace with the error. */
    static Trace runSearch(SearchTask task, ProxySpec spec, CollectionAccumulator<EpochReport> progress) {
        DartsSearchConfig c = task.search();
        String executor = ExecutorInfo.executorId();
        String host = ExecutorInfo.hostName();
        String device = "";
        try {
            Devices.configureThreads(c.torchThreads());
            Datasets.Split data = Datasets.shared(spec.data()).searchHalves(); // validation: for the proxies only
            Device d = ExecutorInfo.device();
            device = ExecutorInfo.deviceName(d);
            try (DartsSearch search = new DartsSearch(c, data, d, Optional.ofNullable(task.latency()))) {
                return new Trace(task.searchId(), c.seed(), task.latencyWeight(), search.run(e -> progress.add(new EpochReport(task.searchId(),
                        e.epoch(), Map.of(Metrics.TRAIN_LOSS, e.trainLoss(), Metrics.VAL_LOSS, e.validationLoss(),
                        Metrics.VAL_ACCURACY, e.validationAccuracy())))), "", device,
                        executor, host);
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            return new Trace(task.searchId(), c.seed(), task.latencyWeight(), List.of(),
                    e.getClass().getSimpleName() + ": " + e.getMessage(), device, executor, host);
        }
    }

    static void commit(Sweep sweep, DartsConfig cfg, List<Trace> traces) {
        List<Row> epochs = new ArrayList<>();
        List<Row> alphas = new ArrayList<>();
        for (Trace t : traces) {
            if (!t.error().isEmpty()) {
                epochs.add(epochRow(cfg, t).set("epoch", 0).set("status", "FAILED").set("error", t.error()).build());
                continue;
            }
            for (DartsSearch.Epoch e : t.epochs()) {
                epochs.add(epochRow(cfg, t).set("epoch", e.epoch()).set("status", "OK").set("error", "")
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
                addAlphas(cfg, alphas, t.searchId(), e.epoch(), "normal", e.alphaNormal());
                addAlphas(cfg, alphas, t.searchId(), e.epoch(), "reduce", e.alphaReduce());
            }
        }
        if (!sweep.isCommitted(DartsSweep.ALPHAS)) { // a run killed between the two commits searched again: its alphas stand
            sweep.commit(DartsSweep.ALPHAS, 0, alphas, ALPHAS);
        }
        sweep.commit(DartsSweep.EPOCHS, 0, epochs, EPOCHS); // last: its presence marks the phase done
    }

    /** The columns of an epoch row that every epoch of a search shares. */
    private static RowBuilder epochRow(DartsConfig cfg, Trace t) {
        return RowBuilder.of(EPOCHS).set("sweep_id", cfg.name()).set("search_id", t.searchId())
                .set("seed", t.seed()).set("order", cfg.search().architect().order())
                .set("max_skips", cfg.search().maxSkips()).set("executor", t.executor()).set("host", t.host())
                .set(Metrics.LATENCY_WEIGHT, Double.isNaN(t.latencyWeight()) ? null : t.latencyWeight());
    }

    private static void addAlphas(DartsConfig cfg, List<Row> rows, String searchId, int epoch, String cell, double[][] alpha) {
        double[][] w = DartsSearch.softmax(alpha);
        List<Operation> ops = cfg.search().ops();
        int edge = 0;
        for (int node = 0; node < cfg.search().nodes(); node++) {
            for (int input = 0; input < node + 2; input++) {
                for (int k = 0; k < ops.size(); k++) {
                    rows.add(RowBuilder.of(ALPHAS).set("sweep_id", cfg.name())
                            .set("search_id", searchId).set("epoch", epoch).set("cell", cell).set("edge", edge)
                            .set("node", node + 2).set("input", input).set("op", ops.get(k).text())
                            .set("alpha", alpha[edge][k]).set("weight", w[edge][k]).build());
                }
                edge++;
            }
        }
    }

    static List<Final> committedFinals(ResultStore store) {
        org.apache.spark.sql.Dataset<Row> epochs = store.read(DartsSweep.EPOCHS);
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
}

package io.sparknas.estimators.tabular;

import io.sparknas.space.Metrics;
import io.sparknas.estimators.Estimator;
import io.sparknas.estimators.EvaluationContext;
import io.sparknas.estimators.data.Nb201Table;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.cost.Cost;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201CostModel;
import io.sparknas.space.nb201.Nb201NetworkConfig;

import java.util.Map;
import java.util.TreeMap;

/**
 * Evaluates NAS-Bench-201 cells by table look-up, so strategies can be studied in milliseconds: the signal
 * is the {@code signalColumn} (e.g. {@code cifar10-val}) as a fraction, the {@code reportColumn}
 * (e.g. {@code cifar10-test}) is reported as {@code test_accuracy} and never shown to the strategy.
 *
 * <p>Simulated cost: {@code train_seconds} = epochs x 50,000 images x 3 (forward + backward) x 2 x MACs of the
 * benchmark skeleton / 1e12 FLOP/s, a deterministic stand-in for training time on a 1-TFLOP/s device.
 */
public final class TabularEstimator implements Estimator {
    private static final Nb201NetworkConfig SKELETON = Nb201NetworkConfig.benchmark();

    private final Nb201Table table;
    private final int signal;
    private final int report;
    private final int epochs;

    public TabularEstimator(Nb201Table table, String signalColumn, String reportColumn, int epochs) {
        this.table = table;
        this.signal = table.column(signalColumn);
        this.report = table.column(reportColumn);
        if (epochs <= 0) {
            throw new IllegalArgumentException("epochs must be positive, got " + epochs);
        }
        this.epochs = epochs;
    }

    /** A look-up: the context's device, listener and cancellation do not apply, and there is no model to save. */
    @Override
    public Evaluation evaluate(Candidate candidate, EvaluationContext context) {
        long start = System.currentTimeMillis();
        Nb201Cell cell;
        try {
            cell = Nb201Cell.parse(candidate.genotype());
        } catch (IllegalArgumentException e) {
            return Evaluation.failed(candidate, e.getMessage(), Map.of(), "table", start, System.currentTimeMillis());
        }
        if (!table.contains(cell)) {
            return Evaluation.failed(candidate, "cell " + cell.text() + " is not in " + table.source(), Map.of(),
                    "table", start, System.currentTimeMillis());
        }
        Cost cost = Nb201CostModel.of(cell, SKELETON);
        Map<String, Double> metrics = new TreeMap<>();
        metrics.put(Metrics.TEST_ACCURACY, table.value(cell, report) / 100.0);
        metrics.put(Metrics.PARAMS, (double) cost.params());
        metrics.put(Metrics.FLOPS, (double) cost.flops());
        metrics.put("arch_index", (double) table.archIndex(cell));
        metrics.put(Metrics.TRAIN_SECONDS, epochs * 50_000.0 * 3 * 2 * cost.flops() / 1e12);
        return Evaluation.ok(candidate, table.value(cell, signal) / 100.0, metrics, "table", start,
                System.currentTimeMillis());
    }
}

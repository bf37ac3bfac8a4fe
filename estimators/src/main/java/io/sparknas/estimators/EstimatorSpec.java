package io.sparknas.estimators;

import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.proxy.ProxyConfig;
import io.sparknas.estimators.proxy.ProxyTrainingEstimator;
import io.sparknas.estimators.tabular.Nb201Table;
import io.sparknas.estimators.tabular.TabularEstimator;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How to build an estimator, as a small serialisable value that travels to executors; each executor JVM builds
 * the estimator once from it (see the pipeline's executor cache).
 *
 * @param kind    {@code proxy} (DJL proxy training) or {@code tabular} (NAS-Bench-201 table look-up)
 * @param proxy   proxy-training budget (kind proxy)
 * @param data    dataset and subset (kind proxy)
 * @param table   path of the NAS-Bench-201 CSV (kind tabular), readable on every executor
 * @param signal  table column used as the search signal, e.g. {@code cifar10-val}
 * @param report  table column reported as test accuracy, e.g. {@code cifar10-test}
 */
public record EstimatorSpec(String kind, ProxyConfig proxy, DataConfig data, String table, String signal,
                            String report) implements Serializable {
    public static final List<String> KINDS = List.of("proxy", "tabular");

    public EstimatorSpec {
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("estimator.kind must be one of " + KINDS + ", got '" + kind + "'");
        }
        if (kind.equals("proxy") && (proxy == null || data == null)) {
            throw new IllegalArgumentException("estimator.kind = proxy needs estimator.proxy and estimator.data");
        }
        if (kind.equals("tabular") && (table == null || table.isBlank() || signal == null || report == null)) {
            throw new IllegalArgumentException("estimator.kind = tabular needs estimator.table (a NAS-Bench-201 CSV path), "
                    + "estimator.signal and estimator.report");
        }
    }

    public static EstimatorSpec proxy(ProxyConfig proxy, DataConfig data) {
        return new EstimatorSpec("proxy", proxy, data, null, null, null);
    }

    public static EstimatorSpec tabular(String table, String signal, String report) {
        return new EstimatorSpec("tabular", null, null, table, signal, report);
    }

    /** Builds the estimator: loads the dataset or table and, for proxy training, starts DJL on {@code gpu} or the CPU. */
    public Estimator create(Optional<String> gpu) {
        if (kind.equals("tabular")) {
            return new TabularEstimator(Nb201Table.load(Path.of(table)), signal, report, 12);
        }
        Devices.configureThreads(proxy.torchThreads());
        return new ProxyTrainingEstimator(proxy, Datasets.load(data), Devices.choose(gpu));
    }
}

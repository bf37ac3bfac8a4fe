package io.sparknas.estimators.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.sparknas.estimators.Estimator;
import io.sparknas.estimators.data.Nb201Table;
import io.sparknas.estimators.tabular.TabularEstimator;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * Table look-up ({@code estimator.kind = tabular}): the NAS-Bench-201 table and which of its columns is the search
 * signal and which the reported test accuracy.
 */
@JsonIgnoreProperties({"proxy", "data", "oneshot"})
public record TabularSpec(Table table) implements EstimatorSpec {
    public static final String KIND = "tabular";

    /**
     * @param path   the NAS-Bench-201 CSV (or .csv.gz), readable on every executor
     * @param signal the column used as the search signal, e.g. {@code cifar10-val}
     * @param report the column reported as test accuracy, e.g. {@code cifar10-test}
     */
    public record Table(String path, String signal, String report) implements Serializable {
        public Table {
            if (path == null || path.isBlank()) {
                throw new IllegalArgumentException("path must name a NAS-Bench-201 CSV (or .csv.gz) for "
                        + "estimator.kind = tabular");
            }
            if (signal == null || signal.isBlank() || report == null || report.isBlank()) {
                throw new IllegalArgumentException("signal and report must name columns of the table, e.g. "
                        + "cifar10-val and cifar10-test");
            }
        }
    }

    public TabularSpec {
        if (table == null) {
            throw new IllegalArgumentException("estimator.kind = tabular needs estimator.table");
        }
    }

    public static TabularSpec of(String path, String signal, String report) {
        return new TabularSpec(new Table(path, signal, report));
    }

    /**
     * Refuses, before anything runs, a table this machine cannot read or whose signal or report column is missing:
     * the table is loaded and the estimator built once, as an executor would.
     */
    @Override
    public void checkLocal() {
        if (!table.path().contains("://")) {
            check();
        }
    }

    /** Costs of a cell are the benchmark network's (C = 16, 5 cells per stage, 32x32). */
    @Override
    public java.util.Optional<io.sparknas.space.nb201.Nb201NetworkConfig> nb201NetworkShape() {
        return java.util.Optional.of(io.sparknas.space.nb201.Nb201NetworkConfig.benchmark());
    }

    public void check() {
        try (Estimator e = create()) {
            // built: the file reads and the columns exist
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("estimator.table: cannot use " + table.path() + " (" + e.getMessage()
                    + "); point estimator.table.path at a NAS-Bench-201 CSV such as data/nb201/nb201_12ep.csv.gz", e);
        }
    }

    /** NAS-Bench-201 cells only. */
    @Override
    public java.util.List<String> spaces() {
        return java.util.List.of(io.sparknas.space.nb201.Nb201Space.NAME);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Estimator create() {
        return new TabularEstimator(Nb201Table.load(Path.of(table.path())), table.signal(), table.report(), 12);
    }
}

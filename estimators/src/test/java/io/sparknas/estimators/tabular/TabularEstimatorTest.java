package io.sparknas.estimators.tabular;

import io.sparknas.estimators.data.Nb201Table;
import io.sparknas.estimators.EvaluationContext;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201Space;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TabularEstimatorTest {
    static final String A = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|";
    static final String B = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";

    static Path smallTable(Path dir) throws IOException {
        Path csv = dir.resolve("t.csv");
        Files.write(csv, List.of("arch,cellstr,cifar10-test,cifar10-val",
                "0," + A + ",69.55,63.364", "1," + B + ",88.22,82.834"));
        return csv;
    }

    static Candidate candidate(String genotype) {
        Nb201Space space = new Nb201Space();
        Nb201Cell c = Nb201Cell.parse(genotype);
        return new Candidate("c1", "nb201", genotype, space.canonicalKey(c), "random", List.of(), 1);
    }

    @Test
    void looksUpSignalAndReportsTestAccuracySeparately(@TempDir Path dir) throws IOException {
        Nb201Table table = Nb201Table.load(smallTable(dir));
        TabularEstimator est = new TabularEstimator(table, "cifar10-val", "cifar10-test", 12);
        Evaluation e = est.evaluate(candidate(B), EvaluationContext.defaults());
        assertTrue(e.isOk());
        assertEquals(0.82834, e.accuracy(), 1e-12);
        assertEquals(0.8822, e.metric("test_accuracy"), 1e-12);
        assertEquals(1.0, e.metric("arch_index"));
        assertTrue(e.metric("train_seconds") > 0);
    }

    @Test
    void cellsOutsideTheTableAndBadStringsAreFailedRows(@TempDir Path dir) throws IOException {
        TabularEstimator est = new TabularEstimator(Nb201Table.load(smallTable(dir)), "cifar10-val", "cifar10-test", 12);
        Evaluation missing = est.evaluate(candidate(Nb201Cell.fromOrdinal(0).text()), EvaluationContext.defaults());
        assertFalse(missing.isOk());
        assertTrue(missing.error().contains("is not in"), missing.error());
        Candidate bad = new Candidate("c2", "nb201", "|conv~0|", "k", "random", List.of(), 1);
        assertFalse(est.evaluate(bad, EvaluationContext.defaults()).isOk());
    }

    @Test
    void badTablesAndColumnsAreNamed(@TempDir Path dir) throws IOException {
        Nb201Table table = Nb201Table.load(smallTable(dir));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TabularEstimator(table, "cifar100-val", "cifar10-test", 12));
        assertTrue(e.getMessage().contains("no column 'cifar100-val'"), e.getMessage());
        Path broken = dir.resolve("broken.csv");
        Files.write(broken, List.of("arch,cellstr,cifar10-val", "0," + A + ",abc"));
        e = assertThrows(IllegalArgumentException.class, () -> Nb201Table.load(broken));
        assertTrue(e.getMessage().contains("line 2: column 'cifar10-val' is 'abc'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Nb201Table.load(dir.resolve("absent.csv")));
        assertTrue(e.getMessage().contains("table not found"), e.getMessage());
    }

    @Test
    void fullTableLoadsEveryCellAndTheBestValidationCellHasTheKnownTestAccuracy() {
        Nb201Table table = Nb201Table.load(Path.of(System.getProperty("sparknas.data", "../data"), "nb201", "nb201_12ep.csv.gz"));
        assertEquals(15_625, table.size());
        int val = table.column("cifar10-val");
        int test = table.column("cifar10-test");
        Nb201Cell best = table.all(val).entrySet().stream().max(java.util.Map.Entry.comparingByValue()).orElseThrow().getKey();
        assertEquals(89.03, table.value(best, test), 1e-9);
    }
}

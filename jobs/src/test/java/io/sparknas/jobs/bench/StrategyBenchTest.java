package io.sparknas.jobs.bench;

import io.sparknas.estimators.data.Nb201Table;
import io.sparknas.space.nb201.Nb201Cell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The strategy bench runs each strategy on the bundled table and writes picks the table confirms. */
class StrategyBenchTest {
    static final Path TABLE = Path.of("..", "data", "nb201", "nb201_12ep.csv.gz");

    @Test
    void everyPickIsTheBestSignalItsRunSawAndTheTableHoldsItsValues(@TempDir Path dir) throws IOException {
        Path picks = dir.resolve("picks.csv");
        int[] code = new int[1];
        String text = PredictorBenchTest.printed(false, () -> code[0] = new CommandLine(new StrategyBench()).execute(
                "--table", TABLE.toString(), "--strategies", "local,bananas", "--seeds", "3", "--budgets", "12,25",
                "--picks", picks.toString()));
        assertEquals(0, code[0], text);
        assertTrue(text.contains("| bananas |") && text.contains("| local |"), text);
        List<String> rows = Files.readAllLines(picks);
        assertEquals("strategy,budget,seed,cellstr,signal,reported", rows.get(0));
        assertEquals(1 + 2 * 3 * 2, rows.size(), String.join("\n", rows));
        Nb201Table t = Nb201Table.load(TABLE);
        int val = t.column("cifar10-val");
        int test = t.column("cifar10-test");
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",");
            Nb201Cell cell = Nb201Cell.parse(f[3]);
            assertEquals(t.value(cell, val), Double.parseDouble(f[4]), 1e-4, row);
            assertEquals(t.value(cell, test), Double.parseDouble(f[5]), 1e-4, row);
        }
        for (String strategy : List.of("local", "bananas")) { // a larger budget never picks a worse signal
            for (int seed = 0; seed < 3; seed++) {
                String prefix = strategy + ",";
                String s = "," + seed + ",";
                double at12 = rows.stream().filter(r -> r.startsWith(prefix + "12" + s)).mapToDouble(r -> Double
                        .parseDouble(r.split(",")[4])).findFirst().orElseThrow();
                double at25 = rows.stream().filter(r -> r.startsWith(prefix + "25" + s)).mapToDouble(r -> Double
                        .parseDouble(r.split(",")[4])).findFirst().orElseThrow();
                assertTrue(at25 >= at12, strategy + " seed " + seed + ": " + at25 + " after 25, " + at12 + " after 12");
            }
        }
    }
}

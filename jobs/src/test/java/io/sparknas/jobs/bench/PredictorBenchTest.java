package io.sparknas.jobs.bench;

import io.sparknas.jobs.Main;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The predictor bench fits the search's Gaussian process on the bundled table and judges it on held-out cells. */
class PredictorBenchTest {
    static final String TABLE = Path.of("..", "data", "nb201", "nb201_12ep.csv.gz").toString();

    @Test
    void theEncodingsProcessRanksHeldOutCellsAboveChanceOnTheBundledTable() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream before = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new PredictorBench()).execute("--table", TABLE, "--features", "encoding",
                    "--train", "60", "--splits", "3", "--test", "800");
        } finally {
            System.setOut(before);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        List<String> rows = Arrays.stream(text.split("\n")).filter(l -> l.startsWith("| encoding | 60 |")).toList();
        assertEquals(1, rows.size(), text);
        double rho = Double.parseDouble(rows.get(0).split("\\|")[3].strip().split(" ")[0]);
        assertTrue(rho > 0.3, "held-out Spearman of the encoding's process: " + rho); // about 0.55 at 60 cells
    }

    @Test
    void proxiesWithoutAScoreSweepAreRefusedInOneLine() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream before = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run("bench-predictor", "--table", TABLE, "--features", "encoding+synflow");
        } finally {
            System.setErr(before);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(code != 0 && text.contains("names proxies [synflow]: give --scores"), text);
    }
}

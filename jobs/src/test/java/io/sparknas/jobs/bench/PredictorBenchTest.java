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

/** The predictor bench fits the search's predictors on the bundled table and judges them on held-out cells. */
class PredictorBenchTest {
    static final String TABLE = Path.of("..", "data", "nb201", "nb201_12ep.csv.gz").toString();

    @Test
    void bothPredictorsOnTheEncodingRankHeldOutCellsAboveChanceOnTheBundledTable() {
        int[] code = new int[1];
        String text = printed(false, () -> code[0] = new CommandLine(new PredictorBench()).execute("--table", TABLE,
                "--features", "encoding", "--train", "60", "--splits", "3", "--test", "800", "--models",
                "gp,ensemble"));
        assertEquals(0, code[0], text);
        for (String model : List.of("Gaussian process", "ensemble, 3 layers")) {
            List<String> rows = Arrays.stream(text.split("\n"))
                    .filter(l -> l.startsWith("| " + model + " | encoding | 60 |")).toList();
            assertEquals(1, rows.size(), text);
            double rho = Double.parseDouble(rows.get(0).split("\\|")[4].strip().split(" ")[0]);
            assertTrue(rho > 0.3, model + ": held-out Spearman on the encoding " + rho); // about 0.55 at 60 cells
        }
    }

    @Test
    void anUnknownPredictorOrNoHiddenLayerIsRefusedInOneLine() {
        int[] code = new int[1];
        String text = printed(true, () -> code[0] = Main.run("bench-predictor", "--table", TABLE, "--models", "mlp"));
        assertTrue(code[0] != 0 && text.contains("--models: unknown predictor 'mlp', give gp and/or ensemble"), text);
        String layers = printed(true, () -> code[0] = Main.run("bench-predictor", "--table", TABLE, "--models",
                "ensemble", "--features", "encoding", "--ensemble-layers", "0"));
        assertTrue(code[0] != 0 && layers.contains("--ensemble-layers must be >= 1, got 0"), layers);
    }

    @Test
    void proxiesWithoutAScoreSweepAreRefusedInOneLine() {
        int[] code = new int[1];
        String text = printed(true, () -> code[0] = Main.run("bench-predictor", "--table", TABLE, "--features",
                "encoding+synflow"));
        assertTrue(code[0] != 0 && text.contains("names proxies [synflow]: give --scores"), text);
    }

    /** What {@code run} prints on standard output (or error). */
    static String printed(boolean err, Runnable run) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream before = err ? System.err : System.out;
        PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        if (err) {
            System.setErr(capture);
        } else {
            System.setOut(capture);
        }
        try {
            run.run();
        } finally {
            if (err) {
                System.setErr(before);
            } else {
                System.setOut(before);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}

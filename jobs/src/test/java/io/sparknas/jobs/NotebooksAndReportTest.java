package io.sparknas.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.pipeline.SparkSessions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The notebooks and the report against real sweeps this test makes: a small proxy-trained evolution sweep, a
 * random-search sweep to compare it with, and a DARTS sweep. Every notebook is executed headless (nbconvert) in the
 * environment of notebooks/requirements.txt ({@code .venv} at the repository root, or $SPARKNAS_PYTHON) and must
 * run without a cell error and leave its figures, non-blank, in the sweep's report folder. The report's counts and
 * ranking are checked against the Parquet files.
 */
class NotebooksAndReportTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static String evolution;
    static String random;
    static String darts;

    private static final String[] TINY = {"--set", "estimator.proxy.epochs=1", "--set", "estimator.proxy.channels=4",
        "--set", "estimator.proxy.latencyRepeats=2", "--set", "estimator.data.trainPerClass=8",
        "--set", "estimator.data.validationPerClass=8", "--set", "estimator.data.resize=8",
        "--set", "export.retrain=false", "--set", "spark.master=local[2]"};

    @BeforeAll
    static void sweeps() {
        assumeTrue(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        evolution = dir.resolve("evolution").toString();
        random = dir.resolve("random").toString();
        darts = dir.resolve("darts").toString();
        for (String[] strategy : new String[][] {{"evolution", evolution}, {"random", random}}) {
            assertEquals(0, Main.run(concat(new String[] {"search", "--conf", "../conf/quickstart.conf",
                "--set", "sweep.output=" + strategy[1], "--set", "strategy.name=" + strategy[0],
                "--set", "search.budget=6", "--set", "search.roundSize=3"}, TINY)));
        }
        assertEquals(0, Main.run(concat(new String[] {"darts", "--conf", "../conf/darts-quickstart.conf",
            "--set", "sweep.output=" + darts, "--set", "darts.epochs=2", "--set", "darts.channels=4",
            "--set", "darts.layers=3", "--set", "darts.nodes=2", "--set", "darts.batchSize=16"}, TINY)));
    }

    @Test
    void everyNotebookRunsHeadlessAndWritesItsFigures() throws Exception {
        String python = python();
        run(python, "search_progress", Map.of("SPARKNAS_SWEEPS", evolution + "," + random));
        run(python, "population", Map.of("SPARKNAS_SWEEP", evolution));
        run(python, "architectures", Map.of("SPARKNAS_SWEEP", evolution));
        for (String fig : List.of("progress", "population", "op_frequencies")) {
            assertFigure(Path.of(evolution, "report", fig + ".png"));
            assertTrue(Files.size(Path.of(evolution, "report", fig + ".svg")) > 1000);
        }
        String darts = run(python, "darts", Map.of("SPARKNAS_SWEEP", NotebooksAndReportTest.darts));
        for (String fig : List.of("darts_alphas", "darts_genotypes")) {
            assertFigure(Path.of(NotebooksAndReportTest.darts, "report", fig + ".png"));
        }
        assertTrue(darts.contains("s1") && darts.contains("s2"), "both searches listed");
        String none = run(python, "darts", Map.of("SPARKNAS_SWEEP", evolution));
        assertTrue(none.contains("has no DARTS data"), "a sweep without DARTS data says so: " + none);
    }

    @Test
    void committedNotebooksCarryNoOutputs() throws IOException {
        try (Stream<Path> files = Files.list(REPO.resolve("notebooks"))) {
            List<Path> notebooks = files.filter(p -> p.toString().endsWith(".ipynb")).toList();
            assertEquals(4, notebooks.size());
            for (Path nb : notebooks) {
                for (JsonNode cell : JSON.readTree(nb.toFile()).path("cells")) {
                    if (cell.path("cell_type").asText().equals("code")) {
                        assertEquals(0, cell.path("outputs").size(), nb + " has outputs");
                        assertTrue(cell.path("execution_count").isNull(), nb + " has execution counts");
                    }
                }
            }
        }
    }

    @Test
    void reportMatchesTheParquetContents() throws IOException {
        String printed = capture(() -> assertEquals(0, Main.run("report", "--sweep", evolution, "--top", "3")));
        String dartsPrinted = capture(() -> assertEquals(0, Main.run("report", "--sweep", darts)));
        SparkSession spark = SparkSessions.create("report-check", "local[1]", Map.of("spark.ui.enabled", "false"));
        try {
            Dataset<Row> c = spark.read().parquet(evolution + "/candidates");
            assertTrue(printed.contains("candidates: " + c.count() + "\n"), printed);
            assertTrue(printed.contains("rounds completed: 2 of 2"), printed);
            assertTrue(printed.contains("by status: " + counts(c, "status") + "\n"), printed);
            assertTrue(printed.contains("by origin: " + counts(c, "origin") + "\n"), printed);
            List<Row> top = c.filter("status = 'OK'").orderBy(org.apache.spark.sql.functions.col("accuracy").desc(),
                    org.apache.spark.sql.functions.col("candidate_id")).limit(3).collectAsList();
            List<String> lines = printed.lines().filter(l -> l.matches("\\s+\\d+\\s+c\\d+.*")).toList();
            assertEquals(3, lines.size(), printed);
            for (int i = 0; i < 3; i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                assertEquals(top.get(i).getAs("candidate_id"), f[1]);
                assertEquals(top.get(i).getAs("canonical_key"), f[2]);
                assertEquals(top.get(i).<Double>getAs("accuracy"), Double.parseDouble(f[3]), 1e-4);
                assertEquals(String.valueOf(top.get(i).<Long>getAs("params")), f[4]);
            }
            assertTrue(dartsPrinted.contains("darts searches: 2 ok, 0 failed; epochs per search: [s1=2, s2=2]"),
                    dartsPrinted);
        } finally {
            spark.stop();
        }
        assertEquals(2, Main.run("report", "--sweep", dir.resolve("nothing-here").toString()), "not a sweep");
    }

    private static String counts(Dataset<Row> c, String column) {
        return c.groupBy(column).count().collectAsList().stream().map(r -> r.getString(0) + "=" + r.getLong(1))
                .sorted().collect(Collectors.joining(" "));
    }

    private static String capture(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    /** The notebook environment's interpreter; the test is skipped, with the command to make it, where it is absent. */
    private static String python() throws Exception {
        String configured = System.getenv("SPARKNAS_PYTHON");
        String python = configured != null ? configured : REPO.resolve(".venv/bin/python").toString();
        boolean ok = new File(python).canExecute() && new ProcessBuilder(python, "-c", "import nbconvert, pandas, "
                + "pyarrow, matplotlib").redirectErrorStream(true).start().waitFor() == 0;
        assumeTrue(ok, "no notebook environment at " + python + "; make it with: python3 -m venv .venv && "
                + ".venv/bin/pip install -r notebooks/requirements.txt");
        return python;
    }

    /** Executes a notebook with nbconvert into a scratch folder; returns the executed notebook's text outputs. */
    private static String run(String python, String notebook, Map<String, String> env) throws Exception {
        Path out = dir.resolve("executed");
        List<String> cmd = new ArrayList<>(List.of(python, "-m", "nbconvert", "--to", "notebook", "--execute",
                "--ExecutePreprocessor.timeout=300", "--output-dir", out.toString(),
                "--output", notebook + "-" + env.values().iterator().next().hashCode(),
                REPO.resolve("notebooks/" + notebook + ".ipynb").toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), notebook + " timed out");
        assertEquals(0, p.exitValue(), notebook + " failed:\n" + log);
        Path executed = out.resolve(notebook + "-" + env.values().iterator().next().hashCode() + ".ipynb");
        StringBuilder text = new StringBuilder();
        for (JsonNode cell : JSON.readTree(executed.toFile()).path("cells")) {
            for (JsonNode o : cell.path("outputs")) {
                assertTrue(!o.path("output_type").asText().equals("error"), notebook + ": " + o);
                o.path("text").forEach(t -> text.append(t.asText()));
                o.path("data").path("text/plain").forEach(t -> text.append(t.asText()));
            }
        }
        return text.toString();
    }

    /** A PNG that exists and is not blank (a drawn figure has many colours). */
    private static void assertFigure(Path png) throws IOException {
        assertTrue(Files.isRegularFile(png), png + " missing");
        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(img != null && img.getWidth() > 200 && img.getHeight() > 150, png + " is not a figure");
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                colours.add(img.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 20, png + " looks empty (" + colours.size() + " colours)");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

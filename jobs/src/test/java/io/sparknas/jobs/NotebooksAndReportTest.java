package io.sparknas.jobs;

import io.sparknas.space.TestData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.pipeline.core.SparkSessions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
    static String dartsLatency;
    static String withFailures;
    static String scale;

    private static final String[] TINY = {"--set", "estimator.proxy.epochs=3", "--set", "estimator.proxy.channels=4",
        "--set", "estimator.proxy.latencyRepeats=2", "--set", "estimator.data.trainPerClass=16",
        "--set", "estimator.data.validationPerClass=8", "--set", "estimator.data.resize=8",
        "--set", "export.retrain=false", "--set", "spark.master=local[2]"};

    @BeforeAll
    static void sweeps() {
        TestData.require(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        evolution = dir.resolve("evolution").toString();
        random = dir.resolve("random").toString();
        darts = dir.resolve("darts").toString();
        for (String[] strategy : new String[][] {{"evolution", evolution}, {"random", random}}) {
            assertEquals(0, Main.run(concat(new String[] {"search", "--conf", "../conf/quickstart.conf",
                "--set", "sweep.output=" + strategy[1], "--set", "strategy.name=" + strategy[0],
                "--set", "search.budget=6", "--set", "search.roundSize=3"}, TINY)));
        }
        withFailures = withFailedRows(dir);
        scale = dir.resolve("scale").toString();
        List<String> scaleArgs = ScaleJobTest.tiny(Path.of(scale));
        scaleArgs.addAll(List.of("--set", "scale.saturation.width=[2]"));
        assertEquals(0, Main.run(scaleArgs.toArray(String[]::new)));
        assertEquals(0, Main.run(concat(new String[] {"darts", "--conf", "../conf/darts-quickstart.conf",
            "--set", "sweep.output=" + darts, "--set", "darts.epochs=2", "--set", "darts.channels=4",
            "--set", "darts.layers=3", "--set", "darts.nodes=2", "--set", "darts.batchSize=16"}, TINY)));
        // latency-aware DARTS: a latency table of the proxy's network (the estimator section TINY sets), then one
        // search per lambda
        String profile = dir.resolve("profile-darts").toString();
        assertEquals(0, Main.run(concat(new String[] {"profile", "--conf", "../conf/profile-darts.conf",
            "--set", "sweep.output=" + profile, "--set", "profile.repeats=3", "--set", "profile.validation=4"}, TINY)));
        dartsLatency = dir.resolve("darts-latency").toString();
        assertEquals(0, Main.run(concat(new String[] {"darts", "--conf", "../conf/darts-latency.conf",
            "--set", "sweep.output=" + dartsLatency, "--set", "darts.latencyTable=" + profile + "/latency_table.csv",
            "--set", "darts.latencyWeights=[0,3]", "--set", "darts.epochs=1", "--set", "darts.channels=4",
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
        assertTrue(darts.contains("not a latency-aware DARTS sweep"), darts);
        String latency = run(python, "darts", Map.of("SPARKNAS_SWEEP", dartsLatency));
        assertFigure(Path.of(dartsLatency, "report", "darts_latency_front.png"));
        assertTrue(latency.contains("latency_pred_ms") && latency.contains("on_front"), latency);
        String none = run(python, "darts", Map.of("SPARKNAS_SWEEP", evolution));
        assertTrue(none.contains("has no DARTS data"), "a sweep without DARTS data says so: " + none);
        String scaling = run(python, "scaling", Map.of("SPARKNAS_SWEEP", scale));
        assertTrue(scaling.contains("chosen coefficients:") && scaling.contains("compound"), scaling);
        for (String fig : List.of("scaling", "scaling_grid", "scaling_saturation")) {
            assertFigure(Path.of(scale, "report", fig + ".png"));
        }
        String notScale = run(python, "scaling", Map.of("SPARKNAS_SWEEP", evolution));
        assertTrue(notScale.contains("is not a scale sweep"), notScale);
    }

    /**
     * With a fixed reference the front's hypervolume is the area the printed front dominates up to (accuracy 0, the
     * given cost), recomputed here from the printed members; a reference for a cost the report has not is refused.
     */
    @Test
    void aFixedHypervolumeReferenceGivesTheAreaTheFrontDominates() {
        double reference = 50;
        String printed = capture(() -> assertEquals(0, Main.run("report", "--sweep", dartsLatency, "--hv-reference",
                "latency_ms_b1=" + reference)));
        java.util.regex.Matcher hv = java.util.regex.Pattern.compile("accuracy against latency_ms_b1: \\d+ of \\d+ "
                + "candidates; hypervolume (\\S+) against the fixed reference \\(accuracy 0, latency_ms_b1 50")
                .matcher(printed);
        assertTrue(hv.find(), printed);
        String section = printed.substring(hv.end());
        List<double[]> front = new ArrayList<>(); // (accuracy, latency), cheapest first as printed
        java.util.regex.Matcher member = java.util.regex.Pattern.compile(
                "(?m)^  \\S+\\s+accuracy (\\S+)  latency_ms_b1 (\\S+)").matcher(section);
        while (member.find() && !section.substring(0, member.start()).contains("pareto front")) {
            front.add(new double[] {Double.parseDouble(member.group(1)), Double.parseDouble(member.group(2))});
        }
        assertTrue(front.size() >= 1, printed);
        double area = 0;
        for (int i = 0; i < front.size(); i++) { // each member dominates up to the next dearer one's cost
            double next = i + 1 < front.size() ? front.get(i + 1)[1] : reference;
            area += front.get(i)[0] * (next - front.get(i)[1]);
        }
        assertEquals(area, Double.parseDouble(hv.group(1)), 1e-3 * area);
        assertEquals(2, Main.run("report", "--sweep", dartsLatency, "--hv-reference", "params=5"));
    }

    /** The figure command's --help is its usage (exit 0), and a path that is not a sweep is one line, exit 1. */
    @Test
    void theReportCommandHasHelpAndRefusesAPathThatIsNotASweepInOneLine() throws Exception {
        String python = python();
        String script = REPO.resolve("notebooks/sparknas_report.py").toString();
        String help = runProcess(List.of(python, script, "--help"), Map.of(), Duration.ofSeconds(60));
        assertTrue(help.startsWith("usage: sparknas-report") && help.contains("exit codes:"), help);
        Process p = new ProcessBuilder(python, script, dir.resolve("no-such-sweep").toString()).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(1, p.waitFor(), out);
        assertEquals(1, out.lines().count(), out);
        assertTrue(out.contains("no-such-sweep is not a sparknas sweep (no sweep.json there)"), out);
    }

    /** A sweep named by a URI is read through pyarrow.fs (file:// here; hdfs:// and s3a:// take the same path). */
    @Test
    void theReportModuleReadsASweepByItsUriThroughPyarrowFs() throws Exception {
        String python = python();
        String uri = Path.of(evolution).toUri().toString();
        String out = runProcess(List.of(python, "-c", "import sys; sys.path.insert(0, sys.argv[3]); "
                + "import sparknas_report as r; u = sys.argv[1]; df = r.candidates(u); "
                + "print('rows', len(df), 'uri', r.remote(u), 'local', len(r.candidates(r.resolve(sys.argv[2]))))",
                uri, evolution, REPO.resolve("notebooks").toString()), Map.of(), java.time.Duration.ofSeconds(120), dir);
        long rows;
        SparkSession spark = SparkSessions.create("report-uri-check", "local[1]", Map.of("spark.ui.enabled", "false"));
        try {
            rows = spark.read().parquet(evolution + "/candidates").count();
        } finally {
            spark.stop();
        }
        assertTrue(out.contains("rows " + rows + " uri True local " + rows), out);
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
            String latencyPrinted = capture(() -> assertEquals(0, Main.run("report", "--sweep", dartsLatency)));
            assertTrue(latencyPrinted.contains("pareto front, accuracy against latency_ms_b1")
                    && latencyPrinted.contains("lambda "), latencyPrinted);
            // every member of the front is exported with its genotype and drawings, listed in front.csv
            Path frontDir = Path.of(dartsLatency, "export", "front-latency_ms_b1");
            List<String> members = Files.readAllLines(frontDir.resolve("front.csv"));
            assertTrue(members.size() >= 2 && members.get(0).equals("candidate_id,accuracy,latency_ms_b1,"
                    + "latency_weight"), members.toString());
            for (String m : members.subList(1, members.size())) {
                String id = m.split(",")[0];
                assertTrue(latencyPrinted.contains("  " + id), id + " in the report's front: " + latencyPrinted);
                assertTrue(Files.exists(frontDir.resolve(id).resolve("genotype.json")));
                assertTrue(Files.exists(frontDir.resolve(id).resolve("normal.dot")), id);
            }
        } finally {
            spark.stop();
        }
        assertEquals(2, Main.run("report", "--sweep", dir.resolve("nothing-here").toString()), "not a sweep");
    }

    /**
     * A tabular NAS-Bench-201 sweep against a table that lacks most cells: the candidates outside it are FAILED rows,
     * so the report has failures to count and to leave out of its ranking.
     */
    static String withFailedRows(Path dir) {
        try {
            Path partial = dir.resolve("nb201-partial.csv");
            List<String> lines;
            try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(
                    Path.of(System.getProperty("sparknas.data", "../data"), "nb201", "nb201_12ep.csv.gz")))) {
                lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            }
            List<String> kept = new ArrayList<>(List.of(lines.get(0)));
            for (int i = 1; i < lines.size(); i += 3) {
                kept.add(lines.get(i));
            }
            Files.write(partial, kept);
            String out = dir.resolve("with-failures").toString();
            assertEquals(0, Main.run("search", "--conf", "../conf/tabular-nb201.conf", "--set", "sweep.output=" + out,
                    "--set", "estimator.table.path=" + partial, "--set", "search.budget=30", "--set",
                    "strategy.name=random", "--set", "spark.master=local[2]"));
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void reportOfASweepWithFailedRowsMatchesAnIndependentCount() {
        String printed = capture(() -> assertEquals(0, Main.run("report", "--sweep", withFailures, "--top", "5")));
        SparkSession spark = SparkSessions.create("report-check", "local[1]", Map.of("spark.ui.enabled", "false"));
        List<Row> rows;
        try {
            rows = spark.read().parquet(withFailures + "/candidates").collectAsList();
        } finally {
            spark.stop();
        }
        // counted here with plain Java, not with the report's Spark queries
        Map<String, Integer> status = new java.util.TreeMap<>();
        Map<String, Integer> origin = new java.util.TreeMap<>();
        List<Row> ok = new ArrayList<>();
        for (Row r : rows) {
            status.merge(r.getAs("status"), 1, Integer::sum);
            origin.merge(r.getAs("origin"), 1, Integer::sum);
            if ("OK".equals(r.getAs("status"))) {
                ok.add(r);
            }
        }
        assertEquals(30, rows.size());
        assertTrue(status.getOrDefault("FAILED", 0) >= 5 && status.getOrDefault("OK", 0) >= 5,
                "the sweep has both: " + status);
        ok.sort(java.util.Comparator.comparing((Row r) -> -r.<Double>getAs("accuracy"))
                .thenComparing(r -> r.<String>getAs("candidate_id")));
        assertTrue(printed.contains("candidates: 30\n"), printed);
        assertTrue(printed.contains("by status: FAILED=" + status.get("FAILED") + " OK=" + status.get("OK") + "\n"),
                printed);
        assertTrue(printed.contains("by origin: random=" + origin.get("random") + "\n"), printed);
        List<String> listed = printed.lines().filter(l -> l.matches("\\s+\\d+\\s+c\\d+.*"))
                .map(l -> l.trim().split("\\s+")[1]).toList();
        assertEquals(ok.subList(0, 5).stream().map(r -> r.<String>getAs("candidate_id")).toList(), listed,
                "the top 5 OK rows, failed rows left out");
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
    static String python() throws Exception {
        String configured = System.getenv("SPARKNAS_PYTHON");
        String python = configured != null ? configured : REPO.resolve(".venv/bin/python").toString();
        boolean ok = new File(python).canExecute() && new ProcessBuilder(python, "-c", "import nbconvert, pandas, "
                + "pyarrow, matplotlib").redirectErrorStream(true).start().waitFor() == 0;
        TestData.require(ok, "no notebook environment at " + python + "; make it with: python3 -m venv .venv && "
                + ".venv/bin/pip install -r notebooks/requirements.txt");
        return python;
    }

    /** Executes a notebook with nbconvert into a scratch folder; returns the executed notebook's text outputs. */
    private static String run(String python, String notebook, Map<String, String> env) throws Exception {
        return execute(python, notebook, env, dir);
    }

    /** {@link #run} with the executed notebook under {@code scratch}. */
    static String execute(String python, String notebook, Map<String, String> env, Path scratch) throws Exception {
        Path out = scratch.resolve("executed");
        List<String> cmd = new ArrayList<>(List.of(python, "-m", "nbconvert", "--to", "notebook", "--execute",
                "--ExecutePreprocessor.timeout=300", "--output-dir", out.toString(),
                "--output", notebook + "-" + env.values().iterator().next().hashCode(),
                REPO.resolve("notebooks/" + notebook + ".ipynb").toString()));
        String log = runProcess(cmd, env, Duration.ofSeconds(600), scratch);
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

    /**
     * Runs a process with its output in a file (so a silent, hung process cannot block the reader), kills it when it
     * outlives {@code timeout} and fails; fails too on a non-zero exit. Returns the output.
     */
    static String runProcess(List<String> cmd, Map<String, String> env, Duration timeout) throws Exception {
        return runProcess(cmd, env, timeout, dir);
    }

    static String runProcess(List<String> cmd, Map<String, String> env, Duration timeout, Path logDir) throws Exception {
        Path log = Files.createTempFile(logDir, "process", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail(cmd.get(cmd.size() - 1) + " timed out after " + timeout + ":\n" + Files.readString(log));
        }
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), cmd.get(cmd.size() - 1) + " failed:\n" + out);
        return out;
    }

    @Test
    void aProcessThatOutlivesItsTimeoutIsKilledAndFails() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> runProcess(List.of("sleep", "60.25"), Map.of(), Duration.ofMillis(500)));
        assertTrue(e.getMessage().startsWith("60.25 timed out after PT0.5S"), e.getMessage());
        assertTrue(ProcessHandle.current().children().noneMatch(c -> c.info().commandLine().orElse("")
                .contains("sleep 60.25")), "the process that timed out was killed, not left running");
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

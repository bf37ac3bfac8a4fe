package io.sparknas.jobs;

import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.estimators.spec.TabularSpec;
import io.sparknas.pipeline.core.LocalSpark;
import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.faults.FaultySpec;
import io.sparknas.pipeline.search.SearchLoop;
import io.sparknas.pipeline.search.SearchMode;
import io.sparknas.pipeline.search.SearchObjective;
import io.sparknas.pipeline.search.SearchSettings;
import io.sparknas.pipeline.search.SpaceConfig;
import io.sparknas.pipeline.search.SweepConfig;
import io.sparknas.strategies.StrategyConfig;
import io.sparknas.pipeline.core.SparkSessions;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A committed Parquet file truncated after the fact (a partial copy, a full disk): the resume stops with one line
 * naming the file and the fix, {@code report} skips it and says so, {@code repair} moves the damaged round and those
 * after it to {@code _quarantine/}, and the next run evaluates them again to exactly the rows they held.
 */
class RepairJobTest {
    private static final String TABLE = Path.of(System.getProperty("sparknas.data", "../data"), "nb201",
            "nb201_12ep.csv.gz").toString();

    static String[] search(Path out) {
        return new String[] {"search", "--conf", "../conf/tabular-nb201.conf", "--set", "sweep.output=" + out,
            "--set", "estimator.table.path=" + TABLE, "--set", "search.budget=40", "--set", "search.roundSize=10",
            "--set", "spark.master=local[2]"};
    }

    @Test
    void aTruncatedPartFileIsReportedRepairedAndReEvaluated(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("s");
        assertEquals(0, Main.run(search(out)));
        List<String> before = rows(out);
        assertEquals(40, before.size());

        Path part;
        try (var files = Files.list(out.resolve("candidates/round=2"))) {
            part = files.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(part);
        Files.write(part, java.util.Arrays.copyOf(bytes, bytes.length / 2));

        Captured resume = capture(() -> Main.run(search(out)));
        assertEquals(2, resume.code(), resume.err() + resume.out());
        assertTrue(resume.err().contains(part.getFileName().toString()) && resume.err().contains("truncated")
                && resume.err().contains("./sparknas repair --sweep"), resume.err());

        Captured report = capture(() -> Main.run("report", "--sweep", out.toString()));
        assertEquals(0, report.code(), report.err());
        assertTrue(report.out().contains("skipped an unreadable file") && report.out().contains("candidates: 30"),
                report.out());

        Captured dry = capture(() -> Main.run("repair", "--sweep", out.toString(), "--dry-run"));
        assertTrue(dry.out().contains("would move round 2"), dry.out());
        assertTrue(Files.exists(part), "a dry run moves nothing");

        Captured repair = capture(() -> Main.run("repair", "--sweep", out.toString()));
        assertEquals(0, repair.code(), repair.err());
        assertTrue(repair.out().contains("candidates/round=2") && repair.out().contains("candidates/round=3")
                && repair.out().contains("checkpoints/round=2"), repair.out());
        assertFalse(Files.exists(out.resolve("candidates/round=2")));
        try (var q = Files.walk(out.resolve("_quarantine"))) {
            assertTrue(q.anyMatch(p -> p.endsWith(part.getFileName())), "the damaged file is kept aside");
        }

        assertEquals(0, Main.run(search(out)));
        assertEquals(before, rows(out), "the re-evaluated rounds hold what they held");
        Captured clean = capture(() -> Main.run("repair", "--sweep", out.toString()));
        assertTrue(clean.out().contains("nothing to repair"), clean.out());
    }

    /**
     * One bit flipped inside a committed file's data, its footer intact and its .crc file gone (a copy that carried
     * none, an object store): the page checksums parquet-mr writes find it; a resume stops naming the file, report
     * skips it, repair moves it aside, and the next run evaluates its rounds again to exactly what they held.
     */
    @Test
    void aFlippedBitUnderAnIntactFooterIsFoundByThePageChecksumsAndRepaired(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("s");
        assertEquals(0, Main.run(search(out)));
        List<String> before = rows(out);
        Path part;
        try (var files = Files.list(out.resolve("candidates/round=2"))) {
            part = files.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        long middle;
        try (var reader = org.apache.parquet.hadoop.ParquetFileReader.open(
                org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(part.toUri()),
                        new org.apache.hadoop.conf.Configuration()))) {
            var genotype = reader.getFooter().getBlocks().get(0).getColumns().stream()
                    .filter(c -> c.getPath().toDotString().equals("genotype")).findFirst().orElseThrow();
            middle = genotype.getStartingPos() + genotype.getTotalSize() * 3 / 4; // inside its page's data
        }
        byte[] bytes = Files.readAllBytes(part);
        bytes[(int) middle] ^= 0x10;
        Files.write(part, bytes);
        Files.deleteIfExists(part.resolveSibling("." + part.getFileName() + ".crc"));

        Captured resume = capture(() -> Main.run(search(out)));
        assertEquals(2, resume.code(), resume.err() + resume.out());
        assertTrue(resume.err().contains(part.getFileName().toString()) && resume.err().contains("corrupt")
                && resume.err().contains("./sparknas repair --sweep"), resume.err());
        Captured report = capture(() -> Main.run("report", "--sweep", out.toString()));
        assertTrue(report.out().contains("skipped an unreadable file") && report.out().contains("candidates: 30"),
                report.out());
        assertEquals(0, capture(() -> Main.run("repair", "--sweep", out.toString())).code());
        assertEquals(0, Main.run(search(out)));
        assertEquals(before, rows(out), "the re-evaluated rounds hold what they held");
    }

    /** An asynchronous random search of 12 NAS-Bench-201 cells, one Spark job per candidate (no second try). */
    private static SweepConfig asyncSearch(Path out, EstimatorSpec estimator) {
        return new SweepConfig("retry", out.toString(), new SpaceConfig("nb201", 4, List.of()),
                new StrategyConfig("random", 7, 8, 3, 0.3, true, 4, 200), estimator,
                new SearchSettings(12, 6, 0, SearchMode.ASYNC, 3, 1.0, 1), SearchObjective.NONE);
    }

    /** Each told candidate as id, genotype, status and accuracy, in id order. */
    private static List<String> told(ResultStore store) {
        return store.readTold(0).stream().map(t -> t.evaluation().candidate().id() + " "
                + t.evaluation().candidate().genotype() + " " + t.evaluation().status() + " "
                + t.evaluation().accuracy()).sorted().toList();
    }

    /**
     * A candidate failed by its environment (its first Spark job fails, as when its executor is lost, and
     * search.maxAttempts = 1) is a FAILED row of a finished, compacted asynchronous search. repair --retry-failed
     * --where moves the compacted file aside and puts back the tells before the failed one; the next run evaluates
     * that candidate and the later ones again, and the sweep ends as a run that never failed.
     */
    @Test
    void aCandidateFailedByItsEnvironmentIsRetriedAndTheSweepEndsAsARunThatNeverFailed(@TempDir Path dir) {
        EstimatorSpec table = TabularSpec.of(TABLE, "cifar10-val", "cifar10-test");
        new SearchLoop(LocalSpark.get(), asyncSearch(dir.resolve("clean"), table), s -> { }).run();
        List<String> clean = told(new ResultStore(LocalSpark.get(), dir.resolve("clean").toString()));

        Path out = dir.resolve("retry");
        SweepConfig faulty = asyncSearch(out, FaultySpec.of(table).failingFirstJobOf(java.util.Set.of("c000004")));
        assertEquals(1, new SearchLoop(LocalSpark.get(), faulty, s -> { }).run().counts().failed());
        ResultStore store = new ResultStore(LocalSpark.get(), out.toString());
        int failedSeq = store.readTold(0).stream().filter(t -> !t.evaluation().isOk()).findFirst().orElseThrow()
                .tellSeq();

        Captured other = capture(() -> new FailedRetry(store, java.util.Optional.of("executor-lost")).retry(false));
        assertTrue(other.out().contains("no FAILED candidate whose error matches 'executor-lost'"), other.out());
        assertEquals(12, store.readTold(0).size(), "a filter that matches nothing moves nothing");

        Captured retry = capture(() -> new FailedRetry(store, java.util.Optional.of("first Spark job")).retry(false));
        assertEquals(0, retry.code(), retry.err());
        assertTrue(retry.out().contains("c000004") && retry.out().contains("stay"), retry.out());
        assertEquals(failedSeq, store.readTold(0).size(), "the tells before the failed one stay");

        SearchLoop.Result resumed = new SearchLoop(LocalSpark.get(), faulty, s -> { }).run();
        assertEquals(0, resumed.counts().failed());
        assertEquals(clean, told(store), "the same candidates and accuracies as a run that never failed");

        for (String where : List.of("executor-lost", "error~(")) { // one line each, exit 2, nothing moved
            Captured bad = capture(() -> Main.run("repair", "--sweep", out.toString(), "--retry-failed", "--where",
                    where));
            assertEquals(2, bad.code(), bad.out());
            assertTrue(bad.err().startsWith("sparknas repair: --where " + where + ": ")
                    && bad.err().strip().lines().count() == 1, bad.err());
        }
        assertEquals(clean, told(new ResultStore(LocalSpark.get(), out.toString())));
    }

    private static List<String> rows(Path sweep) {
        SparkSession spark = SparkSessions.create("repair-check", "local[1]", Map.of("spark.ui.enabled", "false"));
        try {
            List<String> out = new ArrayList<>();
            for (Row r : new ResultStore(spark, sweep.toString()).candidates().orderBy("candidate_id").collectAsList()) {
                out.add(r.getAs("round") + " " + r.getAs("candidate_id") + " " + r.getAs("genotype") + " "
                        + r.getAs("accuracy"));
            }
            return out;
        } finally {
            spark.stop();
        }
    }

    record Captured(int code, String out, String err) {
    }

    static Captured capture(java.util.function.IntSupplier run) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = run.getAsInt();
            return new Captured(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}

package io.sparknas.jobs;

import io.sparknas.pipeline.core.ResultStore;
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

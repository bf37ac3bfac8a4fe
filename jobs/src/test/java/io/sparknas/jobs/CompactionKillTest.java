package io.sparknas.jobs;

import io.sparknas.pipeline.core.SweepLease;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The driver dies inside the compaction that ends an asynchronous sweep (its 36 one-file tells merged into one file):
 * halted by the file system itself at the step where a crash is worst ({@link CrashingLocalFileSystem}): before the
 * compacted copy takes the round's place (the round exists only aside), or before the aside copy is deleted. The
 * next run puts the round back (or keeps the compacted one), and the sweep ends with the rows of one never killed.
 */
class CompactionKillTest {

    @Test
    void killedBeforeTheCompactedRoundTakesItsPlaceTheNextRunPutsTheRoundBack(@TempDir Path dir) throws Exception {
        killWhileCompactingThenResume("move", dir);
    }

    @Test
    void killedBeforeTheAsideCopyIsDeletedTheNextRunKeepsTheCompactedRound(@TempDir Path dir) throws Exception {
        killWhileCompactingThenResume("delete", dir);
    }

    private static void killWhileCompactingThenResume(String crashAt, Path dir) throws Exception {
        Path whole = dir.resolve("whole");
        assertEquals(0, Main.run(DriverKillTest.args(whole, "async").toArray(String[]::new)));
        Path out = dir.resolve("crashed");
        List<String> crashing = new ArrayList<>(DriverKillTest.args(out, "async"));
        crashing.addAll(List.of("--set", "spark.conf.\"spark.hadoop.fs.file.impl\"=\""
                + CrashingLocalFileSystem.class.getName() + "\"", "--set", "spark.conf.\"spark.hadoop.fs.file.impl"
                + ".disable.cache\"=true", "--set", "spark.conf.\"spark.hadoop.sparknas.test.crashAt\"=" + crashAt));
        Process child = DriverKillTest.startChild(crashing);
        List<String> said = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            r.lines().forEach(said::add);
        }
        assertTrue(child.waitFor(300, TimeUnit.SECONDS));
        assertEquals(CrashingLocalFileSystem.HALTED, child.exitValue(), "halted inside the compaction: " + said);

        Path round = out.resolve("candidates/round=0");
        List<Path> aside = staged(out);
        assertEquals(1, aside.size(), "the round renamed aside: " + aside);
        if (crashAt.equals("move")) {
            assertTrue(!Files.exists(round), "halted with the round only in its aside copy");
        } else {
            assertEquals(1, parquetFiles(round).size(), "halted with the compacted round in place");
        }
        assertEquals(36, parquetFiles(aside.get(0)).size(), "the aside copy holds every tell");

        Files.deleteIfExists(Path.of(SweepLease.pathOf(out.toString()))); // an operator after kill -9
        RepairJobTest.Captured resumed = RepairJobTest.capture(() -> Main.run(DriverKillTest.args(out, "async")
                .toArray(String[]::new)));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resuming asynchronous sweep nb201-evolution: 36 of 36 candidates told"),
                "every committed tell is found again, none evaluated twice: " + resumed.out());
        assertEquals(DriverKillTest.rows(whole), DriverKillTest.rows(out), "the rows of the sweep never killed");
        assertEquals(1, parquetFiles(round).size(), "compacted");
        assertEquals(List.of(), staged(out), "no aside copy left");
    }

    /** The asides of compacted rounds under the sweep's staging folder. */
    private static List<Path> staged(Path sweep) throws Exception {
        Path staging = sweep.resolve("_staging");
        if (!Files.isDirectory(staging)) {
            return List.of();
        }
        try (var files = Files.list(staging)) {
            return files.filter(f -> f.getFileName().toString().startsWith("compacted-candidates-round=0-")).toList();
        }
    }

    private static List<Path> parquetFiles(Path folder) throws Exception {
        try (var files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".parquet")).toList();
        }
    }
}

package io.sparknas.jobs;

import io.sparknas.pipeline.core.SweepLease;
import org.junit.jupiter.api.BeforeAll;
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
    @TempDir
    static Path shared;
    /** The rows of the same sweep never killed (tabular: the same every run), made once for the three tests. */
    static List<String> unbroken;

    @BeforeAll
    static void unbrokenSweep() {
        Path whole = shared.resolve("whole");
        assertEquals(0, Main.run(DriverKillTest.args(whole, "async").toArray(String[]::new)));
        unbroken = DriverKillTest.rows(whole);
    }

    @Test
    void killedBeforeTheCompactedRoundTakesItsPlaceTheNextRunPutsTheRoundBack(@TempDir Path dir) throws Exception {
        killWhileCompactingThenResume("move", dir);
    }

    @Test
    void killedBeforeTheAsideCopyIsDeletedTheNextRunKeepsTheCompactedRound(@TempDir Path dir) throws Exception {
        killWhileCompactingThenResume("delete", dir);
    }

    /**
     * The owner frozen (SIGSTOP) between its last check of the lease and the rename that puts its compacted copy in
     * place, past the stale period; a run takes the sweep over and finishes it; the owner, woken, finds its staged
     * copy fenced, commits nothing and says why; the sweep keeps the rows of one never stopped.
     */
    @Test
    void anOwnerFrozenInsideItsCompactionAndTakenOverChangesNothingWhenItWakes(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("frozen");
        Path thaw = dir.resolve("thaw");
        Process owner = DriverKillTest.startChild(crashing(out, "freeze", "--set",
                "spark.conf.\"spark.hadoop.sparknas.test.thawFile\"=\"" + thaw + "\""));
        List<String> said = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(owner.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null && !line.equals(CrashingLocalFileSystem.FROZEN)) {
                said.add(line);
            }
            assertEquals(CrashingLocalFileSystem.FROZEN, line, "the owner reached its compaction: " + said);
            DriverKillTest.signal("-STOP", owner);
            try (var leaseFiles = Files.list(dir)) { // frozen past the stale period, by the store's clock
                for (Path f : leaseFiles.filter(f -> f.getFileName().toString().contains(".lease")).toList()) {
                    Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.from(
                            java.time.Instant.now().minusSeconds(120)));
                }
            }
            List<String> takeOver = new ArrayList<>(DriverKillTest.args(out, "async"));
            takeOver.add("--take-over");
            RepairJobTest.Captured took = RepairJobTest.capture(() -> Main.run(takeOver.toArray(String[]::new)));
            assertEquals(0, took.code(), took.err());
            assertTrue(took.out().contains("36 of 36 candidates told"), "nothing evaluated again: " + took.out());
            List<String> finished = DriverKillTest.rows(out);
            assertEquals(unbroken, finished, "the rows of the sweep never stopped");

            Files.createFile(thaw);
            DriverKillTest.signal("-CONT", owner);
            while ((line = r.readLine()) != null) {
                said.add(line);
            }
            assertTrue(owner.waitFor(120, TimeUnit.SECONDS));
            assertTrue(owner.exitValue() != 0, "the woken owner does not exit 0: " + said);
            assertTrue(said.stream().anyMatch(l -> l.contains("this run lost its lease")), String.join("\n", said));
            assertEquals(finished, DriverKillTest.rows(out), "the woken owner changed nothing");
            assertEquals(1, parquetFiles(out.resolve("candidates/round=0")).size(), "one compacted file");
            assertEquals(List.of(), staged(out), "no aside copy left");
        } finally {
            owner.destroyForcibly();
        }
    }

    /** The sweep's arguments with the file system that stops at {@code crashAt}. */
    private static List<String> crashing(Path out, String crashAt, String... more) {
        List<String> a = new ArrayList<>(DriverKillTest.args(out, "async"));
        a.addAll(List.of("--set", "spark.conf.\"spark.hadoop.fs.file.impl\"=\""
                + CrashingLocalFileSystem.class.getName() + "\"", "--set", "spark.conf.\"spark.hadoop.fs.file.impl"
                + ".disable.cache\"=true", "--set", "spark.conf.\"spark.hadoop.sparknas.test.crashAt\"=" + crashAt));
        a.addAll(List.of(more));
        return a;
    }

    private static void killWhileCompactingThenResume(String crashAt, Path dir) throws Exception {
        Path out = dir.resolve("crashed");
        Process child = DriverKillTest.startChild(crashing(out, crashAt));
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
        assertEquals(unbroken, DriverKillTest.rows(out), "the rows of the sweep never killed");
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

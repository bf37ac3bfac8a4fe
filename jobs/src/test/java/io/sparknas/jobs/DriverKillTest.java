package io.sparknas.jobs;

import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.core.SparkSessions;
import io.sparknas.pipeline.core.SweepLease;
import io.sparknas.space.SeededRandom;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The driver killed with SIGKILL ({@code kill -9}) at three random points of a sweep run as a child process, then
 * resumed: in rounds mode the resumed sweep has exactly the uninterrupted sweep's candidates and accuracies; in async
 * mode no candidate appears twice and every row committed before a kill is kept. SIGTERM instead: nothing false is
 * committed and the same command resumes (after a lost tell, once repair moved the tells after it aside).
 */
class DriverKillTest {
    private static final String TABLE = Path.of(System.getProperty("sparknas.data", "../data"), "nb201",
            "nb201_12ep.csv.gz").toAbsolutePath().normalize().toString();

    static List<String> args(Path out, String mode) {
        return List.of("search", "--conf", "../conf/tabular-nb201.conf", "--set", "sweep.output=" + out,
                "--set", "estimator.table.path=" + TABLE, "--set", "search.budget=36", "--set", "search.roundSize=4",
                "--set", "search.mode=" + mode, "--set", "search.inFlight=3", "--set", "spark.master=local[2]");
    }

    /**
     * Runs the job in a child JVM; with {@code killAtLine} > 0 kills it with SIGKILL once it printed that many
     * progress lines (round or told lines). Returns whether it was killed.
     */
    static boolean runChild(List<String> jobArgs, int killAtLine) throws Exception {
        return runChild(jobArgs, killAtLine, false).signalled();
    }

    /** What a child run printed, its exit code, and whether it was signalled. */
    record Child(boolean signalled, int exitCode, List<String> output) {
    }

    /**
     * Runs the job in a child JVM; with {@code signalAtLine} > 0 signals it once it printed that many progress lines:
     * SIGTERM when {@code term} (Spark's shutdown hooks and ours run, as on {@code yarn application -kill} or a pod
     * eviction), else SIGKILL (nothing runs). An unsignalled run must exit 0.
     */
    static Child runChild(List<String> jobArgs, int signalAtLine, boolean term) throws Exception {
        Process p = startChild(jobArgs);
        int lines = 0;
        List<String> output = new ArrayList<>();
        boolean signalled = false;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                output.add(line);
                if (!signalled && (line.startsWith("round ") || line.startsWith("told "))) {
                    lines++;
                    if (signalAtLine > 0 && lines == signalAtLine) {
                        signalled = true;
                        if (term) {
                            p.toHandle().destroy(); // SIGTERM (Process.destroy would close the output we still read)
                        } else {
                            p.destroyForcibly(); // SIGKILL: no shutdown hook, no finally, the lease left behind
                            p.waitFor(60, TimeUnit.SECONDS);
                            return new Child(true, p.exitValue(), output);
                        }
                    }
                }
            }
        }
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        if (!signalled) {
            assertEquals(0, p.exitValue(), "the child run failed: " + String.join(" ", jobArgs) + "\n"
                    + String.join("\n", output));
        }
        return new Child(signalled, p.exitValue(), output);
    }

    /** The job in a child JVM of this test's classpath, its stderr merged into its stdout. */
    static Process startChild(List<String> jobArgs) throws java.io.IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+IgnoreUnrecognizedVMOptions", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
                "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
                "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
                "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED", "-Dai.djl.offline=true", "-Xmx1g"));
        cmd.addAll(TestJvms.flags());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(jobArgs);
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** Kills at three random progress lines, then runs to the end; returns the rows committed before each kill. */
    static List<List<String>> killThreeTimesThenFinish(Path out, String mode, long seed) throws Exception {
        SeededRandom rng = new SeededRandom(seed);
        List<List<String>> committedAtKills = new ArrayList<>();
        for (int kill = 0; kill < 3; kill++) {
            int at = 1 + rng.nextInt(3);
            if (runChild(args(out, mode), at)) {
                Files.deleteIfExists(Path.of(SweepLease.pathOf(out.toString()))); // an operator after kill -9
                committedAtKills.add(rows(out));
            }
        }
        runChild(args(out, mode), 0);
        return committedAtKills;
    }

    @Test
    void aRoundsSweepKilledThreeTimesResumesToExactlyTheUninterruptedSweep(@TempDir Path dir) throws Exception {
        Path whole = dir.resolve("whole");
        assertEquals(0, Main.run(args(whole, "rounds").toArray(String[]::new)));
        Path killed = dir.resolve("killed");
        List<List<String>> atKills = killThreeTimesThenFinish(killed, "rounds", 11);
        assertEquals(3, atKills.size(), "three kills happened");
        assertTrue(atKills.get(2).size() < 36, "the last kill was before the end");
        assertEquals(rows(whole), rows(killed));
    }

    @Test
    void anAsyncSweepKilledThreeTimesKeepsEveryCommittedRowAndNoCandidateTwice(@TempDir Path dir) throws Exception {
        Path killed = dir.resolve("killed");
        List<List<String>> atKills = killThreeTimesThenFinish(killed, "async", 12);
        assertEquals(3, atKills.size(), "three kills happened");
        List<String> end = rows(killed);
        assertEquals(36, end.size());
        for (List<String> before : atKills) {
            assertTrue(end.containsAll(before), "rows committed before a kill are kept");
        }
        Set<String> ids = new HashSet<>();
        for (String r : end) {
            assertTrue(ids.add(r.split(" ")[1]), "no candidate twice: " + r);
        }
    }

    /**
     * SIGTERM mid-sweep (what {@code yarn application -kill} or a pod eviction sends the driver): the run stops, keeps
     * what it committed and releases its lease; the same command resumes without {@code --take-over} and ends with
     * every candidate once and not one FAILED row (the candidates running at the signal are no result at all). A tell
     * lost before that resume is refused with a pointer to repair, which moves the later tells aside.
     */
    @Test
    void anAsyncSweepStoppedBySigtermCommitsNoFalseFailureAndTheSameCommandResumes(@TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("terminated");
        Child stopped = runChild(args(out, "async"), 6, true);
        assertTrue(stopped.signalled(), "the run was still going at its 6th told line: " + stopped.output());
        assertTrue(stopped.exitCode() != 0, "a stopped run does not exit 0");
        List<String> before = rows(out);
        assertTrue(before.size() >= 6 && before.size() < 36, "stopped mid-sweep: " + before.size() + " committed");
        assertTrue(before.stream().noneMatch(r -> r.contains(" FAILED ")), "no false failure committed: " + before);
        assertTrue(!Files.exists(Path.of(SweepLease.pathOf(out.toString()))), "SIGTERM released the lease");
        assertTrue(stopped.output().stream().anyMatch(l -> l.startsWith("error: Spark was shut down while candidates "
                + "ran") && l.endsWith("the same command resumes")), "the stop says what it kept, in one line");

        // then a tell lost (deleted by hand, a partial copy): the resume refuses and names repair, which moves the
        // later tells aside; the resume evaluates them again, to the same rows
        Files.delete(out.resolve("candidates/round=0/tell-00000002.parquet"));
        Files.deleteIfExists(out.resolve("candidates/round=0/.tell-00000002.parquet.crc"));
        RepairJobTest.Captured refused = RepairJobTest.capture(() -> Main.run(args(out, "async")
                .toArray(String[]::new)));
        assertEquals(2, refused.code(), refused.out());
        assertTrue(refused.err().contains("lacks tell 2") && refused.err().contains("./sparknas repair --sweep"),
                refused.err());
        RepairJobTest.Captured repaired = RepairJobTest.capture(() -> Main.run("repair", "--sweep", out.toString()));
        assertEquals(0, repaired.code(), repaired.err());
        assertTrue(repaired.out().contains("tell 2 of the asynchronous search is missing"), repaired.out());
        assertEquals(2, rows(out).size(), "tells 0 and 1 stay");

        runChild(args(out, "async"), 0, false); // the same command, no --take-over
        List<String> end = rows(out);
        assertEquals(36, end.size());
        assertTrue(end.containsAll(before), "the rows committed before the signal are kept or evaluated again alike");
        assertTrue(end.stream().noneMatch(r -> r.contains(" FAILED ")), end.toString());
        Set<String> ids = new HashSet<>();
        end.forEach(r -> assertTrue(ids.add(r.split(" ")[1]), "no candidate twice: " + r));
    }

    /**
     * The owner frozen by SIGSTOP (what a long GC pause, a suspended VM or a partitioned node does) past the stale
     * period, taken over by a run that finishes the sweep, then woken by SIGCONT: it commits nothing more, even if it
     * was frozen between its check of the lease and its rename, and says why in one line; the sweep holds every
     * candidate once. (Before the staging folder was fenced, one run of two ended with a candidate twice.)
     */
    @Test
    void anOwnerFrozenPastTheStalePeriodAndTakenOverCommitsNothingWhenItWakes(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("frozen");
        Process owner = startChild(args(out, "async"));
        List<String> said = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(owner.getInputStream(),
                StandardCharsets.UTF_8))) {
            int told = 0;
            String line;
            while (told < 6 && (line = r.readLine()) != null) {
                said.add(line);
                told += line.startsWith("told ") ? 1 : 0;
            }
            assertEquals(6, told, "the owner ran: " + said);
            signal("-STOP", owner);
            try (var leaseFiles = Files.list(dir)) { // frozen past the stale period, by the store's clock
                for (Path f : leaseFiles.filter(f -> f.getFileName().toString().contains(".lease")).toList()) {
                    Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.from(
                            java.time.Instant.now().minusSeconds(120)));
                }
            }
            List<String> takeOver = new ArrayList<>(args(out, "async"));
            takeOver.add("--take-over");
            assertEquals(0, Main.run(takeOver.toArray(String[]::new)));
            List<String> finished = rows(out);
            assertEquals(36, finished.size());

            signal("-CONT", owner);
            while ((line = r.readLine()) != null) {
                said.add(line);
            }
            assertTrue(owner.waitFor(120, TimeUnit.SECONDS));
            assertTrue(owner.exitValue() != 0, "the woken owner does not exit 0: " + said);
            assertTrue(said.stream().anyMatch(l -> l.contains("this run lost its lease")), String.join("\n", said));
            List<String> end = rows(out);
            assertEquals(finished, end, "the woken owner committed nothing more");
            Set<String> ids = new HashSet<>();
            end.forEach(row -> assertTrue(ids.add(row.split(" ")[1]), "no candidate twice: " + row));
        } finally {
            owner.destroyForcibly();
        }
    }

    static void signal(String signal, Process p) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", signal, String.valueOf(p.pid())).start().waitFor());
    }

    /** The committed rows (round, id, genotype, seed, status, accuracy), sorted. */
    static List<String> rows(Path sweep) {
        SparkSession spark = SparkSessions.create("kill-check", "local[1]", Map.of("spark.ui.enabled", "false"));
        try {
            List<String> out = new ArrayList<>();
            if (!Files.isDirectory(sweep.resolve("candidates"))) {
                return out;
            }
            for (Row r : new ResultStore(spark, sweep.toString()).candidates().orderBy("candidate_id")
                    .collectAsList()) {
                out.add(r.getAs("round") + " " + r.getAs("candidate_id") + " " + r.getAs("genotype") + " "
                        + r.getAs("seed") + " " + r.getAs("status") + " " + r.getAs("accuracy"));
            }
            return out;
        } finally {
            spark.stop();
        }
    }
}

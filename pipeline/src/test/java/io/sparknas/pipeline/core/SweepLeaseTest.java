package io.sparknas.pipeline.core;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lease excludes (a compare-and-swap take-over) and fences (a run that lost it commits nothing more). */
class SweepLeaseTest {
    private static final Configuration CONF = new Configuration();

    /** A lease left by a killed run: its file, last touched ten minutes ago by the store's clock. */
    static void staleLease(Path out, String token) throws Exception {
        Path lease = Path.of(SweepLease.pathOf(out.toString()));
        Files.writeString(lease, "{\"owner\":\"ada\",\"host\":\"gateway-7\",\"process\":\"4242@gateway-7\",\"run\":\"dead\","
                + "\"generation\":3,\"token\":\"" + token + "\",\"started\":\"2026-11-28T06:00:00Z\"}");
        Files.setLastModifiedTime(lease, FileTime.from(Instant.now().minusSeconds(600)));
    }

    @Test
    void ofTwoRunsTakingOverTheSameStaleLeaseExactlyOneRunsTwentyTimesOutOfTwenty(@TempDir Path dir)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int race = 0; race < 20; race++) {
                Path out = dir.resolve("sweep-" + race);
                staleLease(out, "dead-" + race);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<SweepLease>> runs = new ArrayList<>();
                for (String run : List.of("run-a", "run-b")) {
                    runs.add(pool.submit(() -> {
                        go.await();
                        try {
                            return SweepLease.acquire(out.toString(), CONF, true, run + "-" + Math.random());
                        } catch (SweepLease.Held refused) {
                            return null;
                        }
                    }));
                }
                go.countDown();
                List<SweepLease> owners = new ArrayList<>();
                for (Future<SweepLease> f : runs) {
                    if (f.get() != null) {
                        owners.add(f.get());
                    }
                }
                assertEquals(1, owners.size(), "race " + race + ": exactly one run holds the sweep");
                String lease = Files.readString(Path.of(SweepLease.pathOf(out.toString())));
                assertTrue(lease.contains("\"generation\":4"), "the next generation: " + lease);
                owners.get(0).close();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anOwnerPausedPastTheStalePeriodAndTakenOverCommitsNothingMore(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("sweep");
        FileSystem fs = FileSystem.getLocal(CONF);
        SweepLease paused = SweepLease.acquire(out.toString(), CONF, false, "run-1");
        SweepLease.checkFence(fs, out.toString()); // its own lease: commits go on
        paused.stopBeating(); // SIGSTOP: no heartbeat
        try (var beats = Files.list(dir)) {
            for (Path beat : beats.filter(p -> p.getFileName().toString().contains(".lease")).toList()) {
                Files.setLastModifiedTime(beat, FileTime.from(Instant.now().minusSeconds(120)));
            }
        }
        assertThrows(SweepLease.Held.class, () -> SweepLease.acquire(out.toString(), CONF, false, "run-2"),
                "stale, but taking over needs --take-over");
        SweepLease next = SweepLease.acquire(out.toString(), CONF, true, "run-2");
        // the paused owner resumes and is about to commit (in its own JVM, checkFence asks it): it stops, saying why
        SweepLease.Lost lost = assertThrows(SweepLease.Lost.class, paused::verify);
        assertTrue(lost.getMessage().contains("lost its lease") && lost.getMessage().contains("without committing"),
                lost.getMessage());
        next.verify();
        paused.close(); // never deletes the lease it lost
        assertTrue(Files.exists(Path.of(SweepLease.pathOf(out.toString()))), "the new owner's lease stays");
        next.close();
        assertTrue(!Files.exists(Path.of(SweepLease.pathOf(out.toString()))), "released at the end");
    }

    @Test
    void aFileAsTheSweepsOutputIsRefusedBeforeAnyLeaseIsWritten(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("results.csv");
        java.nio.file.Files.writeString(file, "not a folder\n");
        SweepLease.Held refused = assertThrows(SweepLease.Held.class,
                () -> SweepLease.acquire(file.toString(), CONF, false, "run-1"));
        assertTrue(refused.getMessage().contains("is a file, not a folder"), refused.getMessage());
        assertTrue(!java.nio.file.Files.exists(Path.of(SweepLease.pathOf(file.toString()))), "no lease left");
        assertEquals("not a folder\n", java.nio.file.Files.readString(file));
    }

    @Test
    void theSameApplicationsNextAttemptTakesOverAtOnce(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("sweep");
        SweepLease first = SweepLease.acquire(out.toString(), CONF, false, "application_1700000000000_0042");
        first.stopBeating(); // its application master died; YARN starts attempt 2 at once
        assertThrows(SweepLease.Held.class, () -> SweepLease.acquire(out.toString(), CONF, false, "other-app"));
        SweepLease second = SweepLease.acquire(out.toString(), CONF, false, "application_1700000000000_0042");
        second.close();
    }

    @Test
    void anUnreadableLeaseIsLiveUntilItsFileIsStaleAndEverySpellingOfThePathIsOneLease(@TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("sweep");
        Path lease = Path.of(SweepLease.pathOf(out.toString()));
        Files.writeString(lease, "{\"owner\":"); // cut short while written
        SweepLease.Held live = assertThrows(SweepLease.Held.class, () -> SweepLease.acquire(out.toString(), CONF, true,
                "r"));
        assertTrue(live.getMessage().contains("is being run by an unreadable lease"), live.getMessage());
        Files.setLastModifiedTime(lease, FileTime.from(Instant.now().minusSeconds(600)));
        SweepLease taken = SweepLease.acquire(out.toString(), CONF, true, "r");
        for (String spelling : List.of(out + "/", out + "//", dir + "/./sweep")) {
            assertThrows(SweepLease.Held.class, () -> SweepLease.acquire(spelling, CONF, false, "s"), spelling);
        }
        taken.close();
    }
}

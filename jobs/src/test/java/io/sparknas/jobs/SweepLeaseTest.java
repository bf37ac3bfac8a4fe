package io.sparknas.jobs;

import io.sparknas.pipeline.core.SweepLease;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One run per sweep: a live lease refuses a second run naming its owner; a stale one is taken over on request. */
class SweepLeaseTest {
    static String[] tabular(Path out, String... more) {
        String table = Path.of(System.getProperty("sparknas.data", "../data"), "nb201", "nb201_12ep.csv.gz").toString();
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("search", "--conf",
                "../conf/tabular-nb201.conf", "--set", "sweep.output=" + out, "--set", "estimator.table.path=" + table,
                "--set", "search.budget=4", "--set", "search.roundSize=4", "--set", "spark.master=local[1]"));
        args.addAll(java.util.List.of(more));
        return args.toArray(String[]::new);
    }

    /** A lease of another run whose last sign of life (the file's modification time, the store's clock) was then. */
    static void lease(Path out, Instant heartbeat) throws IOException {
        Path lease = Path.of(SweepLease.pathOf(out.toString()));
        Files.writeString(lease, "{\"owner\":\"ada\",\"host\":\"gateway-7\",\"process\":\"4242@gateway-7\","
                + "\"run\":\"other\",\"generation\":1,\"token\":\"t\",\"started\":\"2026-11-28T06:00:00Z\"}");
        Files.setLastModifiedTime(lease, java.nio.file.attribute.FileTime.from(heartbeat));
    }

    @Test
    void aSecondRunIsRefusedAndAStaleLeaseIsTakenOverOnlyWhenAsked(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("sweep");
        lease(out, Instant.now());
        String refused = DoctorJobTest.runAll(tabular(out));
        assertTrue(refused.startsWith("2\n") && refused.contains("is being run by ada on gateway-7 (process "
                + "4242@gateway-7"), refused);
        assertFalse(Files.exists(out), "nothing written while another run holds the sweep");

        lease(out, Instant.now().minusSeconds(600));
        String stale = DoctorJobTest.runAll(tabular(out));
        assertTrue(stale.startsWith("2\n") && stale.contains("has a stale lease of ada on gateway-7")
                && stale.contains("pass --take-over"), stale);
        assertFalse(Files.exists(out));

        String taken = DoctorJobTest.runAll(tabular(out, "--take-over"));
        assertTrue(taken.startsWith("0\n"), taken);
        assertTrue(Files.isDirectory(out.resolve("candidates")));
        assertFalse(Files.exists(Path.of(SweepLease.pathOf(out.toString()))), "the lease is released at the end");

        String again = DoctorJobTest.runAll(tabular(out));
        assertTrue(again.startsWith("0\n"), "a finished run leaves no lease behind: " + again);
    }
}

package io.sparknas.jobs;

import io.sparknas.space.latency.LatencyPredictor;
import io.sparknas.space.latency.Nb201Ops;
import io.sparknas.space.nb201.Nb201NetworkConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The profile job end to end on local Spark with a tiny NAS-Bench-201 network: its table, its check, its refusals. */
class ProfileJobTest {
    static List<String> tiny(Path out) {
        return new ArrayList<>(List.of("profile", "--conf", "../conf/profile-nb201.conf", "--set", "sweep.output=" + out,
                "--set", "profile.network.channels=4", "--set", "profile.network.cellsPerStage=1",
                "--set", "profile.network.inputSize=8", "--set", "profile.repeats=3", "--set", "profile.warmup=1",
                "--set", "profile.validation=5"));
    }

    @Test
    void aTableIsTimedCheckedAgainstWholeNetworksAndWrittenForReaders(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("profile");
        String printed = DoctorJobTest.run(tiny(out).toArray(String[]::new));
        assertTrue(printed.startsWith("0\n"), printed);
        assertTrue(printed.contains("timed 15 operation instances on "), printed);
        assertTrue(printed.contains("predictor on 5 random networks measured end to end"), printed);
        assertTrue(Files.isDirectory(out.resolve("latency_ops")) && Files.isDirectory(out.resolve("latency_check")));
        LatencyPredictor p = LatencyPredictor.fromCsv(Files.readAllLines(out.resolve("latency_table.csv")), "nb201",
                "csv");
        Nb201NetworkConfig net = new Nb201NetworkConfig(3, 8, 10, 4, 1);
        assertEquals(Nb201Ops.distinct(net).size(), p.table().size());
        // entries are net of the harness's overhead, which never makes one negative (how fast they are is the bench's)
        p.table().values().forEach(ms -> assertTrue(ms >= 0 && Double.isFinite(ms), "no negative entry: " + p.table()));

        // a rerun resumes: nothing is timed again, and the table written is the same
        List<String> table = Files.readAllLines(out.resolve("latency_table.csv"));
        String again = DoctorJobTest.run(tiny(out).toArray(String[]::new));
        assertTrue(again.startsWith("0\n") && again.contains("resuming: the operation instances are timed")
                && again.contains("resuming: the networks are timed") && !again.contains("timed 15 operation"), again);
        assertEquals(table, Files.readAllLines(out.resolve("latency_table.csv")));
        // stopped after the operations: the rerun times the networks only
        try (var files = Files.walk(out.resolve("latency_check"))) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        String partial = DoctorJobTest.run(tiny(out).toArray(String[]::new));
        assertTrue(partial.startsWith("0\n") && partial.contains("resuming: the operation instances are timed")
                && partial.contains("predictor on 5 random networks measured end to end"), partial);
        assertTrue(Files.isDirectory(out.resolve("latency_check")));
    }

    @Test
    void badProfileInputIsRefusedBeforeAnythingIsWritten(@TempDir Path dir) {
        Path out = dir.resolve("never");
        for (String[] b : List.of(new String[] {"profile.repeats=0", "repeats >= 1"},
                new String[] {"profile.network.inputSize=6", "inputSize must be a positive multiple of 4"},
                new String[] {"profile.statistic=mean", "profile.statistic must be one of [p10, median], got 'mean'"},
                new String[] {"profile.predictor=linear", "profile.predictor must be one of [additive, calibrated]"})) {
            List<String> args = tiny(out);
            args.addAll(List.of("--set", b[0]));
            String printed = DoctorJobTest.runAll(args.toArray(String[]::new));
            assertTrue(printed.startsWith("2\n") && printed.contains(b[1]), b[0] + ": " + printed);
            assertFalse(Files.exists(out));
        }
    }
}

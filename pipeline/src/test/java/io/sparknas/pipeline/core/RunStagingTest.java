package io.sparknas.pipeline.core;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fence is the commit's rename: a run whose staging folder the next owner moved aside cannot commit. */
class RunStagingTest {
    private static final Configuration CONF = new Configuration();

    private static Path write(FileSystem fs, Path file, String text) throws IOException {
        try (FSDataOutputStream out = fs.create(file, false)) {
            out.writeBytes(text);
        }
        return file;
    }

    @Test
    void anOwnerPausedBetweenItsLeaseCheckAndItsRenameCommitsNothingOnceTheNextOwnerFencedIt(
            @TempDir java.nio.file.Path dir) throws Exception {
        FileSystem fs = FileSystem.getLocal(CONF);
        Path sweep = fs.makeQualified(new Path(dir.resolve("sweep").toString()));
        Path round = new Path(sweep, "candidates/round=0");
        fs.mkdirs(round);
        RunStaging first = new RunStaging(fs, sweep, 1, UUID.randomUUID().toString());
        Path staged = write(fs, new Path(first.dir(() -> { }), "tell-00000001.parquet"), "first's row");
        assertTrue(first.moveIntoPlace(staged, new Path(round, "tell-00000001.parquet")), "its own commits land");

        Path pending = write(fs, new Path(first.dir(() -> { }), "tell-00000002.parquet"), "first's late row");
        // first checked its lease (still its own) and is paused here; a run takes the sweep over and fences it
        RunStaging next = new RunStaging(fs, sweep, 2, UUID.randomUUID().toString());
        next.fenceOthers();
        Path target = new Path(round, "tell-00000002.parquet");
        assertFalse(first.moveIntoPlace(pending, target), "the paused owner's rename fails: its staged file is gone");
        assertFalse(fs.exists(target));

        // writing again recreates its folder, but not the marker: refused too
        Path again = write(fs, new Path(new Path(sweep, "_staging/" + staged.getParent().getName()),
                "tell-00000002.parquet"), "first's retried row");
        assertFalse(first.moveIntoPlace(again, target), "a recreated folder has no marker");
        assertFalse(fs.exists(target));

        Path mine = write(fs, new Path(next.dir(() -> { }), "tell-00000002.parquet"), "next's row");
        assertTrue(next.moveIntoPlace(mine, target));
        try (var in = fs.open(target)) {
            assertArrayEquals("next's row".getBytes(java.nio.charset.StandardCharsets.UTF_8), in.readAllBytes());
        }
        assertTrue(fs.exists(new Path(round, "tell-00000001.parquet")), "what the first owner committed is kept");
    }

    @Test
    void aFencedOwnerIsToldItLostTheSweepInOneLine(@TempDir java.nio.file.Path dir) throws Exception {
        FileSystem fs = FileSystem.getLocal(CONF);
        String out = dir.resolve("sweep").toString();
        SweepLease paused = SweepLease.acquire(out, CONF, false, "run-1");
        Path staged = write(fs, new Path(SweepLease.stagingDir(fs, out), "x.parquet"), "row");
        paused.stopBeating();
        java.nio.file.Files.setLastModifiedTime(java.nio.file.Path.of(SweepLease.pathOf(out)),
                java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(600)));
        try (var beats = java.nio.file.Files.list(dir)) {
            for (var beat : beats.filter(p -> p.getFileName().toString().contains(".lease.beat-")).toList()) {
                java.nio.file.Files.setLastModifiedTime(beat,
                        java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(600)));
            }
        }
        SweepLease next = SweepLease.acquire(out, CONF, true, "run-2");
        assertFalse(fs.exists(staged), "the take-over moved the earlier run's staged files aside");
        Path target = new Path(out, "candidates/round=0/x.parquet");
        SweepLease.Lost lost = org.junit.jupiter.api.Assertions.assertThrows(SweepLease.Lost.class,
                () -> paused.moveIntoPlace(staged, target));
        assertTrue(lost.getMessage().contains("lost its lease"), lost.getMessage());
        assertFalse(fs.exists(target));
        next.close();
        paused.close();
    }
}

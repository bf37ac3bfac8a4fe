package io.sparknas.pipeline.core;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;

/**
 * Rewrites the data files of one round as one file with the same rows (an asynchronous or fixed stage commits one
 * file per candidate; readers of a finished sweep want one per round), and recovers a compaction a crash interrupted.
 * Never on an object store: its folder renames are copies, so a crash between them could lose the round.
 */
final class Compaction {
    private final ResultStore store;

    Compaction(ResultStore store) {
        this.store = store;
    }


    /**
     * Rewrites the data files of {@code dataset/round=N} as one file, with the same rows: the new folder is written
     * to the run's staging folder, the old one renamed aside ({@code _staging/compacted-*}), the new one renamed into
     * its place (fenced: a run that lost its lease finds its copy gone and puts the old one back), the old one
     * deleted. A reader sees the old files or the new one (between the two renames, briefly, no
     * round; {@link #recover} puts the old one back after a crash there). Returns the files merged (0 when
     * there was nothing to merge).
     */
    int compact(String dataset, int round) {
        SweepLease.checkFence(store.fs(), store.root());
        Path dir = new Path(store.path(dataset) + "/round=" + round);
        try {
            List<FileStatus> files = store.dataFiles(dir);
            if (files.size() < 2 || !AtomicRenames.supported(store.fs())) { // an object store keeps its files
                return 0;
            }
            StructType schema = store.spark().read().parquet(dir.toString()).schema();
            Path staged = new Path(SweepLease.stagingDir(store.fs(), store.root()), "compact-" + UUID.randomUUID());
            store.spark().read().schema(schema).parquet(dir.toString()).coalesce(1).write()
                    .mode(SaveMode.ErrorIfExists).parquet(staged.toString());
            Path aside = new Path(store.stagingPath("compacted-" + dataset + "-round=" + round + "-"
                    + UUID.randomUUID()));
            SweepLease.checkFence(store.fs(), store.root());
            if (!store.fs().rename(dir, aside)) {
                throw new IOException("rename of " + dir + " to " + aside + " failed");
            }
            try { // the fence: the compacted copy is staged in the run's own folder, which a run taking over removes
                SweepLease.moveIntoPlace(store.fs(), store.root(), staged, dir);
            } catch (IOException | RuntimeException e) {
                if (!store.fs().exists(dir)) { // a fenced (or failed) compaction puts the round back
                    store.fs().rename(aside, dir);
                }
                throw e;
            }
            store.fs().delete(aside, true);
            return files.size();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compact " + dir + ": " + e.getMessage(), e);
        }
    }

    /** After a crash inside {@link #compact}: a round renamed aside but not replaced is put back. */
    void recover() {
        Path staging = new Path(store.stagingPath(""));
        try {
            if (!store.fs().exists(staging)) {
                return;
            }
            for (FileStatus f : store.fs().listStatus(staging)) {
                String name = f.getPath().getName();
                if (name.startsWith("compacted-")) {
                    String rest = name.substring("compacted-".length());
                    String dataset = rest.substring(0, rest.indexOf("-round="));
                    // compacted-<dataset>-round=<N>-<36-character UUID>
                    String round = rest.substring(rest.indexOf("-round=") + "-round=".length(), rest.length() - 37);
                    Path dir = new Path(store.path(dataset) + "/round=" + round);
                    if (!store.fs().exists(dir)) {
                        store.fs().rename(f.getPath(), dir);
                    } else {
                        store.fs().delete(f.getPath(), true);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot recover an interrupted compaction under " + staging + ": "
                    + e.getMessage(), e);
        }
    }
}

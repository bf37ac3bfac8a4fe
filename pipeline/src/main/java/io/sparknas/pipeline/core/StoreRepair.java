package io.sparknas.pipeline.core;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Finds a sweep's damaged files (a truncated copy, a full disk, an overwritten footer) and moves what they hold, and
 * what follows them, to {@code _quarantine/<millis>/}: the next run evaluates them again (they are seeded, so they
 * reproduce). Nothing is deleted.
 */
final class StoreRepair {
    private final ResultStore store;

    StoreRepair(ResultStore store) {
        this.store = store;
    }


    /**
     * The committed Parquet files that cannot be read, in dataset and round order: each part file of every
     * {@code <dataset>/round=N/} must begin and end with Parquet's magic, hold a footer that fits (a truncated or
     * overwritten file fails this) and pages whose checksums match. Staging, quarantine and exports are not looked at.
     */
    List<ResultStore.Unreadable> unreadable() {
        List<ResultStore.Unreadable> out = new ArrayList<>();
        try {
            if (!store.fs().exists(new Path(store.root()))) {
                return out;
            }
            FileStatus[] datasets = store.fs().listStatus(new Path(store.root()));
            java.util.Arrays.sort(datasets, Comparator.comparing(d -> d.getPath().getName()));
            for (FileStatus d : datasets) {
                String dataset = d.getPath().getName();
                if (!d.isDirectory() || dataset.startsWith("_") || dataset.startsWith(".")) {
                    continue;
                }
                for (int round : store.committedRounds(dataset)) {
                    for (FileStatus f : store.fs().listStatus(new Path(store.path(dataset) + "/round=" + round))) {
                        String name = f.getPath().getName();
                        if (f.isFile() && name.endsWith(".parquet") && !name.startsWith("_") && !name.startsWith(".")) {
                            String why = parquetProblem(f);
                            if (why != null) {
                                out.add(new ResultStore.Unreadable(dataset, round, f.getPath().toString(), why));
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + store.root() + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Why a Parquet file cannot be read (null if it looks whole): magic bytes and footer length. */
    private String parquetProblem(FileStatus f) throws IOException {
        long n = f.getLen();
        if (n < 12) {
            return "truncated: " + n + " bytes, shorter than any Parquet file";
        }
        byte[] head = new byte[4];
        byte[] tail = new byte[8];
        // the bytes as they are (a local file system's checksums would only say that they changed)
        FileSystem raw = store.fs() instanceof org.apache.hadoop.fs.ChecksumFileSystem c ? c.getRawFileSystem()
                : store.fs();
        try (FSDataInputStream in = raw.open(f.getPath())) {
            in.readFully(0, head);
            in.readFully(n - 8, tail);
        } catch (IOException e) { // a checksum that does not match (local file systems keep .crc files), a bad block
            return "cannot be read: " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        byte[] magic = "PAR1".getBytes(StandardCharsets.US_ASCII);
        if (!java.util.Arrays.equals(head, magic)) {
            return "not a Parquet file (no PAR1 magic at its start)";
        }
        if (!java.util.Arrays.equals(java.util.Arrays.copyOfRange(tail, 4, 8), magic)) {
            return "truncated: no Parquet footer at its end (" + n + " bytes)";
        }
        long footer = java.nio.ByteBuffer.wrap(tail, 0, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt()
                & 0xffffffffL;
        if (footer + 12 > n) {
            return "corrupt: its footer claims " + footer + " bytes of a " + n + "-byte file";
        }
        return pagesProblem(f);
    }

    /**
     * Why the file's pages cannot be read (null if every page is whole): each page is read and checked against the
     * CRC parquet-mr wrote in its header (a flipped bit under an intact footer, which Spark reads silently when its
     * column is not projected, and into wrong values when it is), and the file's own checksums where the store keeps
     * them (a local file system's .crc files, HDFS's block checksums).
     */
    private String pagesProblem(FileStatus f) {
        try (FSDataInputStream in = store.fs().open(f.getPath())) {
            byte[] buffer = new byte[1 << 16];
            while (in.read(buffer) >= 0) {
                // the whole file through the store, which checks its own checksums where it keeps them
            }
        } catch (IOException e) {
            return "corrupt: its bytes do not match the store's checksums (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")";
        }
        org.apache.hadoop.conf.Configuration conf = store.fs().getConf();
        org.apache.parquet.ParquetReadOptions options = org.apache.parquet.HadoopReadOptions.builder(conf)
                .usePageChecksumVerification(true).build();
        try (org.apache.parquet.hadoop.ParquetFileReader r = org.apache.parquet.hadoop.ParquetFileReader.open(
                org.apache.parquet.hadoop.util.HadoopInputFile.fromStatus(f, conf), options)) {
            while (r.readNextRowGroup() != null) {
                // reading a row group reads and checks every page of its columns
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return "corrupt: " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /**
     * Moves the rounds from {@code fromRound} on, of every dataset, to {@code _quarantine/<millis>/} (nothing is
     * deleted): the next run evaluates them again; they are seeded, so they reproduce. Returns what moved.
     */
    List<String> quarantineFrom(int fromRound) {
        Path target = new Path(store.root(), "_quarantine/" + System.currentTimeMillis());
        List<String> moved = new ArrayList<>();
        try {
            for (FileStatus d : store.fs().listStatus(new Path(store.root()))) {
                String dataset = d.getPath().getName();
                if (!d.isDirectory() || dataset.startsWith("_") || dataset.startsWith(".")) {
                    continue;
                }
                for (int round : store.committedRounds(dataset)) {
                    if (round >= fromRound) {
                        Path from = new Path(store.path(dataset) + "/round=" + round);
                        Path to = new Path(target, dataset + "/round=" + round);
                        store.fs().mkdirs(to.getParent());
                        if (!store.fs().rename(from, to)) {
                            throw new IOException("rename of " + from + " to " + to + " failed");
                        }
                        moved.add(dataset + "/round=" + round);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot quarantine under " + target + ": " + e.getMessage(), e);
        }
        return moved;
    }

    /**
     * Moves the asynchronous search's commits from tell {@code fromSeq} on to {@code _quarantine/<millis>/}: the next
     * run replays the tells before it and evaluates the rest again. A compacted file holding such tells moves whole,
     * its earlier tells put back as a file of their own. Returns what moved.
     */
    List<String> quarantineTellsFrom(int fromSeq) {
        Path dir = new Path(store.path(ResultStore.CANDIDATES) + "/round=0");
        Path target = new Path(store.root(), "_quarantine/" + System.currentTimeMillis() + "/"
                + ResultStore.CANDIDATES + "/round=0");
        List<String> moved = new ArrayList<>();
        try {
            store.fs().mkdirs(target);
            for (FileStatus f : store.dataFiles(dir)) {
                java.util.OptionalInt seq = ResultStore.tellSeq(f.getPath().getName());
                var compacted = seq.isPresent() ? null : store.spark().read().schema(ResultSchema.CANDIDATES)
                        .parquet(f.getPath().toString());
                if (seq.isPresent() ? seq.getAsInt() < fromSeq
                        : compacted.filter(compacted.col("tell_seq").geq(fromSeq)).isEmpty()) {
                    continue;
                }
                Path kept = compacted == null ? null : keptTells(compacted, fromSeq);
                if (!store.fs().rename(f.getPath(), new Path(target, f.getPath().getName()))) {
                    throw new IOException("rename of " + f.getPath() + " failed");
                }
                moved.add(ResultStore.CANDIDATES + "/round=0/" + f.getPath().getName()
                        + (kept == null ? "" : " (its tells before " + fromSeq + " stay, as " + kept.getName() + ")"));
                if (kept != null) {
                    if (!store.fs().rename(kept, new Path(dir, kept.getName()))) {
                        throw new IOException("rename of " + kept + " into " + dir + " failed");
                    }
                    store.fs().delete(kept.getParent(), true);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot quarantine under " + target + ": " + e.getMessage(), e);
        }
        return moved;
    }

    /**
     * The tells before {@code fromSeq} of a compacted file, staged as a file of their own (the caller moves the
     * compacted file aside, then this in; a crash between the two leaves fewer tells to replay, which the next run
     * evaluates again as before); null when there are none.
     */
    private Path keptTells(org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> compacted, int fromSeq)
            throws IOException {
        var kept = compacted.filter(compacted.col("tell_seq").lt(fromSeq));
        if (kept.isEmpty()) {
            return null;
        }
        Path staged = new Path(store.stagingPath("untold-" + java.util.UUID.randomUUID()));
        kept.coalesce(1).write().parquet(staged.toString());
        return store.dataFiles(staged).get(0).getPath();
    }
}

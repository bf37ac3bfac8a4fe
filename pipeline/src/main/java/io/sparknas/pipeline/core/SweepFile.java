package io.sparknas.pipeline.core;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;

/**
 * A sweep's {@code sweep.json}: read, created once through a staged file and a rename, and replaced atomically (a
 * raised budget's history), so a reader sees the old or the new file, never none.
 */
final class SweepFile {
    private final ResultStore store;

    SweepFile(ResultStore store) {
        this.store = store;
    }


    /** The stored sweep metadata (JSON), empty for a new sweep. */
    Optional<String> read() {
        Path p = new Path(store.root(), ResultStore.METADATA);
        try {
            if (!store.fs().exists(p)) {
                return Optional.empty();
            }
            try (FSDataInputStream in = store.fs().open(p)) {
                return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    /** Writes the metadata of a new sweep (through a temporary file and a rename). */
    void create(String metadataJson) {
        Path tmp = new Path(store.stagingPath(ResultStore.METADATA + "." + UUID.randomUUID()));
        try {
            store.fs().mkdirs(new Path(store.root()));
            try (FSDataOutputStream out = store.fs().create(tmp, false)) {
                out.write(metadataJson.getBytes(StandardCharsets.UTF_8));
            }
            if (!store.fs().rename(tmp, new Path(store.root(), ResultStore.METADATA))) {
                throw new IOException("rename of " + tmp + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create sweep metadata under " + store.root() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Replaces {@code sweep.json} (a raised budget's history) through a staged file renamed over it, atomically on
     * HDFS and local file systems, or with one PUT on an object store: a reader sees the old or the new file.
     */
    void replace(String metadataJson) {
        Path tmp = new Path(store.stagingPath(ResultStore.METADATA + "." + UUID.randomUUID()));
        Path target = new Path(store.root(), ResultStore.METADATA);
        try {
            if (!AtomicRenames.supported(store.fs())) { // an object store: one PUT replaces the object whole
                try (FSDataOutputStream out = store.fs().create(target, true)) {
                    out.write(metadataJson.getBytes(StandardCharsets.UTF_8));
                }
                return;
            }
            if (store.fs() instanceof org.apache.hadoop.fs.ChecksumFileSystem local) {
                // a local file system: FileContext's rename with OVERWRITE moves the data file but not its checksum
                // file, so the next read fails its checksum; write and rename the raw file, without a checksum
                FileSystem raw = local.getRawFileSystem();
                try (FSDataOutputStream out = raw.create(tmp, false)) {
                    out.write(metadataJson.getBytes(StandardCharsets.UTF_8));
                }
                raw.delete(local.getChecksumFile(target), false);
                if (!raw.rename(tmp, target)) { // rename(2): replaces the file atomically
                    throw new IOException("rename of " + tmp + " to " + target + " failed");
                }
                return;
            }
            try (FSDataOutputStream out = store.fs().create(tmp, false)) {
                out.write(metadataJson.getBytes(StandardCharsets.UTF_8));
            }
            org.apache.hadoop.fs.FileContext.getFileContext(store.fs().getUri(), store.fs().getConf()).rename(tmp, target,
                    org.apache.hadoop.fs.Options.Rename.OVERWRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace " + target + ": " + e.getMessage(), e);
        }
    }
}

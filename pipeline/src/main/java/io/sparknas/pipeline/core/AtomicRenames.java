package io.sparknas.pipeline.core;

import org.apache.hadoop.fs.FileSystem;

import java.util.Set;

/**
 * Whether a file system renames a folder in one atomic step. Local file systems and HDFS do; an object store (S3A,
 * GCS, Azure blobs without a hierarchical namespace) copies a folder object by object and then deletes, so a crash
 * half-way leaves part of it at each end. There sparknas commits single files (one object each, whole or absent),
 * never compacts, and replaces {@code sweep.json} with one PUT.
 */
public final class AtomicRenames {
    private static final Set<String> ATOMIC = Set.of("file", "hdfs", "viewfs", "webhdfs", "swebhdfs", "ofs", "o3fs");

    private AtomicRenames() {
    }

    /** True on a local file system or HDFS; false on an object store (any scheme not known to rename atomically). */
    public static boolean supported(FileSystem fs) {
        String scheme = fs.getUri().getScheme();
        return scheme == null || ATOMIC.contains(scheme.toLowerCase(java.util.Locale.ROOT));
    }
}

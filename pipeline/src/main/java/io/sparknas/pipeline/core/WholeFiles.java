package io.sparknas.pipeline.core;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.UUID;

/**
 * Small files written and read whole on any Hadoop file system (a latency table, a supernet checkpoint): written
 * through a temporary file and a rename, so a reader sees the whole file or none.
 */
public final class WholeFiles {
    private WholeFiles() {
    }

    /** Writes through a temporary file and a rename, so a reader sees the whole file or none. */
    public static void writeWhole(FileSystem fs, String path, byte[] bytes) throws IOException {
        Path target = new Path(path);
        Path tmp = new Path(target.getParent(), "_" + target.getName() + "." + UUID.randomUUID());
        fs.mkdirs(target.getParent());
        try (FSDataOutputStream out = fs.create(tmp, false)) {
            out.write(bytes);
        }
        fs.delete(target, false);
        if (!fs.rename(tmp, target)) {
            throw new IOException("rename of " + tmp + " to " + target + " failed");
        }
    }

    public static byte[] readWhole(FileSystem fs, String path) throws IOException {
        try (FSDataInputStream in = fs.open(new Path(path))) {
            return in.readAllBytes();
        }
    }
}

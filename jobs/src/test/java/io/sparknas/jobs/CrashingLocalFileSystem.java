package io.sparknas.jobs;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.net.URI;

/**
 * The local file system, except that the JVM halts (exit 86: no shutdown hook, no finally, as {@code kill -9}) at one
 * step of a compaction, chosen by {@code sparknas.test.crashAt}: {@code move}, just before the compacted copy is
 * renamed into the round's place (the round is then only in its aside copy), or {@code delete}, just before the aside
 * copy is deleted (both exist). A child driver is given it as {@code spark.hadoop.fs.file.impl}.
 */
public final class CrashingLocalFileSystem extends LocalFileSystem {
    static final int HALTED = 86;
    private String crashAt = "";

    @Override
    public void initialize(URI name, Configuration conf) throws IOException {
        super.initialize(name, conf);
        crashAt = conf.get("sparknas.test.crashAt", "");
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        if (crashAt.equals("move") && src.getName().startsWith("compact-")) {
            Runtime.getRuntime().halt(HALTED);
        }
        return super.rename(src, dst);
    }

    @Override
    public boolean delete(Path f, boolean recursive) throws IOException {
        if (crashAt.equals("delete") && f.getName().startsWith("compacted-")) {
            Runtime.getRuntime().halt(HALTED);
        }
        return super.delete(f, recursive);
    }
}

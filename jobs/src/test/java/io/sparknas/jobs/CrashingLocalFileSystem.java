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
 * copy is deleted (both exist). Or {@code freeze}: at the first of those steps it prints {@link #FROZEN} and waits
 * until the file {@code sparknas.test.thawFile} exists (the test stops the JVM meanwhile, takes the sweep over, and
 * lets it go on). A child driver is given it as {@code spark.hadoop.fs.file.impl}.
 */
public final class CrashingLocalFileSystem extends LocalFileSystem {
    static final int HALTED = 86;
    static final String FROZEN = "frozen before moving the compacted round into place";
    private String crashAt = "";
    private String thawFile = "";

    @Override
    public void initialize(URI name, Configuration conf) throws IOException {
        super.initialize(name, conf);
        crashAt = conf.get("sparknas.test.crashAt", "");
        thawFile = conf.get("sparknas.test.thawFile", "");
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        if (crashAt.equals("move") && src.getName().startsWith("compact-")) {
            Runtime.getRuntime().halt(HALTED);
        }
        if (crashAt.equals("freeze") && src.getName().startsWith("compact-")) {
            System.out.println(FROZEN);
            System.out.flush();
            while (!java.nio.file.Files.exists(java.nio.file.Path.of(thawFile))) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while frozen", e);
                }
            }
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

package io.sparknas.pipeline.core;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The staging folder of the run holding a sweep's lease, and the rename that commits from it: the fence. Each run
 * stages in a folder of its own, {@code _staging/g<generation>-<token>} with a marker file; a run that gets the lease
 * first moves every other run's folder aside, one atomic rename each. An owner paused between its check of the lease
 * and its commit (SIGSTOP, a long GC) then finds its staged file gone, so the rename itself fails: a check before the
 * rename alone leaves that window open. A folder the paused owner recreates by writing after the move has no marker
 * and is refused. Made on first use, so a new sweep's folder stays empty until its first commit.
 */
final class RunStaging {
    static final String MARKER = "_owner";
    private static final String PREFIX = "g";

    private final FileSystem fs;
    private final Path staging;
    private final Path dir;
    private final String token;
    private boolean made;

    RunStaging(FileSystem fs, Path sweep, int generation, String token) {
        this.fs = fs;
        this.staging = new Path(sweep, "_staging");
        this.dir = new Path(staging, PREFIX + generation + "-" + token);
        this.token = token;
    }

    /** Moves every other run's staging folder aside and deletes it: nothing in it was committed. */
    void fenceOthers() throws IOException {
        if (!fs.exists(staging)) {
            return;
        }
        for (FileStatus f : fs.listStatus(staging)) {
            String name = f.getPath().getName();
            if (f.isDirectory() && name.matches(PREFIX + "\\d+-[0-9a-f-]{36}") && !f.getPath().equals(dir)) {
                if (!AtomicRenames.supported(fs)) { // a rename there copies: delete the files instead
                    fs.delete(f.getPath(), true);
                    continue;
                }
                Path fenced = new Path(staging, "fenced-" + name + "-" + UUID.randomUUID());
                if (!fs.rename(f.getPath(), fenced) && fs.exists(f.getPath())) {
                    throw new IOException("cannot fence the staging folder " + f.getPath() + " of an earlier run");
                }
                fs.delete(fenced, true);
            }
        }
    }

    /**
     * The folder to stage in, made with its marker on first use and never again; {@code verifyLease} runs after it
     * is made, so a run taking over either is seen by that check or finds the folder and fences it.
     */
    synchronized Path dir(Runnable verifyLease) throws IOException {
        if (!made) {
            fs.mkdirs(dir);
            try (FSDataOutputStream out = fs.create(new Path(dir, MARKER), false)) {
                out.write(token.getBytes(StandardCharsets.UTF_8));
            }
            made = true;
        }
        verifyLease.run();
        return dir;
    }

    /** Renames a staged file or folder into place; false when this run was fenced (its staged file is gone). */
    boolean moveIntoPlace(Path staged, Path target) throws IOException {
        if (!fs.exists(new Path(dir, MARKER))) {
            return false; // moved aside by a run that took over; what is here was written into a recreated folder
        }
        try {
            if (fs.rename(staged, target)) {
                return true;
            }
        } catch (java.io.FileNotFoundException gone) {
            return false;
        }
        if (!fs.exists(staged)) {
            return false;
        }
        throw new IOException("rename of " + staged + " to " + target + " failed");
    }

    /** Deletes this run's folder (what is left there was never committed); if that fails, the next fence does. */
    void delete() {
        try {
            if (made) {
                fs.delete(dir, true);
            }
        } catch (IOException e) {
            // left for the next owner's fence
        }
    }
}

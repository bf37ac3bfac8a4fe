package io.sparknas.space;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the project's own data is for tests: {@code data/} at the repository root (Maven sets
 * {@code sparknas.data}; run from a module directory it is {@code ../data}). It is part of every clone, so a test
 * that cannot find it fails instead of skipping.
 */
public final class ProjectData {
    private ProjectData() {
    }

    /** The NAS-Bench-201 12-epoch table, gzipped. */
    public static Path nb201() {
        Path p = Path.of(System.getProperty("sparknas.data", "../data"), "nb201", "nb201_12ep.csv.gz");
        if (!Files.isReadable(p)) {
            throw new IllegalStateException("the project's NAS-Bench-201 table is missing at " + p.toAbsolutePath()
                    + " (it is committed under data/nb201/; is this a complete clone?)");
        }
        return p;
    }
}

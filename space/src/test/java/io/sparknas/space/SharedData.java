package io.sparknas.space;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Where the benchmark data of ../shared is, for tests that need it (they skip with a reason where it is absent). */
public final class SharedData {
    private SharedData() {
    }

    public static Optional<Path> nb201Csv() {
        String root = System.getProperty("sparknas.shared", "../shared");
        Path p = Path.of(root, "benchmarks", "nb201", "nb201_12ep.csv");
        return Files.isReadable(p) ? Optional.of(p) : Optional.empty();
    }

    public static String missingNb201() {
        return "NAS-Bench-201 table not found at <sparknas.shared>/benchmarks/nb201/nb201_12ep.csv (set -Dsparknas.shared)";
    }
}

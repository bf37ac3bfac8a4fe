package io.sparknas.estimators.proxy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident and peak resident memory of this process (Linux {@code /proc/self/status}); -1 elsewhere. */
public final class ProcessMemory {
    private ProcessMemory() {
    }

    public static long residentBytes() {
        return field("VmRSS:");
    }

    public static long peakResidentBytes() {
        return field("VmHWM:");
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).replace("kB", "").strip()) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}

package io.sparknas.jobs;

import io.sparknas.space.TestData;
import io.sparknas.estimators.data.DataConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code doctor} on this machine: what it checks, and that a broken dataset makes it fail with the reason. */
class DoctorJobTest {

    /** Runs a command; returns its exit code, a newline, and what it printed on stdout. */
    static String run(String... args) {
        return capture(false, args);
    }

    /** As {@link #run}, with stderr too (where errors go). */
    static String runAll(String... args) {
        return capture(true, args);
    }

    private static String capture(boolean withErr, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream to = new PrintStream(buf, true, StandardCharsets.UTF_8);
        System.setOut(to);
        if (withErr) {
            System.setErr(to);
        }
        int code;
        try {
            code = Main.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return code + "\n" + buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aHealthyMachineRunsDjlInSparkTasksAndSaysOk() {
        TestData.require(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        String out = run("doctor", "--master", "local[2]");
        assertTrue(out.startsWith("0\n"), out);
        assertTrue(out.contains("  djl offline true"), out);
        assertTrue(out.matches("(?s).*  djl engine  PyTorch 2\\.7\\.1, GPUs seen: 0, device: cpu\\(\\), forward pass -> .*"), out);
        assertTrue(out.contains("dataset     fashion-mnist at /usr/share/datasets/fashion-mnist (test set"), out);
        assertEquals(2, out.lines().filter(l -> l.startsWith("  spark task  DJL PyTorch on cpu()")).count(), out);
        assertTrue(out.strip().endsWith("OK: this machine can run sparknas searches."), out);
    }

    @Test
    void aTruncatedDatasetIsAProblemWithTheReaderMessageAndExitTwo(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), new byte[] {0, 0, 8, 3, 0, 0, 0, 5});
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0, 0, 0, 5, 1, 2});
        String out = run("doctor", "--master", "local[1]", "--data-dir", dir.toString());
        assertTrue(out.startsWith("2\n"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("PROBLEM: ") && l.contains("t10k-images-idx3-ubyte")), out);
    }
}

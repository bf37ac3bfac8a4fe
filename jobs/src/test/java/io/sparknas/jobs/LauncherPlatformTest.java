package io.sparknas.jobs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher's platform branch, taken under a faked {@code uname} (this machine is Linux x86-64): an Apple-silicon
 * Mac goes through, an Intel Mac and a platform without a libtorch build are refused in one line, exit 2,
 * before anything is built or run.
 */
class LauncherPlatformTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    static Path dir;

    /** Through the platform check to a launcher command that needs no build (a test must not rebuild the classes). */
    @Test
    void anAppleSiliconMacGoesThroughToTheLaunchersCommands() throws Exception {
        Path mnist = Files.createDirectories(dir.resolve("mnist"));
        Files.writeString(mnist.resolve("train-images-idx3-ubyte"), "x");
        Files.writeString(mnist.resolve("t10k-labels-idx1-ubyte"), "x");
        Result r = launch("Darwin", "arm64", "data", "mnist", mnist.toString());
        assertEquals(0, r.code, r.output);
        assertEquals("sparknas: MNIST is already in " + mnist, r.output.strip());
    }

    @Test
    void anIntelMacIsRefusedInOneLineWithTheReason() throws Exception {
        Result r = launch("Darwin", "x86_64", "search", "--conf", "conf/tabular-nb201.conf");
        assertEquals(2, r.code, r.output);
        assertEquals(1, r.output.strip().lines().count(), r.output);
        assertTrue(r.output.contains("macOS on Intel is not supported: libtorch 2.7.1 has no macOS x86-64 build"),
                r.output);
    }

    @Test
    void aPlatformWithoutALibtorchBuildIsRefusedInOneLine() throws Exception {
        Result r = launch("Linux", "riscv64", "search", "--conf", "conf/tabular-nb201.conf");
        assertEquals(2, r.code, r.output);
        assertEquals("sparknas: Linux riscv64 is not supported: libtorch 2.7.1 has CPU builds for Linux x86-64 and "
                + "aarch64 and macOS arm64 only", r.output.strip());
    }

    private record Result(int code, String output) {
    }

    /** Runs {@code ./sparknas args} with a {@code uname} that answers {@code os} and {@code arch}. */
    private static Result launch(String os, String arch, String... args) throws IOException, InterruptedException {
        Path bin = Files.createDirectories(dir.resolve(os + "-" + arch));
        Path uname = bin.resolve("uname");
        Files.writeString(uname, "#!/bin/sh\ncase \"$1\" in -s) echo " + os + " ;; -m) echo " + arch
                + " ;; *) echo " + os + " ;; esac\n");
        Files.setPosixFilePermissions(uname, PosixFilePermissions.fromString("rwxr-xr-x"));
        String[] cmd = new String[args.length + 2];
        cmd[0] = "bash";
        cmd[1] = REPO.resolve("sparknas").toString();
        System.arraycopy(args, 0, cmd, 2, args.length);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(REPO.toFile()).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the launcher did not end");
        return new Result(p.exitValue(), out);
    }
}

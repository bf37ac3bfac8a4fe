package io.sparknas.pipeline.core;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/** Reading a lease file and judging its age by the store's clock, never the owner's ({@link SweepLease}). */
final class LeaseFiles {
    private LeaseFiles() {
    }

    /** How long ago a lease's owner last proved it is alive, by the store's clock. */
    static Duration age(FileSystem fs, Path path, JsonNode held) throws IOException {
        Path probe = new Path(path + ".probe-" + UUID.randomUUID());
        fs.create(probe, false).close();
        long now = fs.getFileStatus(probe).getModificationTime();
        fs.delete(probe, false);
        Path beat = held == null ? null : new Path(path + ".beat-" + held.path("token").asText(""));
        long last = beat != null && fs.exists(beat) ? fs.getFileStatus(beat).getModificationTime()
                : fs.exists(path) ? fs.getFileStatus(path).getModificationTime() : 0;
        return Duration.ofMillis(Math.max(0, now - last));
    }

    static Optional<JsonNode> read(FileSystem fs, Path p) {
        try (FSDataInputStream in = fs.open(p)) {
            return Optional.ofNullable(Json.MAPPER.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }
}

package io.sparknas.pipeline.core;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FSDataOutputStreamBuilder;
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

    /**
     * Creates a file that must not exist. On S3A (Hadoop 3.4.2+) the upload carries If-None-Match, so on S3 two runs
     * cannot both create it; elsewhere the option is ignored and the file system's own create-if-absent decides.
     */
    static FSDataOutputStream createIfAbsent(FileSystem fs, Path p) throws IOException {
        FSDataOutputStreamBuilder<?, ?> create = fs.createFile(p).overwrite(false);
        create.opt("fs.option.create.conditional.overwrite", true);
        return create.build();
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

package io.sparknas.pipeline.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One run at a time per sweep: a lease file beside the sweep ({@code <sweep.output>.lease}), made with
 * create-if-absent (which HDFS, S3A's conditional create and local file systems honour), holding the owner (user,
 * host, process), when it started and a heartbeat rewritten every {@link #HEARTBEAT}. A second run on the same path
 * is refused naming the owner; a lease whose heartbeat is older than {@link #STALE} (its owner was killed) may be
 * taken over. Released (deleted) when the run ends.
 */
public final class SweepLease implements AutoCloseable {
    static final Duration HEARTBEAT = Duration.ofSeconds(10);
    static final Duration STALE = Duration.ofSeconds(60);

    /** The sweep is leased by another run. */
    public static final class Held extends IllegalStateException {
        Held(String message) {
            super(message);
        }
    }

    private final FileSystem fs;
    private final Path path;
    private final String token = UUID.randomUUID().toString();
    private final String started = Instant.now().toString();
    private final ScheduledExecutorService heartbeat;

    private SweepLease(FileSystem fs, Path path) {
        this.fs = fs;
        this.path = path;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sparknas-lease-heartbeat");
            t.setDaemon(true);
            return t;
        });
    }

    /** The lease's path for a sweep's output. */
    public static String pathOf(String output) {
        String o = output.endsWith("/") ? output.substring(0, output.length() - 1) : output;
        return o + ".lease";
    }

    /**
     * Takes the lease of the sweep at {@code output}; a held lease is refused ({@link Held}) naming its owner, unless it
     * is stale and {@code takeOver} is set.
     */
    public static SweepLease acquire(String output, Configuration conf, boolean takeOver) {
        Path path = new Path(pathOf(output));
        try {
            FileSystem fs = path.getFileSystem(conf);
            SweepLease lease = new SweepLease(fs, path);
            if (!lease.create()) {
                JsonNode held = lease.read();
                Instant beat = held == null ? Instant.EPOCH : Instant.parse(held.path("heartbeat").asText(
                        Instant.EPOCH.toString()));
                Duration age = Duration.between(beat, Instant.now());
                String owner = held == null ? "an unreadable lease" : held.path("owner").asText() + " on "
                        + held.path("host").asText() + " (process " + held.path("process").asText() + ", since "
                        + held.path("started").asText() + ")";
                if (age.compareTo(STALE) < 0) {
                    throw new Held("sweep " + output + " is being run by " + owner + ", heartbeat " + age.toSeconds()
                            + " s ago; wait for it to finish (lease: " + path + ")");
                }
                if (!takeOver) {
                    throw new Held("sweep " + output + " has a stale lease of " + owner + " (no heartbeat for "
                            + age.toSeconds() + " s: its run was killed?); pass --take-over to run it (lease: " + path
                            + ")");
                }
                fs.delete(path, false);
                if (!lease.create()) {
                    throw new Held("sweep " + output + " was taken over by another run just now (lease: " + path + ")");
                }
            }
            lease.heartbeat.scheduleAtFixedRate(lease::beat, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(),
                    TimeUnit.MILLISECONDS);
            return lease;
        } catch (IOException e) {
            // the first write of a run: an output that cannot be written is refused here, before anything else
            throw new Held("sweep.output " + output + " cannot be written (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + " while creating " + path + "); choose a writable sweep.output or fix its "
                    + "permissions");
        }
    }

    /** Creates the lease file if absent; false if another holds it. */
    private boolean create() throws IOException {
        fs.mkdirs(path.getParent());
        try (FSDataOutputStream out = fs.create(path, false)) {
            out.write(content().getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            if (fs.exists(path)) {
                return false; // some file systems report an existing file as a plain IOException
            }
            throw e;
        }
    }

    private String content() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("owner", System.getProperty("user.name"));
        n.put("host", host());
        n.put("process", ManagementFactory.getRuntimeMXBean().getName());
        n.put("token", token);
        n.put("started", started);
        n.put("heartbeat", Instant.now().toString());
        return n.toString();
    }

    private JsonNode read() {
        try (FSDataInputStream in = fs.open(path)) {
            return Json.MAPPER.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return null;
        }
    }

    /** Rewrites the heartbeat while the lease is still this run's. */
    private void beat() {
        JsonNode held = read();
        if (held == null || !token.equals(held.path("token").asText())) {
            return; // taken over: never write over another run's lease
        }
        try (FSDataOutputStream out = fs.create(path, true)) {
            out.write(content().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the next beat tries again; a lease that misses beats for STALE can be taken over
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }

    /** Stops the heartbeat and deletes the lease if it is still this run's. */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        JsonNode held = read();
        if (held != null && token.equals(held.path("token").asText())) {
            try {
                fs.delete(path, false);
            } catch (IOException e) {
                // a lease left behind goes stale and can be taken over
            }
        }
    }
}

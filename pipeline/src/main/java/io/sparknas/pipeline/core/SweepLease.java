package io.sparknas.pipeline.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One run at a time per sweep, and a run that lost its sweep commits nothing more. The lease is a file beside the
 * sweep ({@code <sweep.output>.lease}, whatever the spelling of the path: it is qualified first), made with
 * create-if-absent and never rewritten: owner, host, process, run id, a generation and a token. Its owner proves it is
 * alive by rewriting a heartbeat file of its own ({@code .lease.beat-<token>}) every {@link #HEARTBEAT}; a lease is
 * stale when that file (or the lease, before the first beat) was last modified more than {@link #STALE} ago, both
 * times read from the store's clock (a probe file's), never the owner's; an unreadable lease by its file's time.
 *
 * <p>Taking over is a compare-and-swap: the stale lease is renamed to a unique name (one racer's rename wins), checked
 * to be the one judged stale, and a new lease of the next generation created if absent. A second run of the same
 * application (YARN's next attempt; a restarted driver pod given the same {@code SPARKNAS_RUN_ID}) takes over at
 * once. Before every commit the store asks {@link #checkFence}: a run whose lease was taken over, deleted, or whose
 * heartbeat failed for longer than {@link #STALE} stops with {@link Lost}; and it commits only by renaming from its own
 * staging folder ({@link RunStaging}), which the next owner moves aside first: a paused owner's rename fails. A run
 * ended by Ctrl-C or SIGTERM releases its lease from a shutdown hook.
 */
public final class SweepLease implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SweepLease.class);
    static final Duration HEARTBEAT = Duration.ofSeconds(10);
    static final Duration STALE = Duration.ofSeconds(60);
    private static final Map<String, SweepLease> HELD = new ConcurrentHashMap<>();

    /** The sweep is leased by another run. */
    public static final class Held extends IllegalStateException {
        Held(String message) {
            super(message);
        }
    }

    /** This run lost its lease: it stops and commits nothing more. */
    public static final class Lost extends IllegalStateException {
        Lost(String message) {
            super(message);
        }
    }

    private final FileSystem fs;
    private final String sweep;
    private final Path path;
    private final String token = UUID.randomUUID().toString();
    private final String started = Instant.now().toString();
    private final ScheduledExecutorService heartbeat;
    private final Thread onExit = new Thread(this::release, "sparknas-lease-release");
    private volatile long lastBeat = System.currentTimeMillis();
    private volatile String lost;
    private int generation = 1;
    private RunStaging staging;

    private SweepLease(FileSystem fs, String sweep, Path path) {
        this.fs = fs;
        this.sweep = sweep;
        this.path = path;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sparknas-lease-heartbeat");
            t.setDaemon(true);
            return t;
        });
    }

    /** The lease's path for a sweep's output (as given; {@link #acquire} qualifies it). */
    public static String pathOf(String output) {
        String o = output;
        while (o.length() > 1 && o.endsWith("/")) {
            o = o.substring(0, o.length() - 1);
        }
        return o + ".lease";
    }

    /** The run id a second attempt of the same application shares: SPARKNAS_RUN_ID, else Spark's application id. */
    public static String runId(String sparkApplicationId) {
        String given = System.getenv("SPARKNAS_RUN_ID");
        return given != null && !given.isBlank() ? given : sparkApplicationId;
    }

    /**
     * Takes the lease of the sweep at {@code output}; a held lease is refused ({@link Held}) naming its owner, unless
     * it is stale and {@code takeOver} is set, or it is {@code runId}'s own (an earlier attempt of this application).
     */
    public static SweepLease acquire(String output, Configuration conf, boolean takeOver, String runId) {
        Path given = new Path(pathOf(output));
        try {
            FileSystem fs = given.getFileSystem(conf);
            Path path = fs.makeQualified(given);
            Path out = new Path(output);
            if (fs.exists(out) && fs.getFileStatus(out).isFile()) {
                throw new Held("sweep.output " + output + " is a file, not a folder; give the folder the sweep writes "
                        + "to (a new or an existing sweep's)");
            }
            SweepLease lease = new SweepLease(fs, output, path);
            for (int attempt = 0; !lease.create(runId); attempt++) {
                if (fs.exists(path) || attempt >= 2) { // else its holder just released it: create again
                    lease.takeOver(output, takeOver, runId);
                    break;
                }
            }
            lease.staging = new RunStaging(fs, fs.makeQualified(out), lease.generation, lease.token);
            lease.staging.fenceOthers(); // before this run reads anything: no earlier owner commits after that
            HELD.put(path.toString(), lease);
            Runtime.getRuntime().addShutdownHook(lease.onExit);
            lease.heartbeat.scheduleAtFixedRate(lease::beat, 0, HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
            return lease;
        } catch (IOException e) {
            // the first write of a run: an output that cannot be written is refused here, before anything else
            throw new Held("sweep.output " + output + " cannot be written (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + " while creating " + given + "); choose a writable sweep.output or fix its "
                    + "permissions");
        }
    }

    private void takeOver(String output, boolean asked, String runId) throws IOException {
        JsonNode held = LeaseFiles.read(fs, path).orElse(null);
        Duration age = LeaseFiles.age(fs, path, held);
        String owner = held == null ? "an unreadable lease" : held.path("owner").asText() + " on "
                + held.path("host").asText() + " (process " + held.path("process").asText() + ", since "
                + held.path("started").asText() + ")";
        boolean sameRun = held != null && runId != null && runId.equals(held.path("run").asText(null));
        if (!sameRun && age.compareTo(STALE) < 0) {
            throw new Held("sweep " + output + " is being run by " + owner + ", heartbeat " + age.toSeconds()
                    + " s ago; wait for it to finish (lease: " + path + ")");
        }
        if (!sameRun && !asked) {
            throw new Held("sweep " + output + " has a stale lease of " + owner + " (no heartbeat for "
                    + age.toSeconds() + " s: its run was killed?); pass --take-over to run it (lease: " + path + ")");
        }
        Path aside = new Path(path + ".replaced-" + UUID.randomUUID());
        if (!fs.rename(path, aside)) { // compare-and-swap: of several runs taking over, one rename wins
            throw new Held("sweep " + output + " was taken over by another run just now (lease: " + path + ")");
        }
        JsonNode moved = LeaseFiles.read(fs, aside).orElse(null);
        String judged = held == null ? null : held.path("token").asText(null);
        String found = moved == null ? null : moved.path("token").asText(null);
        if (!java.util.Objects.equals(judged, found)) { // a run took it over between our read and our rename
            fs.rename(aside, path);
            throw new Held("sweep " + output + " was taken over by another run just now (lease: " + path + ")");
        }
        generation = (held == null ? 0 : held.path("generation").asInt(0)) + 1;
        if (!create(runId)) {
            throw new Held("sweep " + output + " was taken over by another run just now (lease: " + path + ")");
        }
        if (found != null) {
            fs.delete(new Path(path + ".beat-" + found), false);
        }
        fs.delete(aside, false);
        LOG.warn("took over the lease of sweep {} from {} (generation {})", output, owner, generation);
    }

    /** Creates the lease file if absent; false if another holds it. */
    private boolean create(String runId) throws IOException {
        fs.mkdirs(path.getParent());
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("owner", System.getProperty("user.name"));
        n.put("host", LeaseFiles.host());
        n.put("process", ManagementFactory.getRuntimeMXBean().getName());
        n.put("run", runId);
        n.put("generation", generation);
        n.put("token", token);
        n.put("started", started);
        try (FSDataOutputStream out = LeaseFiles.createIfAbsent(fs, path)) {
            out.write(n.toString().getBytes(StandardCharsets.UTF_8));
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

    /** Rewrites this run's heartbeat file while the lease is still its own; a failing heartbeat loses the lease. */
    private void beat() {
        try {
            String holder = LeaseFiles.read(fs, path).map(h -> h.path("token").asText("")).orElse("");
            if (!token.equals(holder)) {
                lost = "its lease " + path + " was taken over or removed";
                heartbeat.shutdown();
                return;
            }
            try (FSDataOutputStream out = fs.create(new Path(path + ".beat-" + token), true)) {
                out.write(Instant.now().toString().getBytes(StandardCharsets.UTF_8));
            }
            lastBeat = System.currentTimeMillis();
        } catch (IOException | RuntimeException e) {
            long silent = System.currentTimeMillis() - lastBeat;
            LOG.warn("the heartbeat of the lease {} failed ({} s without one): {}", path, silent / 1000, e.toString());
            if (silent > STALE.toMillis()) {
                lost = "its heartbeat failed for " + silent / 1000 + " s (" + e.getMessage() + "): another run may "
                        + "have taken the sweep over";
                LOG.error("sweep {}: {}; this run commits nothing more", sweep, lost);
            }
        }
    }

    /**
     * Before a commit to the sweep at {@code root}: throws {@link Lost} when the run holding its lease lost it (taken
     * over, removed, its heartbeat failing); a sweep this JVM holds no lease of (a test, a reader) is not fenced.
     */
    public static void checkFence(FileSystem fs, String root) {
        SweepLease lease = HELD.get(fs.makeQualified(new Path(pathOf(root))).toString());
        if (lease != null) {
            lease.verify();
        }
    }

    /** Where a commit to the sweep at {@code root} stages: its lease holder's own folder, else {@code _staging}. */
    public static Path stagingDir(FileSystem fs, String root) throws IOException {
        SweepLease lease = HELD.get(fs.makeQualified(new Path(pathOf(root))).toString());
        return lease != null ? lease.staging.dir(lease::verify) : new Path(root, "_staging");
    }

    /** Commits a staged file or folder by renaming it into place; {@link Lost} if this run was fenced. */
    public static void moveIntoPlace(FileSystem fs, String root, Path staged, Path target) throws IOException {
        SweepLease lease = HELD.get(fs.makeQualified(new Path(pathOf(root))).toString());
        if (lease == null ? !fs.rename(staged, target) : !lease.moveIntoPlace(staged, target)) {
            throw new IOException("rename of " + staged + " to " + target + " failed");
        }
    }

    boolean moveIntoPlace(Path staged, Path target) throws IOException {
        verify();
        if (!staging.moveIntoPlace(staged, target)) {
            lost = "its staged commit was fenced by the run that took the sweep over";
            verify();
        }
        return true;
    }

    private boolean holds() {
        return LeaseFiles.read(fs, path).map(h -> token.equals(h.path("token").asText(""))).orElse(false);
    }

    /** Throws {@link Lost} if this run no longer holds its lease. */
    void verify() {
        if (lost == null && !holds()) {
            lost = "its lease " + path + " was taken over or removed";
        }
        if (lost != null) {
            throw new Lost("sweep " + sweep + ": this run lost its lease (" + lost + ") and stops without committing "
                    + "more; what it committed is kept, and the run that holds the sweep now continues it");
        }
    }

    /** Stops the heartbeat without releasing the lease: what SIGSTOP or a long pause does to an owner (tests). */
    void stopBeating() throws InterruptedException {
        heartbeat.shutdownNow();
        heartbeat.awaitTermination(STALE.toMillis(), TimeUnit.MILLISECONDS); // a beat under way lands before we return
    }

    /** Deletes this run's staging folder (the SIGTERM hook does not: a commit may be under way), then releases. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException exiting) {
            return; // the JVM is shutting down: the hook releases it
        }
        if (staging != null) {
            staging.delete();
        }
        release();
    }

    private synchronized void release() {
        HELD.remove(path.toString(), this);
        try {
            stopBeating(); // a beat under way would write its file again after the delete below
            if (holds()) {
                fs.delete(path, false);
            }
            fs.delete(new Path(path + ".beat-" + token), false);
        } catch (IOException | InterruptedException e) { // a lease left behind goes stale and can be taken over
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

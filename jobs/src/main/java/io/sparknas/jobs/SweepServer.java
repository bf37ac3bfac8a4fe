package io.sparknas.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.space.Evaluation;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The live sweep page's HTTP server (the JDK's own, read-only: GET and HEAD only): the page, its scripts from the
 * classpath (uPlot's WebJar), {@code /api/sweep} (a {@link SweepSnapshot}, read again only when the sweep's committed
 * files or its {@code sweep.json} change) and the winner's cell drawings ({@code /drawing/NAME.svg}, drawn with the
 * winner export's code). Requests are served one at a time, on one thread.
 */
public final class SweepServer implements AutoCloseable {
    private static final String UPLOT = "META-INF/resources/webjars/uplot/";
    private static final Map<String, String> STATIC = Map.of(
            "/", "io/sparknas/jobs/serve/sweep.html",
            "/sweep.js", "io/sparknas/jobs/serve/sweep.js",
            "/sweep.css", "io/sparknas/jobs/serve/sweep.css",
            "/uPlot.min.js", UPLOT + uplotVersion() + "/dist/uPlot.iife.min.js",
            "/uPlot.min.css", UPLOT + uplotVersion() + "/dist/uPlot.min.css");

    private final ResultStore store;
    private final org.apache.hadoop.conf.Configuration hadoop;
    private final int refreshSeconds;
    private final HttpServer http;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sparknas-serve");
        t.setDaemon(true);
        return t;
    });
    private final java.nio.file.Path drawings;
    private String version = "";
    private byte[] snapshot;
    private String drawn = "";
    private List<String> svgs = List.of();

    private SweepServer(SparkSession spark, String sweep, String host, int port, int refreshSeconds)
            throws IOException {
        this.store = new ResultStore(spark, sweep);
        this.hadoop = spark.sparkContext().hadoopConfiguration();
        this.refreshSeconds = refreshSeconds;
        this.drawings = Files.createTempDirectory("sparknas-serve");
        this.http = HttpServer.create(new InetSocketAddress(host, port), 0);
        http.createContext("/", this::handle);
        http.setExecutor(thread);
    }

    /**
     * Serves the sweep at {@code sweep} (a folder or Hadoop URI), read with {@code spark}, on {@code host:port} (port
     * 0: any free one); the page polls it every {@code refreshSeconds}.
     */
    public static SweepServer start(SparkSession spark, String sweep, String host, int port, int refreshSeconds)
            throws IOException {
        SweepServer s = new SweepServer(spark, sweep, host, port, refreshSeconds);
        s.http.start();
        return s;
    }

    /** The page's address. */
    public String url() {
        InetSocketAddress a = http.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "localhost" : a.getHostString();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/";
    }

    @Override
    public void close() {
        http.stop(0);
        thread.shutdownNow();
        try {
            WinnerExport.deleteLocal(drawings);
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            if (!x.getRequestMethod().equals("GET") && !x.getRequestMethod().equals("HEAD")) {
                send(x, 405, "text/plain", "read-only: GET only\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String path = x.getRequestURI().getPath();
            if (path.equals("/api/sweep")) {
                send(x, 200, "application/json", snapshot());
            } else if (path.startsWith("/drawing/") && svgs.contains(path.substring("/drawing/".length()))) {
                send(x, 200, "image/svg+xml", Files.readAllBytes(drawings.resolve(drawn)
                        .resolve(path.substring("/drawing/".length()))));
            } else if (STATIC.containsKey(path)) {
                send(x, 200, contentType(path), resource(STATIC.get(path)));
            } else {
                send(x, 404, "text/plain", ("no such page: " + path + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (RuntimeException | IOException e) {
            org.slf4j.LoggerFactory.getLogger(SweepServer.class).warn("cannot serve {}: {}", x.getRequestURI(),
                    e.toString());
        }
    }

    /** The snapshot, made again only when the sweep's files changed since the last one. */
    private byte[] snapshot() throws IOException {
        String meta = store.metadata().orElseThrow(() -> new IOException(store.root() + " has no sweep.json"));
        String now = fingerprint(meta);
        if (!now.equals(version)) {
            JsonNode m = new ObjectMapper().readTree(meta);
            List<Evaluation> rows = store.committedRounds(ResultStore.CANDIDATES).isEmpty() ? List.of()
                    : store.readAllCandidates();
            ObjectNode s = SweepSnapshot.of(m, store.root(), rows, now);
            s.put("refreshSeconds", refreshSeconds);
            draw(SweepSnapshot.best(rows), m);
            s.set("drawings", new ObjectMapper().valueToTree(svgs));
            snapshot = s.toString().getBytes(StandardCharsets.UTF_8);
            version = now;
        }
        return snapshot;
    }

    /** The winner's cell drawings as SVG, made once per winner (none where Graphviz's dot is missing). */
    private void draw(Optional<Evaluation> winner, JsonNode meta) throws IOException {
        String id = winner.map(e -> e.candidate().id()).orElse("");
        if (id.equals(drawn)) {
            return;
        }
        svgs = List.of();
        drawn = id;
        if (winner.isPresent() && WinnerExport.drawable(winner.get().candidate().space())) {
            List<java.nio.file.Path> written = new ArrayList<>();
            java.nio.file.Path dir = drawings.resolve(id);
            WinnerExport.describe(winner.get(), dir, meta.path("sweep").asText(), meta.path("configHash").asText(),
                    written);
            svgs = written.stream().map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".svg")).sorted()
                    .toList();
        }
    }

    /** The names, sizes and times of the committed candidate files and the metadata: what a new commit changes. */
    private String fingerprint(String meta) throws IOException {
        StringBuilder sb = new StringBuilder(Integer.toHexString(meta.hashCode()));
        Path candidates = new Path(store.path(ResultStore.CANDIDATES));
        FileSystem fs = candidates.getFileSystem(hadoop);
        if (fs.exists(candidates)) {
            List<String> files = new ArrayList<>();
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(candidates, true);
            while (it.hasNext()) {
                LocatedFileStatus f = it.next();
                files.add(f.getPath() + ":" + f.getLen() + ":" + f.getModificationTime());
            }
            files.sort(null);
            sb.append('-').append(files.size()).append('-').append(Integer.toHexString(files.hashCode()));
        }
        return sb.toString();
    }

    private static void send(HttpExchange x, int code, String type, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", type + (type.startsWith("text/") || type.endsWith("json")
                ? "; charset=utf-8" : ""));
        x.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = x.getRequestMethod().equals("HEAD");
        x.sendResponseHeaders(code, head ? -1 : body.length);
        if (!head) {
            x.getResponseBody().write(body);
        }
    }

    private static String contentType(String path) {
        if (path.endsWith(".js")) {
            return "text/javascript";
        }
        return path.endsWith(".css") ? "text/css" : "text/html";
    }

    private static byte[] resource(String name) {
        try (InputStream in = SweepServer.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing from the jar: " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The uPlot version of the WebJar on the classpath (from its Maven properties). */
    private static String uplotVersion() {
        try (InputStream in = SweepServer.class.getClassLoader()
                .getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in == null) {
                throw new IllegalStateException("uPlot's WebJar (org.webjars.npm:uplot) is not on the classpath");
            }
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

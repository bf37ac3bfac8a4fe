package io.sparknas.jobs;

import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.core.SparkSessions;
import io.sparknas.pipeline.core.SweepLease;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sweeps on an object store: a real S3 API on this machine (s3proxy, in memory, in this JVM), reached through S3A as on
 * a cluster. A folder rename there copies object by object, so a sweep commits single files (a round's one data
 * file, an asynchronous stage's one file per tell), never compacts, and replaces {@code sweep.json} with one PUT.
 * Killed with SIGKILL and resumed, the sweeps keep every committed row and end as on local disk.
 */
class ObjectStoreTest {
    private static final String KEY = "sparknas-test";
    private static final String SECRET = "not-a-real-secret-7f3a";
    private static final String BUCKET = "sweeps";

    private static S3Proxy proxy;
    private static BlobStoreContext blobStore;

    @BeforeAll
    static void startS3() throws Exception {
        // jclouds' in-memory store: its folder store retries deleting a folder marker with sleeps (seconds each)
        blobStore = ContextBuilder.newBuilder("transient").build(BlobStoreContext.class);
        blobStore.getBlobStore().createContainerInLocation(null, BUCKET);
        proxy = S3Proxy.builder().blobStore(blobStore.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, KEY, SECRET).build();
        proxy.start();
        for (int i = 0; i < 500 && !AbstractLifeCycle.STARTED.equals(proxy.getState()); i++) {
            Thread.sleep(10);
        }
        assertEquals(AbstractLifeCycle.STARTED, proxy.getState(), "s3proxy started");
    }

    @AfterAll
    static void stopS3() throws Exception {
        proxy.stop();
        blobStore.close();
    }

    /** S3A's settings for the local S3 API, as a cluster's spark-submit gives them ({@code spark.hadoop.*}). */
    private static Map<String, String> s3a() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("spark.hadoop.fs.s3a.endpoint", "http://127.0.0.1:" + proxy.getPort());
        s.put("spark.hadoop.fs.s3a.endpoint.region", "us-east-1");
        s.put("spark.hadoop.fs.s3a.path.style.access", "true");
        s.put("spark.hadoop.fs.s3a.connection.ssl.enabled", "false");
        // s3proxy answers a bulk delete carrying the SDK 2.30+'s default CRC32 header with 501 (as several
        // S3-compatible stores do): delete object by object
        s.put("spark.hadoop.fs.s3a.multiobjectdelete.enable", "false");
        s.put("spark.hadoop.fs.s3a.access.key", KEY);
        s.put("spark.hadoop.fs.s3a.secret.key", SECRET);
        return s;
    }

    /** The tabular sweep of the kill tests on {@code out}, with S3A's settings in its spark section. */
    private static List<String> args(String out, String mode, int budget) {
        List<String> a = localArgs(out, mode, budget);
        s3a().forEach((k, v) -> a.addAll(List.of("--set", "spark.conf.\"" + k + "\"=\"" + v + "\"")));
        return a;
    }

    /** The same sweep on any path (a local folder), without S3A's settings. */
    private static List<String> localArgs(String out, String mode, int budget) {
        List<String> a = new ArrayList<>(DriverKillTest.args(java.nio.file.Path.of("unused"), mode));
        a.set(a.indexOf("sweep.output=unused"), "sweep.output=" + out);
        a.set(a.indexOf("search.budget=36"), "search.budget=" + budget);
        return a;
    }

    private static FileSystem fs(String path) throws IOException {
        Configuration conf = new Configuration();
        s3a().forEach((k, v) -> conf.set(k.substring("spark.hadoop.".length()), v));
        return new Path(path).getFileSystem(conf);
    }

    /** What an operator does after kill -9: deletes the lease the killed run left. */
    private static void deleteLease(String out) throws IOException {
        fs(out).delete(new Path(SweepLease.pathOf(out)), false);
    }

    /** The committed rows (round, id, genotype, seed, status, accuracy), sorted. */
    private static List<String> rows(String sweep) throws IOException {
        if (!fs(sweep).exists(new Path(sweep, ResultStore.CANDIDATES))) {
            return List.of();
        }
        SparkSession spark = SparkSessions.create("s3-check", "local[1]", Map.of("spark.ui.enabled", "false"));
        s3a().forEach((k, v) -> spark.sparkContext().hadoopConfiguration().set(k.substring("spark.hadoop.".length()),
                v));
        try {
            List<String> out = new ArrayList<>();
            for (Row r : new ResultStore(spark, sweep).candidates().orderBy("candidate_id").collectAsList()) {
                out.add(r.getAs("round") + " " + r.getAs("candidate_id") + " " + r.getAs("genotype") + " "
                        + r.getAs("seed") + " " + r.getAs("status") + " " + r.getAs("accuracy"));
            }
            return out;
        } finally {
            spark.stop();
        }
    }

    /** The names of what a round's folder holds. */
    private static List<String> roundFiles(String sweep, int round) throws IOException {
        FileStatus[] files = fs(sweep).listStatus(new Path(sweep + "/" + ResultStore.CANDIDATES + "/round=" + round));
        return Arrays.stream(files).map(f -> f.getPath().getName()).sorted().toList();
    }

    @Test
    void aRoundsSweepOnS3KilledAndResumedEndsAsOnLocalDiskAndARaisedBudgetReplacesItsSweepJson(
            @TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path local = dir.resolve("local");
        assertEquals(0, Main.run(localArgs(local.toString(), "rounds", 16).toArray(String[]::new)));
        String s3 = "s3a://" + BUCKET + "/rounds";

        assertTrue(DriverKillTest.runChild(args(s3, "rounds", 16), 2), "killed at its second round");
        List<String> atKill = rows(s3);
        assertTrue(!atKill.isEmpty() && atKill.size() < 16, "killed mid-sweep: " + atKill.size() + " committed");
        deleteLease(s3);
        DriverKillTest.runChild(args(s3, "rounds", 16), 0);
        assertEquals(DriverKillTest.rows(local), rows(s3), "the resumed sweep on S3 equals the one on local disk");
        for (int round = 0; round < 4; round++) {
            List<String> files = roundFiles(s3, round);
            assertEquals(1, files.size(), "round " + round + " is one object: " + files);
            assertTrue(files.get(0).endsWith(".parquet"), files.toString());
        }

        assertEquals(0, Main.run(args(s3, "rounds", 20).toArray(String[]::new)), "a raised budget resumes");
        List<String> raised = rows(s3);
        assertEquals(20, raised.size());
        assertTrue(raised.containsAll(DriverKillTest.rows(local)), "the first 16 rows are kept");
        String json;
        try (var in = fs(s3).open(new Path(s3, "sweep.json"))) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        var history = io.sparknas.pipeline.core.Json.MAPPER.readTree(json).path("budgetHistory");
        assertEquals(20, history.get(history.size() - 1).path("budget").asInt(), "sweep.json holds the raised "
                + "budget: " + json);
        assertFalse(json.contains(SECRET), "no S3 secret in sweep.json");

        List<String> again = new ArrayList<>(args(s3, "rounds", 20));
        again.add("--new-sweep");
        assertEquals(2, Main.run(again.toArray(String[]::new)), "--new-sweep on an object store is refused");
        assertEquals(raised, rows(s3), "and nothing moved");
    }

    @Test
    void anAsyncSweepOnS3KilledKeepsEveryCommittedRowNoCandidateTwiceAndKeepsOneFilePerTell() throws Exception {
        String s3 = "s3a://" + BUCKET + "/async";
        assertTrue(DriverKillTest.runChild(args(s3, "async", 16), 6), "killed at its sixth told line");
        List<String> atKill = rows(s3);
        assertTrue(atKill.size() >= 5 && atKill.size() < 16, "killed mid-sweep: " + atKill.size() + " committed");
        deleteLease(s3);
        DriverKillTest.runChild(args(s3, "async", 16), 0);
        List<String> end = rows(s3);
        assertEquals(16, end.size());
        assertTrue(end.containsAll(atKill), "the rows committed before the kill are kept");
        Set<String> ids = new HashSet<>();
        end.forEach(r -> assertTrue(ids.add(r.split(" ")[1]), "no candidate twice: " + r));
        List<String> files = roundFiles(s3, 0);
        assertEquals(16, files.size(), "never compacted on an object store: " + files);
        assertTrue(files.stream().allMatch(f -> f.matches("tell-\\d{8}\\.parquet")), files.toString());

        s3a().forEach(System::setProperty); // the tool's Spark session reads spark.* system properties
        try {
            assertEquals(2, Main.run("compact", "--sweep", s3), "compact refuses an object store");
        } finally {
            s3a().keySet().forEach(System::clearProperty);
        }
        assertEquals(files, roundFiles(s3, 0), "and leaves its files");
    }
}

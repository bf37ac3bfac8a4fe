package io.sparknas.pipeline;

import io.sparknas.space.Evaluation;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The Parquet result store of one sweep, under a local path or any Hadoop URI ({@code hdfs://}, {@code s3a://}):
 * <pre>
 *   sweep.json                         configuration, its hash, versions (written once)
 *   candidates/round=N/part-*.parquet  evaluated candidates of round N ({@link ResultSchema#CANDIDATES})
 *   checkpoints/round=N/part-*.parquet the strategy's state after round N ({@link ResultSchema#CHECKPOINTS})
 *   darts_epochs/round=0/...           DARTS searches, one row per search and epoch ({@link ResultSchema#DARTS_EPOCHS})
 *   darts_alphas/round=0/...           their architecture weights per epoch ({@link ResultSchema#DARTS_ALPHAS})
 *   _staging/                          rounds being written (readers skip names starting with '_')
 * </pre>
 * A round is written to {@code _staging} and then renamed into place, so it is visible whole or not at all
 * (rename is atomic on local file systems and HDFS; on S3 use a committer-backed or directory-rename-safe store).
 * Nothing committed is ever rewritten or deleted.
 */
public final class ResultStore {
    public static final String CANDIDATES = "candidates";
    public static final String CHECKPOINTS = "checkpoints";
    private static final String STAGING = "_staging";
    private static final String METADATA = "sweep.json";

    private final SparkSession spark;
    private final String root;
    private final FileSystem fs;

    public ResultStore(SparkSession spark, String root) {
        this.spark = spark;
        this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
        try {
            this.fs = new Path(this.root).getFileSystem(spark.sparkContext().hadoopConfiguration());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the file system of " + root + ": " + e.getMessage(), e);
        }
    }

    public String root() {
        return root;
    }

    public String path(String dataset) {
        return root + "/" + dataset;
    }

    /** The stored sweep metadata (JSON), empty for a new sweep. */
    public Optional<String> metadata() {
        Path p = new Path(root, METADATA);
        try {
            if (!fs.exists(p)) {
                return Optional.empty();
            }
            try (FSDataInputStream in = fs.open(p)) {
                return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    /** Whether anything exists at the sweep path. */
    public boolean exists() {
        try {
            return fs.exists(new Path(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the metadata of a new sweep (through a temporary file and a rename). */
    public void create(String metadataJson) {
        Path tmp = new Path(root, STAGING + "/" + METADATA + "." + UUID.randomUUID());
        try {
            fs.mkdirs(new Path(root));
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                out.write(metadataJson.getBytes(StandardCharsets.UTF_8));
            }
            if (!fs.rename(tmp, new Path(root, METADATA))) {
                throw new IOException("rename of " + tmp + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create sweep metadata under " + root + ": " + e.getMessage(), e);
        }
    }

    /** Moves an existing sweep aside (to {@code <path>.replaced-<millis>}) so a new one can start; deletes nothing. */
    public String archive() {
        Path target = new Path(root + ".replaced-" + System.currentTimeMillis());
        try {
            if (!fs.rename(new Path(root), target)) {
                throw new IOException("rename failed");
            }
            return target.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + root + " aside to " + target + ": " + e.getMessage(), e);
        }
    }

    /** Committed round numbers of a dataset, ascending. */
    public List<Integer> committedRounds(String dataset) {
        Path dir = new Path(path(dataset));
        List<Integer> rounds = new ArrayList<>();
        try {
            if (!fs.exists(dir)) {
                return rounds;
            }
            for (FileStatus s : fs.listStatus(dir)) {
                String name = s.getPath().getName();
                if (s.isDirectory() && name.startsWith("round=")) {
                    rounds.add(Integer.parseInt(name.substring("round=".length())));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        rounds.sort(Comparator.naturalOrder());
        return rounds;
    }

    /** Commits rows of a dataset of the sweep as {@code dataset/round=N}, atomically. */
    public void commit(String dataset, int round, List<Row> rows, StructType schema) {
        commit(dataset, round, spark.createDataFrame(rows, schema));
    }

    /** A committed dataset of the sweep, with its {@code round} column. */
    public Dataset<Row> read(String dataset) {
        return spark.read().option("basePath", path(dataset)).parquet(path(dataset));
    }

    private void commit(String dataset, int round, Dataset<Row> df) {
        Path target = new Path(path(dataset) + "/round=" + round);
        Path staging = new Path(root + "/" + STAGING + "/" + dataset + "-round=" + round + "-" + UUID.randomUUID());
        try {
            if (fs.exists(target)) {
                throw new IllegalStateException(target + " is already committed; a round is never rewritten");
            }
            df.coalesce(1).write().mode(SaveMode.ErrorIfExists).parquet(staging.toString());
            fs.mkdirs(target.getParent());
            if (!fs.rename(staging, target)) {
                throw new IOException("rename of " + staging + " to " + target + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit round " + round + " of " + dataset + ": " + e.getMessage(), e);
        }
    }

    /** The evaluations of one committed round, in candidate order. */
    public List<Evaluation> readRound(int round) {
        List<Row> rows = spark.read().schema(ResultSchema.CANDIDATES).parquet(path(CANDIDATES) + "/round=" + round)
                .orderBy("candidate_id").collectAsList();
        List<Evaluation> out = new ArrayList<>();
        rows.forEach(r -> out.add(ResultSchema.toEvaluation(r)));
        return out;
    }

    /** The strategy snapshot committed after {@code round}. */
    public Optional<String> checkpoint(int round) {
        if (!committedRounds(CHECKPOINTS).contains(round)) {
            return Optional.empty();
        }
        Row row = spark.read().schema(ResultSchema.CHECKPOINTS).parquet(path(CHECKPOINTS) + "/round=" + round).first();
        return Optional.of(row.getAs("snapshot"));
    }

    /** Every committed candidate of the sweep, with its {@code round} column. */
    public Dataset<Row> candidates() {
        return read(CANDIDATES);
    }

    /** Writes through a temporary file and a rename, so a reader sees the whole file or none. */
    static void writeWhole(FileSystem fs, String path, byte[] bytes) throws IOException {
        Path target = new Path(path);
        Path tmp = new Path(target.getParent(), "_" + target.getName() + "." + UUID.randomUUID());
        fs.mkdirs(target.getParent());
        try (FSDataOutputStream out = fs.create(tmp, false)) {
            out.write(bytes);
        }
        fs.delete(target, false);
        if (!fs.rename(tmp, target)) {
            throw new IOException("rename of " + tmp + " to " + target + " failed");
        }
    }

    static byte[] readWhole(FileSystem fs, String path) throws IOException {
        try (FSDataInputStream in = fs.open(new Path(path))) {
            return in.readAllBytes();
        }
    }
}

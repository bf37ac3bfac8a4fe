package io.sparknas.pipeline.core;

import io.sparknas.space.Evaluation;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The Parquet result store of one sweep, under a local path or any Hadoop URI ({@code hdfs://}, {@code s3a://}):
 * <pre>
 *   sweep.json                            configuration, its hash, versions, a raised budget's history
 *   candidates/round=N/part-*.parquet     evaluated candidates of round N ({@link ResultSchema#CANDIDATES}); an
 *              /tell-NNNNNNNN.parquet     asynchronous stage's one file per tell, a fixed stage's one file per
 *              /candidate-ID.parquet      candidate, until the stage compacts them into one
 *   checkpoints/round=N/part-*.parquet    the strategy's state after round N ({@link ResultSchema#CHECKPOINTS})
 *   darts_epochs/, darts_alphas/          DARTS searches per epoch, their architecture weights
 *   ofa_epochs/, supernet/, latency_ops/  OFA's training and checkpoints, a profile's timings, (search.scheduler)
 *   latency_check/, rungs/, training/     a profile's check, rung events and paused trainings' states
 *   _staging/g&lt;generation&gt;-&lt;token&gt;/      what the lease's holder is writing (readers skip '_' names)
 *   _quarantine/                          damaged rounds moved aside by repair (nothing is deleted)
 * </pre>
 * A round is written to {@code _staging} and then renamed into place, so it is visible whole or not at all: the
 * folder on local file systems and HDFS, its one data file on an object store ({@link AtomicRenames}).
 * A committed row is never changed; compaction rewrites a round's files as one with the same rows, then deletes.
 */
public final class ResultStore {
    public static final String CANDIDATES = "candidates";
    public static final String CHECKPOINTS = "checkpoints";
    private static final String STAGING = "_staging";
    static final String METADATA = "sweep.json";

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

    /** The stored sweep metadata ({@code sweep.json}), empty for a new sweep. */
    public Optional<String> metadata() {
        return new SweepFile(this).read();
    }

    /** Writes the metadata of a new sweep (through a temporary file and a rename). */
    public void create(String metadataJson) {
        new SweepFile(this).create(metadataJson);
    }

    /** Replaces {@code sweep.json} (a raised budget's history) atomically: a reader sees the old or the new file. */
    public void replaceMetadata(String metadataJson) {
        new SweepFile(this).replace(metadataJson);
    }

    /** Whether anything exists at the sweep path. */
    public boolean exists() {
        try {
            return fs.exists(new Path(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A committed Parquet file that cannot be read, and why. */
    public record Unreadable(String dataset, int round, String file, String reason) {
    }

    /** The committed Parquet files that cannot be read ({@link StoreRepair#unreadable}). */
    public List<Unreadable> unreadable() {
        return new StoreRepair(this).unreadable();
    }

    /** Moves the rounds from {@code fromRound} on to {@code _quarantine/} ({@link StoreRepair#quarantineFrom}). */
    public List<String> quarantineFrom(int fromRound) {
        return new StoreRepair(this).quarantineFrom(fromRound);
    }

    /** Moves an asynchronous search's tells from {@code fromSeq} on to {@code _quarantine/}. */
    public List<String> quarantineTellsFrom(int fromSeq) {
        return new StoreRepair(this).quarantineTellsFrom(fromSeq);
    }

    /** Rewrites a round's files as one, rows unchanged ({@link Compaction#compact}); returns the files merged. */
    public int compact(String dataset, int round) {
        return new Compaction(this).compact(dataset, round);
    }

    /** Puts back a round an interrupted compaction left aside ({@link Compaction#recover}). */
    public void recoverCompaction() {
        new Compaction(this).recover();
    }

    FileSystem fs() {
        return fs;
    }

    SparkSession spark() {
        return spark;
    }

    String stagingPath(String name) {
        return root + "/" + STAGING + "/" + name;
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
                if (s.isDirectory() && name.matches("round=\\d+")) { // not a stray copy (round=1.bak)
                    rounds.add(Integer.parseInt(name.substring("round=".length())));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        rounds.sort(null);
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
        SweepLease.checkFence(fs, root); // a run that lost its lease commits nothing more (so in commitFile, compact)
        Path target = new Path(path(dataset) + "/round=" + round);
        try {
            if (fs.exists(target)) {
                throw new IllegalStateException(target + " is already committed; a round is never rewritten");
            }
            Path staging = new Path(SweepLease.stagingDir(fs, root), dataset + "-round=" + round + "-"
                    + UUID.randomUUID());
            df.coalesce(1).write().mode(SaveMode.ErrorIfExists).parquet(staging.toString());
            if (!AtomicRenames.supported(fs)) { // an object store copies a folder file by file: move its one file
                List<FileStatus> files = dataFiles(staging);
                if (files.size() != 1) {
                    throw new IOException(staging + " holds " + files.size() + " data files, not one");
                }
                SweepLease.moveIntoPlace(fs, root, files.get(0).getPath(), new Path(target, files.get(0).getPath()
                        .getName()));
                fs.delete(staging, true);
                return;
            }
            fs.mkdirs(target.getParent());
            SweepLease.moveIntoPlace(fs, root, staging, target); // the fence: a run taken over cannot rename
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit round " + round + " of " + dataset + ": " + e.getMessage(), e);
        }
    }

    /**
     * Commits rows as one more file of {@code dataset/round=N}: written by the driver ({@link ParquetRows}, no Spark
     * job) to {@code _staging}, then renamed into the round's folder as {@code fileName} (a file rename is atomic:
     * readers see it whole or not at all). How an asynchronous search commits each candidate as it finishes.
     */
    public void commitFile(String dataset, int round, List<Row> rows, StructType schema, String fileName) {
        SweepLease.checkFence(fs, root);
        Path dir = new Path(path(dataset) + "/round=" + round);
        Path target = new Path(dir, fileName);
        try {
            if (fs.exists(target)) {
                throw new IllegalStateException(target + " is already committed; a commit is never rewritten");
            }
            Path staged = new Path(SweepLease.stagingDir(fs, root), dataset + "-" + UUID.randomUUID() + "-"
                    + fileName);
            ParquetRows.write(fs.getConf(), fs.makeQualified(staged), schema, rows);
            if (AtomicRenames.supported(fs)) { // on an object store a folder exists once a file is in it
                fs.mkdirs(dir);
            }
            SweepLease.moveIntoPlace(fs, root, staged, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit " + target + ": " + e.getMessage(), e);
        }
    }

    /** The Parquet data files of a folder (not Spark's markers, checksums or hidden files). */
    List<FileStatus> dataFiles(Path dir) throws IOException {
        List<FileStatus> out = new ArrayList<>();
        if (!fs.exists(dir)) {
            return out;
        }
        for (FileStatus f : fs.listStatus(dir)) {
            String n = f.getPath().getName();
            if (f.isFile() && n.endsWith(".parquet") && !n.startsWith("_") && !n.startsWith(".")) {
                out.add(f);
            }
        }
        return out;
    }

    private static final java.util.regex.Pattern TELL_FILE = java.util.regex.Pattern.compile("tell-(\\d+)\\.parquet");

    /** The file an asynchronous search commits its {@code seq}-th told candidate as. */
    static String tellFile(int seq) {
        return String.format(java.util.Locale.ROOT, "tell-%08d.parquet", seq);
    }

    /** The tell a file (a name or a path) holds, empty for any other file (a round's, a compacted one). */
    public static java.util.OptionalInt tellSeq(String file) {
        java.util.regex.Matcher m = TELL_FILE.matcher(file.substring(file.lastIndexOf('/') + 1));
        return m.matches() ? java.util.OptionalInt.of(Integer.parseInt(m.group(1))) : java.util.OptionalInt.empty();
    }

    /** An asynchronous search's committed candidate with its place in the order of tells. */
    public record Told(Evaluation evaluation, int tellSeq, int askedBefore) {
    }

    /** The candidates an asynchronous stage committed in {@code round}, in the order they were told. */
    public List<Told> readTold(int round) {
        List<Told> out = new ArrayList<>();
        if (!committedRounds(CANDIDATES).contains(round)) {
            return out;
        }
        List<Row> rows = spark.read().schema(ResultSchema.CANDIDATES).parquet(path(CANDIDATES) + "/round=" + round)
                .orderBy("tell_seq").collectAsList();
        for (Row r : rows) {
            Integer seq = r.getAs("tell_seq");
            Integer before = r.getAs("asked_before");
            if (seq == null || before == null) {
                throw new IllegalStateException(path(CANDIDATES) + "/round=" + round + " holds a row without "
                        + "tell_seq: not an asynchronous sweep");
            }
            out.add(new Told(ResultSchema.toEvaluation(r), seq, before));
        }
        return out;
    }

    /** The evaluations of one committed round, in candidate order. */
    public List<Evaluation> readRound(int round) {
        List<Row> rows = spark.read().schema(ResultSchema.CANDIDATES).parquet(path(CANDIDATES) + "/round=" + round)
                .orderBy("candidate_id").collectAsList();
        List<Evaluation> out = new ArrayList<>();
        rows.forEach(r -> out.add(ResultSchema.toEvaluation(r)));
        return out;
    }

    /** Every committed candidate of every round, round by round. */
    public List<Evaluation> readAllCandidates() {
        List<Evaluation> all = new ArrayList<>();
        for (int round : committedRounds(CANDIDATES)) {
            all.addAll(readRound(round));
        }
        return all;
    }

    /** The strategy snapshot committed after {@code round}; empty when there is none (or its round is empty). */
    public Optional<String> checkpoint(int round) {
        if (!committedRounds(CHECKPOINTS).contains(round)) {
            return Optional.empty();
        }
        return spark.read().schema(ResultSchema.CHECKPOINTS).parquet(path(CHECKPOINTS) + "/round=" + round).limit(1)
                .collectAsList().stream().findFirst().map(r -> r.<String>getAs("snapshot")); // none in an emptied round
    }

    /** Every committed candidate of the sweep, with its {@code round} column. */
    public Dataset<Row> candidates() {
        return read(CANDIDATES);
    }
}

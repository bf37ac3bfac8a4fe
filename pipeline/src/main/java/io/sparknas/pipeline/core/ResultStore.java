package io.sparknas.pipeline.core;

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

    /**
     * Replaces {@code sweep.json} (a raised budget's history) through a staged file renamed over it, atomically on
     * HDFS and local file systems: a reader sees the old or the new file, never none.
     */
    public void replaceMetadata(String metadataJson) {
        Path tmp = new Path(root, STAGING + "/" + METADATA + "." + UUID.randomUUID());
        Path target = new Path(root, METADATA);
        try {
            if (fs instanceof org.apache.hadoop.fs.ChecksumFileSystem local) {
                // a local file system: FileContext's rename with OVERWRITE moves the data file but not its checksum
                // file, so the next read fails its checksum; write and rename the raw file, without a checksum
                FileSystem raw = local.getRawFileSystem();
                try (FSDataOutputStream out = raw.create(tmp, false)) {
                    out.write(metadataJson.getBytes(StandardCharsets.UTF_8));
                }
                raw.delete(local.getChecksumFile(target), false);
                if (!raw.rename(tmp, target)) { // rename(2): replaces the file atomically
                    throw new IOException("rename of " + tmp + " to " + target + " failed");
                }
                return;
            }
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                out.write(metadataJson.getBytes(StandardCharsets.UTF_8));
            }
            org.apache.hadoop.fs.FileContext.getFileContext(fs.getUri(), fs.getConf()).rename(tmp, target,
                    org.apache.hadoop.fs.Options.Rename.OVERWRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace " + target + ": " + e.getMessage(), e);
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

    /** A committed Parquet file that cannot be read, and why. */
    public record Unreadable(String dataset, int round, String file, String reason) {
    }

    /**
     * The committed Parquet files that cannot be read, in dataset and round order: each part file of every
     * {@code <dataset>/round=N/} must begin and end with Parquet's magic and hold a footer that fits (a truncated or
     * overwritten file fails this). Staging, quarantine and exports are not looked at.
     */
    public List<Unreadable> unreadable() {
        List<Unreadable> out = new ArrayList<>();
        try {
            if (!fs.exists(new Path(root))) {
                return out;
            }
            FileStatus[] datasets = fs.listStatus(new Path(root));
            java.util.Arrays.sort(datasets, Comparator.comparing(d -> d.getPath().getName()));
            for (FileStatus d : datasets) {
                String dataset = d.getPath().getName();
                if (!d.isDirectory() || dataset.startsWith("_") || dataset.startsWith(".")) {
                    continue;
                }
                for (int round : committedRounds(dataset)) {
                    for (FileStatus f : fs.listStatus(new Path(path(dataset) + "/round=" + round))) {
                        String name = f.getPath().getName();
                        if (f.isFile() && name.endsWith(".parquet") && !name.startsWith("_") && !name.startsWith(".")) {
                            String why = parquetProblem(f);
                            if (why != null) {
                                out.add(new Unreadable(dataset, round, f.getPath().toString(), why));
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Why a Parquet file cannot be read (null if it looks whole): magic bytes and footer length. */
    private String parquetProblem(FileStatus f) throws IOException {
        long n = f.getLen();
        if (n < 12) {
            return "truncated: " + n + " bytes, shorter than any Parquet file";
        }
        byte[] head = new byte[4];
        byte[] tail = new byte[8];
        // the bytes as they are (a local file system's checksums would only say that they changed)
        FileSystem raw = fs instanceof org.apache.hadoop.fs.ChecksumFileSystem c ? c.getRawFileSystem() : fs;
        try (FSDataInputStream in = raw.open(f.getPath())) {
            in.readFully(0, head);
            in.readFully(n - 8, tail);
        } catch (IOException e) { // a checksum that does not match (local file systems keep .crc files), a bad block
            return "cannot be read: " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        byte[] magic = "PAR1".getBytes(StandardCharsets.US_ASCII);
        if (!java.util.Arrays.equals(head, magic)) {
            return "not a Parquet file (no PAR1 magic at its start)";
        }
        if (!java.util.Arrays.equals(java.util.Arrays.copyOfRange(tail, 4, 8), magic)) {
            return "truncated: no Parquet footer at its end (" + n + " bytes)";
        }
        long footer = java.nio.ByteBuffer.wrap(tail, 0, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt()
                & 0xffffffffL;
        if (footer + 12 > n) {
            return "corrupt: its footer claims " + footer + " bytes of a " + n + "-byte file";
        }
        return null;
    }

    /**
     * Moves the rounds from {@code fromRound} on, of every dataset, to {@code _quarantine/<millis>/} (nothing is
     * deleted): the next run evaluates them again; they are seeded, so they reproduce. Returns what moved.
     */
    public List<String> quarantineFrom(int fromRound) {
        Path target = new Path(root, "_quarantine/" + System.currentTimeMillis());
        List<String> moved = new ArrayList<>();
        try {
            for (FileStatus d : fs.listStatus(new Path(root))) {
                String dataset = d.getPath().getName();
                if (!d.isDirectory() || dataset.startsWith("_") || dataset.startsWith(".")) {
                    continue;
                }
                for (int round : committedRounds(dataset)) {
                    if (round >= fromRound) {
                        Path from = new Path(path(dataset) + "/round=" + round);
                        Path to = new Path(target, dataset + "/round=" + round);
                        fs.mkdirs(to.getParent());
                        if (!fs.rename(from, to)) {
                            throw new IOException("rename of " + from + " to " + to + " failed");
                        }
                        moved.add(dataset + "/round=" + round);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot quarantine under " + target + ": " + e.getMessage(), e);
        }
        return moved;
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

    /**
     * Commits rows as one more file of {@code dataset/round=N}: written by the driver ({@link ParquetRows}, no Spark
     * job) to {@code _staging}, then renamed into the round's folder as {@code fileName} (a file rename is atomic:
     * readers see it whole or not at all). How an asynchronous search commits each candidate as it finishes.
     */
    public void commitFile(String dataset, int round, List<Row> rows, StructType schema, String fileName) {
        Path dir = new Path(path(dataset) + "/round=" + round);
        Path target = new Path(dir, fileName);
        Path staged = new Path(root + "/" + STAGING + "/" + dataset + "-" + UUID.randomUUID() + "-" + fileName);
        try {
            if (fs.exists(target)) {
                throw new IllegalStateException(target + " is already committed; a commit is never rewritten");
            }
            ParquetRows.write(fs.getConf(), fs.makeQualified(staged), schema, rows);
            fs.mkdirs(dir);
            if (!fs.rename(staged, target)) {
                throw new IOException("rename of " + staged + " to " + target + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Rewrites the data files of {@code dataset/round=N} as one file, with the same rows: the new folder is written
     * to {@code _staging}, the old one renamed aside ({@code _staging/compacted-*}), the new one renamed into its
     * place, the old one deleted. A reader sees the old files or the new one (between the two renames, briefly, no
     * round; {@link #recoverCompaction} puts the old one back after a crash there). Returns the files merged (0 when
     * there was nothing to merge).
     */
    public int compact(String dataset, int round) {
        Path dir = new Path(path(dataset) + "/round=" + round);
        try {
            List<FileStatus> files = dataFiles(dir);
            if (files.size() < 2) {
                return 0;
            }
            StructType schema = spark.read().parquet(dir.toString()).schema();
            Path staged = new Path(root + "/" + STAGING + "/compact-" + UUID.randomUUID());
            spark.read().schema(schema).parquet(dir.toString()).coalesce(1).write().mode(SaveMode.ErrorIfExists)
                    .parquet(staged.toString());
            Path aside = new Path(root + "/" + STAGING + "/compacted-" + dataset + "-round=" + round + "-"
                    + UUID.randomUUID());
            if (!fs.rename(dir, aside)) {
                throw new IOException("rename of " + dir + " to " + aside + " failed");
            }
            if (!fs.rename(staged, dir)) {
                throw new IOException("rename of " + staged + " to " + dir + " failed");
            }
            fs.delete(aside, true);
            return files.size();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compact " + dir + ": " + e.getMessage(), e);
        }
    }

    /** After a crash inside {@link #compact}: a round renamed aside but not replaced is put back. */
    public void recoverCompaction() {
        Path staging = new Path(root, STAGING);
        try {
            if (!fs.exists(staging)) {
                return;
            }
            for (FileStatus f : fs.listStatus(staging)) {
                String name = f.getPath().getName();
                if (name.startsWith("compacted-")) {
                    String rest = name.substring("compacted-".length());
                    String dataset = rest.substring(0, rest.indexOf("-round="));
                    // compacted-<dataset>-round=<N>-<36-character UUID>
                    String round = rest.substring(rest.indexOf("-round=") + "-round=".length(), rest.length() - 37);
                    Path dir = new Path(path(dataset) + "/round=" + round);
                    if (!fs.exists(dir)) {
                        fs.rename(f.getPath(), dir);
                    } else {
                        fs.delete(f.getPath(), true);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot recover an interrupted compaction under " + staging + ": "
                    + e.getMessage(), e);
        }
    }

    /** The Parquet data files of a folder (not Spark's markers, checksums or hidden files). */
    private List<FileStatus> dataFiles(Path dir) throws IOException {
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

    /**
     * Moves the asynchronous search's commits from tell {@code fromSeq} on to {@code _quarantine/<millis>/}: the next
     * run replays the tells before it and evaluates the rest again. Returns what moved.
     */
    public List<String> quarantineTellsFrom(int fromSeq) {
        Path dir = new Path(path(CANDIDATES) + "/round=0");
        Path target = new Path(root, "_quarantine/" + System.currentTimeMillis() + "/" + CANDIDATES + "/round=0");
        List<String> moved = new ArrayList<>();
        try {
            fs.mkdirs(target);
            for (FileStatus f : dataFiles(dir)) {
                java.util.OptionalInt seq = tellSeq(f.getPath().getName());
                if (seq.isPresent() && seq.getAsInt() >= fromSeq) {
                    if (!fs.rename(f.getPath(), new Path(target, f.getPath().getName()))) {
                        throw new IOException("rename of " + f.getPath() + " failed");
                    }
                    moved.add(CANDIDATES + "/round=0/" + f.getPath().getName());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot quarantine under " + target + ": " + e.getMessage(), e);
        }
        return moved;
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

    /** The candidates an asynchronous search committed (round 0), in the order they were told. */
    public List<Told> readTold() {
        List<Told> out = new ArrayList<>();
        if (!committedRounds(CANDIDATES).contains(0)) {
            return out;
        }
        List<Row> rows = spark.read().schema(ResultSchema.CANDIDATES).parquet(path(CANDIDATES) + "/round=0")
                .orderBy("tell_seq").collectAsList();
        for (Row r : rows) {
            Integer seq = r.getAs("tell_seq");
            Integer before = r.getAs("asked_before");
            if (seq == null || before == null) {
                throw new IllegalStateException(path(CANDIDATES) + "/round=0 holds a row without tell_seq: not an "
                        + "asynchronous sweep");
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
    public static void writeWhole(FileSystem fs, String path, byte[] bytes) throws IOException {
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

    public static byte[] readWhole(FileSystem fs, String path) throws IOException {
        try (FSDataInputStream in = fs.open(new Path(path))) {
            return in.readAllBytes();
        }
    }
}

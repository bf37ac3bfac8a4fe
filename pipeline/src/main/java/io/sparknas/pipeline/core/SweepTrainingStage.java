package io.sparknas.pipeline.core;

import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.estimators.spec.SweepTraining;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The core's stage for an estimator that trains once per sweep before it scores ({@link
 * EstimatorSpec#sweepTraining()}: a weight-sharing supernet). A Spark-task stage: one task trains, reporting each
 * epoch, and writes the checkpoint under the sweep's {@value #DIR}/ as one whole file named by its content's
 * hash (so that two sweeps' supernets never share a name when Spark ships them); a rerun finds it and does not
 * train again. The checkpoint is shipped to the executors ({@code addFile}) and the stage gives the spec that
 * reads it.
 */
public final class SweepTrainingStage {
    /** The sweep's directory of trained estimators. */
    public static final String DIR = "supernet";

    private SweepTrainingStage() {
    }

    /** {@code spec} ready to score: trained (or found trained) first where it needs to be. */
    public static EstimatorSpec prepare(SweepRun run, EstimatorSpec spec) {
        Optional<SweepTraining> training = spec.sweepTraining();
        if (training.isEmpty()) {
            spec.filesToShip().forEach(f -> run.jsc().sc().addFile(f));
            return spec;
        }
        SweepTraining t = training.get();
        String dir = run.sweep().store().root() + "/" + DIR;
        HadoopSettings hadoop = HadoopSettings.of(run.jsc().hadoopConfiguration());
        String stem = t.fileName().replaceFirst("\\.ckpt$", "");
        String checkpoint = new TaskStage<>("supernet", () -> find(hadoop, dir, stem).isPresent(),
                () -> find(hadoop, dir, stem).orElseThrow(), progress -> {
                    run.log().accept("training the estimator's supernet in one Spark task (" + t.fileName() + ")");
                    long t0 = System.nanoTime();
                    String written = run.jsc().parallelize(List.of(0), 1).map(i -> {
                        byte[] bytes = t.train(ExecutorInfo.device(),
                                (epoch, metrics) -> progress.add(new EpochReport("training", epoch, metrics)));
                        String path = dir + "/" + stem + "-" + hash(bytes) + ".ckpt";
                        WholeFiles.writeWhole(new Path(path).getFileSystem(hadoop.configuration()), path, bytes);
                        return path;
                    }).collect().get(0);
                    run.log().accept("trained the supernet in " + Durations.since(t0) + ": " + written);
                    return written;
                }, "resuming: the supernet is trained (" + dir + ")").run(run);
        run.jsc().sc().addFile(checkpoint);
        return t.trained(checkpoint);
    }

    /** The trained checkpoint under {@code dir}, if there is one (written whole, by a rename). */
    static Optional<String> find(HadoopSettings hadoop, String dir, String stem) {
        try {
            Path d = new Path(dir);
            FileSystem fs = d.getFileSystem(hadoop.configuration());
            if (!fs.exists(d)) {
                return Optional.empty();
            }
            return Arrays.stream(fs.listStatus(d)).map(FileStatus::getPath).map(Path::getName)
                    .filter(n -> n.startsWith(stem + "-") && n.endsWith(".ckpt")).sorted().findFirst()
                    .map(n -> dir + "/" + n);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String hash(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

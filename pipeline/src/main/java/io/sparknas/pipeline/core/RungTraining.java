package io.sparknas.pipeline.core;

import io.sparknas.estimators.Estimator;
import io.sparknas.estimators.EvaluationContext;
import io.sparknas.estimators.TrainingSpan;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One rung's part of a candidate's training, as a Spark task runs it: the saved states it may continue from
 * ({@code resumeFrom}, latest first, on the sweep's storage: a local folder, {@code hdfs://}, {@code s3a://}) are
 * copied to the executor's disk, the estimator trains its {@link TrainingSpan}, and the state reached is copied to
 * {@code saveTo} before the result goes back, so that a committed result always has its state where the next rung
 * looks. A state that cannot be copied is passed to the estimator as absent (it counts it as skipped and continues
 * from an earlier one, or from scratch).
 */
record RungTraining(int toEpoch, int maxEpochs, List<String> resumeFrom, String saveTo, HadoopSettings hadoop)
        implements Serializable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RungTraining.class);

    RungTraining {
        resumeFrom = List.copyOf(resumeFrom);
    }

    /** Runs on the executor. */
    Evaluation run(Estimator estimator, Candidate c, EvaluationContext context) throws IOException {
        java.nio.file.Path local = Files.createTempDirectory("sparknas-rung-");
        try {
            FileSystem fs = new Path(saveTo).getFileSystem(hadoop.configuration());
            fs.setWriteChecksum(false);
            long copying = System.nanoTime();
            List<java.nio.file.Path> states = new ArrayList<>();
            for (int i = 0; i < resumeFrom.size(); i++) {
                java.nio.file.Path copy = local.resolve("from-" + i);
                states.add(copy);
                try {
                    Path from = new Path(resumeFrom.get(i));
                    if (fs.exists(from)) {
                        fs.copyToLocalFile(false, from, new Path(copy.toUri()), true);
                    }
                } catch (IOException e) {
                    LOG.warn("candidate {}: cannot copy its state {} ({})", c.id(), resumeFrom.get(i), e.getMessage());
                }
            }
            long copiedIn = System.nanoTime() - copying;
            java.nio.file.Path save = local.resolve("save");
            Evaluation e = estimator.evaluate(c, context.training(new TrainingSpan(toEpoch, maxEpochs, states, save)));
            copying = System.nanoTime();
            if (Files.isDirectory(save)) {
                Path target = new Path(saveTo);
                fs.delete(target, true); // a state left by an attempt that did not report is replaced whole
                fs.mkdirs(target.getParent());
                fs.copyFromLocalFile(false, true, new Path(save.toUri()), target);
            }
            double seconds = (copiedIn + System.nanoTime() - copying) / 1e9;
            return e.withMetrics(java.util.Map.of(io.sparknas.space.Metrics.TRANSFER_SECONDS, seconds));
        } finally {
            try (Stream<java.nio.file.Path> files = Files.walk(local)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (UncheckedIOException | IOException ignored) {
                // a temporary folder left behind is the executor's to clean
            }
        }
    }
}

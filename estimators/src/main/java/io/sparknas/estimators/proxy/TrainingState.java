package io.sparknas.estimators.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparknas.space.Metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Where a paused training stands, saved beside its parameters and momentum ({@link ProxyTrainer#saveState}) as
 * {@code progress.json}: the epochs done (the data order is replayed from the candidate's seed up to there, the
 * schedule continues from the steps done), the metrics recorded so far (the learning curve), seconds trained, and the
 * best training accuracy of any epoch (the stuck-at-chance check looks at the whole training). Written last, so a
 * state whose writing was cut short has no progress file and is passed over.
 *
 * @param candidateId whose training it is (a state of another candidate is refused)
 */
record TrainingState(String candidateId, long seed, int epoch, int maxEpochs, int stepsPerEpoch,
                     Map<String, Double> metrics, double trainSeconds, double bestTrainAccuracy) {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String PROGRESS = "progress.json";

    TrainingState {
        metrics = Map.copyOf(metrics);
    }

    /** Reads the progress of a saved state; the parameters are loaded by the trainer built for it. */
    static TrainingState read(Path dir) throws IOException {
        Path file = dir.resolve(PROGRESS);
        if (!Files.isRegularFile(file)) {
            throw new IOException(dir + " holds no " + PROGRESS + " (its writing did not finish)");
        }
        try {
            return JSON.readValue(file.toFile(), TrainingState.class);
        } catch (IOException e) {
            throw new IOException(file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Saves the trainer's state and then this progress into {@code dir}; returns the bytes written in all. */
    long write(Path dir, ProxyTrainer trainer) throws IOException {
        Files.createDirectories(dir);
        trainer.saveState(dir);
        Path tmp = dir.resolve(PROGRESS + ".tmp");
        JSON.writeValue(tmp.toFile(), this);
        Files.move(tmp, dir.resolve(PROGRESS), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }

    /** The recorded metrics with this state's place in the training (see {@link Metrics#RESUMED_FROM_EPOCH}). */
    Map<String, Double> resumedMetrics() {
        Map<String, Double> m = new TreeMap<>(metrics);
        m.put(Metrics.RESUMED_FROM_EPOCH, (double) epoch);
        return m;
    }
}

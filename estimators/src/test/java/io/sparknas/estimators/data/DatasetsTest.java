package io.sparknas.estimators.data;

import io.sparknas.space.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetsTest {

    /** Writes an IDX pair with {@code n} 4x4 images; image i has every pixel = i and label i % 10. */
    static void writeIdx(Path dir, String prefix, int n, boolean gzip) throws IOException {
        ByteArrayOutputStream img = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(img);
        d.writeInt(IdxReader.IMAGES_MAGIC);
        d.writeInt(n);
        d.writeInt(4);
        d.writeInt(4);
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < 16; p++) {
                d.writeByte(i);
            }
        }
        ByteArrayOutputStream lab = new ByteArrayOutputStream();
        DataOutputStream l = new DataOutputStream(lab);
        l.writeInt(IdxReader.LABELS_MAGIC);
        l.writeInt(n);
        for (int i = 0; i < n; i++) {
            l.writeByte(i % 10);
        }
        write(dir.resolve(prefix + "-images-idx3-ubyte" + (gzip ? ".gz" : "")), img.toByteArray(), gzip);
        write(dir.resolve(prefix + "-labels-idx1-ubyte" + (gzip ? ".gz" : "")), lab.toByteArray(), gzip);
    }

    static void write(Path file, byte[] data, boolean gzip) throws IOException {
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(data);
        }
    }

    @Test
    void readsGzippedAndPlainIdxAndSplitsPerClass(@TempDir Path dir) throws IOException {
        writeIdx(dir, "train", 100, true);
        writeIdx(dir, "t10k", 30, false);
        Datasets.Split split = Datasets.load(new DataConfig("mnist", dir.toString(), 3, 1, 2, 1, 0));
        assertEquals(30, split.train().size());
        assertEquals(20, split.validation().size());
        assertEquals(10, split.test().size());
        assertArrayEquals(new int[] {3, 3, 3, 3, 3, 3, 3, 3, 3, 3}, split.train().classCounts());
        // class 0 is images 0, 10, 20 (train) then 30, 40 (validation): disjoint, in file order
        assertEquals(30, split.validation().pixels()[0] & 0xff);
        assertEquals(20, split.train().pixels()[16 * 20] & 0xff);
    }

    /** A search learns from the training images only: halved per class, disjoint, validation and test untouched. */
    @Test
    void aSearchsHalvesAreTheTrainingImagesSplitPerClassAndNeverTheValidation(@TempDir Path dir) throws IOException {
        writeIdx(dir, "train", 100, false);
        Datasets.Split split = Datasets.load(new DataConfig("mnist", dir.toString(), 4, 1, 2, 0, 0));
        Datasets.Split search = split.searchHalves();
        assertArrayEquals(new int[] {2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, search.train().classCounts());
        assertArrayEquals(new int[] {2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, search.validation().classCounts());
        java.util.Set<Integer> w = new java.util.HashSet<>();
        java.util.Set<Integer> alpha = new java.util.HashSet<>();
        java.util.Set<Integer> train = new java.util.HashSet<>();
        java.util.Set<Integer> validation = new java.util.HashSet<>();
        for (int i = 0; i < 20; i++) { // every image's pixels are its index in the file
            w.add(search.train().pixels()[16 * i] & 0xff);
            alpha.add(search.validation().pixels()[16 * i] & 0xff);
            validation.add(split.validation().pixels()[16 * i] & 0xff);
        }
        for (int i = 0; i < 40; i++) {
            train.add(split.train().pixels()[16 * i] & 0xff);
        }
        assertTrue(java.util.Collections.disjoint(w, alpha), w + " " + alpha);
        java.util.Set<Integer> both = new java.util.HashSet<>(w);
        both.addAll(alpha);
        assertEquals(train, both, "the halves are the training images");
        assertTrue(java.util.Collections.disjoint(both, validation), "the search never sees the validation images");
        assertEquals(0, search.test().size());
        assertEquals(split.normalization(), search.normalization());
    }

    @Test
    void fractionTakesTheSameShareOfEveryClass(@TempDir Path dir) throws IOException {
        writeIdx(dir, "train", 100, false);
        Datasets.Split split = Datasets.load(new DataConfig("mnist", dir.toString(), 0, 0.5, 2, 0, 0));
        assertEquals(40, split.train().size());
        assertEquals(0, split.test().size());
    }

    @Test
    void wrongMagicNumberNamesTheFile(@TempDir Path dir) throws IOException {
        writeIdx(dir, "train", 20, false);
        Path images = dir.resolve("train-images-idx3-ubyte");
        byte[] b = Files.readAllBytes(images);
        b[3] = 0x01;
        Files.write(images, b);
        DatasetException e = assertThrows(DatasetException.class,
                () -> Datasets.read("mnist", dir, true));
        assertTrue(e.getMessage().startsWith(images.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("wrong magic number 0x00000801"), e.getMessage());
    }

    @Test
    void truncatedFileIsReported(@TempDir Path dir) throws IOException {
        writeIdx(dir, "train", 20, false);
        Path images = dir.resolve("train-images-idx3-ubyte");
        byte[] b = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(b, b.length - 5));
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.read("mnist", dir, true));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void countMismatchAndLabelOutOfRangeAreReported(@TempDir Path dir) throws IOException {
        writeIdx(dir, "train", 20, false);
        Path other = Files.createDirectory(dir.resolve("other"));
        writeIdx(other, "train", 21, false);
        Files.copy(other.resolve("train-labels-idx1-ubyte"), dir.resolve("train-labels-idx1-ubyte"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.read("mnist", dir, true));
        assertTrue(e.getMessage().contains("holds 21 labels but train-images-idx3-ubyte holds 20 images"), e.getMessage());

        writeIdx(dir, "train", 20, false);
        Path labels = dir.resolve("train-labels-idx1-ubyte");
        byte[] b = Files.readAllBytes(labels);
        b[8 + 7] = 12;
        Files.write(labels, b);
        e = assertThrows(DatasetException.class, () -> Datasets.read("mnist", dir, true));
        assertTrue(e.getMessage().contains("label 12 of image 7 is out of range [0, 10)"), e.getMessage());
    }

    @Test
    void missingFilesAndDirectoriesSayWhatToDo(@TempDir Path dir) {
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.read("mnist", dir, true));
        assertTrue(e.getMessage().contains("file not found"), e.getMessage());
        e = assertThrows(DatasetException.class,
                () -> Datasets.load(new DataConfig("cifar10", dir.resolve("nope").toString(), 1, 1, 1, 0, 0)));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    /** Writes a CIFAR-10 batch in the official format: n records of label + 3072 bytes. */
    static void writeCifar(Path file, int n, int firstLabel) throws IOException {
        byte[] data = new byte[n * Cifar10Reader.RECORD];
        for (int i = 0; i < n; i++) {
            data[i * Cifar10Reader.RECORD] = (byte) ((firstLabel + i) % 10);
            data[i * Cifar10Reader.RECORD + 1] = (byte) 200;            // first red pixel
            data[i * Cifar10Reader.RECORD + 1 + 1024] = (byte) 100;     // first green pixel
        }
        Files.write(file, data);
    }

    @Test
    void readsCifar10BinaryBatches(@TempDir Path dir) throws IOException {
        for (String f : Cifar10Reader.TRAIN_FILES) {
            writeCifar(dir.resolve(f), 20, 0);
        }
        writeCifar(dir.resolve(Cifar10Reader.TEST_FILE), 10, 0);
        Datasets.Split split = Datasets.load(new DataConfig("cifar10", dir.toString(), 5, 1, 2, 1, 0));
        assertEquals(50, split.train().size());
        assertEquals(3, split.train().channels());
        assertEquals(32, split.train().height());
        assertEquals(200, split.train().pixels()[0] & 0xff);
        assertEquals(100, split.train().pixels()[1024] & 0xff);
        assertEquals(10, split.test().size());
    }

    @Test
    void truncatedCifarBatchIsReported(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("data_batch_1.bin");
        writeCifar(f, 3, 0);
        Files.write(f, Arrays.copyOf(Files.readAllBytes(f), 3 * Cifar10Reader.RECORD - 1));
        DatasetException e = assertThrows(DatasetException.class, () -> Cifar10Reader.read("c", List.of(f)));
        assertTrue(e.getMessage().contains("not a whole number of CIFAR-10 records"), e.getMessage());
        writeCifar(f, 3, 0);
        byte[] b = Files.readAllBytes(f);
        b[Cifar10Reader.RECORD] = 10;
        Files.write(f, b);
        e = assertThrows(DatasetException.class, () -> Cifar10Reader.read("c", List.of(f)));
        assertTrue(e.getMessage().contains("label 10 of record 1"), e.getMessage());
    }

    @Test
    void resizeKeepsConstantImagesConstant(@TempDir Path dir) throws IOException {
        writeIdx(dir, "train", 20, false);
        ImageSet set = Datasets.read("mnist", dir, true).resize(7);
        assertEquals(7, set.height());
        assertEquals(5, set.pixels()[5 * 49 + 20] & 0xff);
    }

    @Test
    void normalisedBatchHasZeroMeanOverTheTrainingSet(@TempDir Path dir) throws IOException {
        writeIdx(dir, "train", 50, false);
        ImageSet set = Datasets.read("mnist", dir, true);
        ImageSet.Normalization norm = set.statistics();
        int[] all = java.util.stream.IntStream.range(0, set.size()).toArray();
        double mean = 0;
        for (float v : set.batch(all, norm)) {
            mean += v;
        }
        assertEquals(0, mean / (50 * 16), 1e-4);
    }

    @Test
    void readsDebiansFashionMnist() {
        Path dir = Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR);
        TestData.require(Files.isDirectory(dir), "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        Datasets.Split split = Datasets.load(new DataConfig("fashion-mnist", "", 100, 1, 50, 20, 0));
        assertEquals(1000, split.train().size());
        assertEquals(500, split.validation().size());
        assertEquals(200, split.test().size());
        assertEquals(28, split.train().height());
        // Fashion-MNIST's mean pixel is about 0.286
        assertEquals(0.286, split.normalization().mean()[0], 0.02);
    }
}

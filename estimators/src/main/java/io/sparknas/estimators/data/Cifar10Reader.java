package io.sparknas.estimators.data;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads CIFAR-10's binary batches ({@code data_batch_1.bin} ... {@code data_batch_5.bin}, {@code test_batch.bin}):
 * records of one label byte followed by 3,072 pixel bytes (1,024 red, 1,024 green, 1,024 blue, row-major 32x32).
 */
public final class Cifar10Reader {
    public static final int RECORD = 1 + 3 * 32 * 32;
    public static final List<String> TRAIN_FILES = List.of("data_batch_1.bin", "data_batch_2.bin",
            "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    public static final String TEST_FILE = "test_batch.bin";

    private Cifar10Reader() {
    }

    public static ImageSet read(String name, List<Path> batches) {
        long total = 0;
        for (Path b : batches) {
            long size;
            try {
                size = Files.size(b);
            } catch (IOException e) {
                throw IdxReader.ioError(b, e);
            }
            if (size == 0 || size % RECORD != 0) {
                throw new DatasetException(b, "size " + size + " bytes is not a whole number of CIFAR-10 records of "
                        + RECORD + " bytes (truncated or not a CIFAR-10 binary batch)");
            }
            total += size / RECORD;
        }
        int n = Math.toIntExact(total);
        byte[] px = new byte[n * (RECORD - 1)];
        int[] labels = new int[n];
        int i = 0;
        byte[] rec = new byte[RECORD];
        for (Path b : batches) {
            try (DataInputStream in = IdxReader.open(b)) {
                long records = Files.size(b) / RECORD;
                for (long r = 0; r < records; r++, i++) {
                    in.readFully(rec);
                    int label = rec[0] & 0xff;
                    if (label >= 10) {
                        throw new DatasetException(b, "label " + label + " of record " + r + " is out of range [0, 10)");
                    }
                    labels[i] = label;
                    System.arraycopy(rec, 1, px, i * (RECORD - 1), RECORD - 1);
                }
            } catch (IOException e) {
                throw IdxReader.ioError(b, e);
            }
        }
        return new ImageSet(name, px, labels, 3, 32, 32, 10);
    }
}

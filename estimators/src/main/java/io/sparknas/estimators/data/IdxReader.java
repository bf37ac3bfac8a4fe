package io.sparknas.estimators.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX format of MNIST and Fashion-MNIST (LeCun et al.): big-endian magic 0x00000803 for images
 * (count, rows, cols, then bytes) and 0x00000801 for labels (count, then bytes). Gzipped files are detected
 * by their content, not their name.
 */
public final class IdxReader {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;

    private IdxReader() {
    }

    /** Reads an image file and its label file; every error names the file and what is wrong with it. */
    public static ImageSet read(String name, Path images, Path labels, int classes) {
        byte[] px;
        int count;
        int rows;
        int cols;
        try (DataInputStream in = open(images)) {
            int magic = in.readInt();
            if (magic != IMAGES_MAGIC) {
                throw new DatasetException(images, String.format("wrong magic number 0x%08x, expected 0x%08x "
                        + "(an IDX image file)", magic, IMAGES_MAGIC));
            }
            count = in.readInt();
            rows = in.readInt();
            cols = in.readInt();
            if (count < 0 || rows <= 0 || cols <= 0) {
                throw new DatasetException(images, "invalid header: " + count + " images of " + rows + "x" + cols);
            }
            px = new byte[Math.multiplyExact(count, rows * cols)];
            readFully(in, px, images, count + " images of " + rows + "x" + cols);
        } catch (IOException e) {
            throw ioError(images, e);
        }
        int[] lb;
        try (DataInputStream in = open(labels)) {
            int magic = in.readInt();
            if (magic != LABELS_MAGIC) {
                throw new DatasetException(labels, String.format("wrong magic number 0x%08x, expected 0x%08x "
                        + "(an IDX label file)", magic, LABELS_MAGIC));
            }
            int n = in.readInt();
            if (n != count) {
                throw new DatasetException(labels, "holds " + n + " labels but " + images.getFileName() + " holds "
                        + count + " images");
            }
            byte[] raw = new byte[n];
            readFully(in, raw, labels, n + " labels");
            lb = new int[n];
            for (int i = 0; i < n; i++) {
                lb[i] = raw[i] & 0xff;
                if (lb[i] >= classes) {
                    throw new DatasetException(labels, "label " + lb[i] + " of image " + i + " is out of range [0, "
                            + classes + ")");
                }
            }
        } catch (IOException e) {
            throw ioError(labels, e);
        }
        return new ImageSet(name, px, lb, 1, rows, cols, classes);
    }

    static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
        return new DataInputStream(in);
    }

    static void readFully(DataInputStream in, byte[] buf, Path file, String what) {
        try {
            in.readFully(buf);
        } catch (EOFException e) {
            throw new DatasetException(file, "truncated: the header announces " + what + " but the file ends early");
        } catch (IOException e) {
            throw ioError(file, e);
        }
    }

    static DatasetException ioError(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new DatasetException(file, "file not found", e);
        }
        if (e instanceof EOFException) {
            return new DatasetException(file, "truncated: the file ends inside its header", e);
        }
        return new DatasetException(file, "cannot be read (" + e + ")", e);
    }
}

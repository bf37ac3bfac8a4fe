package io.sparknas.estimators.data;

import java.nio.file.Path;

/** A dataset file that cannot be used: the message names the file, the problem and the fix where there is one. */
public class DatasetException extends RuntimeException {
    public DatasetException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public DatasetException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}

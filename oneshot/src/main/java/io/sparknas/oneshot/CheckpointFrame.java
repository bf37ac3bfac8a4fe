package io.sparknas.oneshot;

import ai.djl.ndarray.NDList;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * How a supernet checkpoint is framed, whichever supernet it holds: a length-prefixed JSON header that names its
 * format (and says what the supernet is), then the arrays in DJL's {@link NDList} encoding.
 */
public final class CheckpointFrame {
    public static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointFrame() {
    }

    /** The header, its {@code format} field set to {@code format}, then {@code arrays}. */
    public static byte[] write(String format, ObjectNode header, NDList arrays) {
        header.put("format", format);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
            out.writeInt(h.length);
            out.write(h);
            out.write(arrays.encode());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads the header from {@code in} (left at the arrays); a file that is empty, truncated, unreadable or of another
     * format is refused in one line: "{@code where} is not a {@code what} (why)".
     */
    public static JsonNode header(DataInputStream in, String where, String format, String what) {
        String not = where + " is not a " + what;
        int n;
        try {
            n = in.readInt();
        } catch (IOException e) {
            throw new IllegalArgumentException(not + " (empty or truncated)");
        }
        if (n <= 0 || n > 1 << 20) {
            throw new IllegalArgumentException(not);
        }
        JsonNode h;
        try {
            h = JSON.readTree(in.readNBytes(n));
        } catch (IOException e) {
            throw new IllegalArgumentException(not + " (unreadable header)");
        }
        if (!format.equals(h.path("format").asText())) {
            throw new IllegalArgumentException(not + " (format '" + h.path("format").asText() + "', expected " + format
                    + ")");
        }
        return h;
    }
}

package io.sparknas.oneshot.spos;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.oneshot.CheckpointFrame;
import io.sparknas.space.nb201.Nb201NetworkConfig;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.List;

/**
 * A single-path supernet as bytes: a header (format, the network skeleton, how it was trained, its epochs'
 * training loss) and its arrays in DJL's {@link NDList} encoding. Reading refuses a checkpoint of another format
 * or skeleton, naming what differs.
 */
public final class SinglePathCheckpoint {
    private static final String FORMAT = "sparknas-nb201-single-path-1";
    private static final ObjectMapper JSON = CheckpointFrame.JSON;

    /** What a checkpoint says about itself. */
    public record Header(Nb201NetworkConfig network, int epochs, long seed, List<Double> trainLoss) {
    }

    private SinglePathCheckpoint() {
    }

    public static byte[] write(SinglePathNb201 supernet, int epochs, long seed, List<Double> trainLoss) {
        return write(supernet, epochs, "uniform", seed, trainLoss);
    }

    /** The same, saying how its paths were sampled ({@code uniform} or {@code fair}). */
    public static byte[] write(SinglePathNb201 supernet, int epochs, String sampling, long seed,
                               List<Double> trainLoss) {
        ObjectNode h = JSON.createObjectNode();
        h.set("network", JSON.valueToTree(supernet.shape()));
        h.put("epochs", epochs);
        h.put("sampling", sampling);
        h.put("seed", seed);
        h.set("trainLoss", JSON.valueToTree(trainLoss));
        return CheckpointFrame.write(FORMAT, h, supernet.toList());
    }

    /** The header of a checkpoint; an unreadable or foreign file is refused in one line. */
    public static Header header(byte[] bytes, String where) {
        return header(new DataInputStream(new ByteArrayInputStream(bytes)), where);
    }

    private static Header header(DataInputStream in, String where) {
        JsonNode h = CheckpointFrame.header(in, where, FORMAT, "sparknas single-path NAS-Bench-201 supernet");
        try {
            List<Double> loss = JSON.convertValue(h.path("trainLoss"),
                    JSON.getTypeFactory().constructCollectionType(List.class, Double.class));
            return new Header(JSON.treeToValue(h.get("network"), Nb201NetworkConfig.class), h.path("epochs").asInt(),
                    h.path("seed").asLong(), loss);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(where + " is not a sparknas single-path NAS-Bench-201 supernet ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }

    /**
     * What differs between a checkpoint's skeleton and the one configured ("" when nothing does), each as
     * "channels 16 in the checkpoint, 8 configured".
     */
    public static String differences(Nb201NetworkConfig saved, Nb201NetworkConfig configured) {
        StringBuilder sb = new StringBuilder();
        diff(sb, "input channels", saved.inputChannels(), configured.inputChannels());
        diff(sb, "input size", saved.inputSize(), configured.inputSize());
        diff(sb, "classes", saved.classes(), configured.classes());
        diff(sb, "channels", saved.channels(), configured.channels());
        diff(sb, "cells per stage", saved.cellsPerStage(), configured.cellsPerStage());
        return sb.toString();
    }

    private static void diff(StringBuilder sb, String what, int saved, int configured) {
        if (saved != configured) {
            sb.append(sb.length() == 0 ? "" : "; ").append(what).append(' ').append(saved)
                    .append(" in the checkpoint, ").append(configured).append(" configured");
        }
    }

    /** Loads a checkpoint into {@code supernet}, refusing one of another skeleton (naming what differs). */
    public static Header read(byte[] bytes, SinglePathNb201 supernet, String where) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        Header h = header(in, where);
        String differs = differences(h.network(), supernet.shape());
        if (!differs.isEmpty()) {
            throw new IllegalArgumentException(where + " is a supernet of another network: " + differs);
        }
        try (NDManager scope = supernet.manager().newSubManager()) {
            supernet.load(NDList.decode(scope, in.readAllBytes()));
        } catch (IOException e) {
            throw new IllegalArgumentException(where + " cannot be read: " + e.getMessage(), e);
        }
        return h;
    }
}

package io.sparknas.oneshot.ofa;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.oneshot.CheckpointFrame;
import io.sparknas.space.ofa.OfaSpace;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A supernet checkpoint as bytes, for whatever storage holds it (the pipeline writes them to the sweep's Hadoop
 * path): a header (format, the space, input channels, classes, the phase it ends) and the supernet's arrays in
 * DJL's {@link NDList} encoding. Reading refuses a checkpoint of another space, naming what differs.
 */
public final class Checkpoint {
    private static final String FORMAT = "sparknas-ofa-supernet-1";
    private static final ObjectMapper JSON = CheckpointFrame.JSON;

    /** What a checkpoint says about itself. */
    public record Header(OfaSpace space, int inputChannels, int classes, int phase, String phaseName) {
    }

    private Checkpoint() {
    }

    public static byte[] write(ElasticSupernet supernet, int phase, String phaseName) {
        ObjectNode h = JSON.createObjectNode();
        h.set("space", JSON.valueToTree(supernet.space()));
        h.put("inputChannels", supernet.inputChannels());
        h.put("classes", supernet.classes());
        h.put("phase", phase);
        h.put("phaseName", phaseName);
        return CheckpointFrame.write(FORMAT, h, supernet.toList());
    }

    /** The header of a checkpoint; an unreadable or foreign file is refused. */
    public static Header header(InputStream in, String where) throws IOException {
        JsonNode h = CheckpointFrame.header(new DataInputStream(in), where, FORMAT, "sparknas OFA checkpoint");
        return new Header(JSON.treeToValue(h.get("space"), OfaSpace.class), h.path("inputChannels").asInt(),
                h.path("classes").asInt(), h.path("phase").asInt(), h.path("phaseName").asText());
    }

    /**
     * Loads a checkpoint into {@code supernet}, which must be of the same space, input channels and classes: a
     * difference is refused with what differs. Returns its header.
     */
    public static Header read(byte[] bytes, ElasticSupernet supernet, String where) {
        try {
            java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(bytes);
            Header h = header(in, where);
            String differs = differences(h, supernet);
            if (!differs.isEmpty()) {
                throw new IllegalArgumentException(where + " is a supernet of another configuration: " + differs);
            }
            try (NDManager scope = supernet.manager().newSubManager()) {
                supernet.load(NDList.decode(scope, in.readAllBytes()));
            }
            return h;
        } catch (IOException e) {
            throw new IllegalArgumentException(where + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** What differs between a checkpoint's header and a supernet, or "" when nothing does. */
    public static String differences(Header h, ElasticSupernet supernet) {
        StringBuilder sb = new StringBuilder();
        OfaSpace a = h.space();
        OfaSpace b = supernet.space();
        diff(sb, "stemChannels", a.stemChannels(), b.stemChannels());
        diff(sb, "widths", a.widths(), b.widths());
        diff(sb, "strides", a.strides(), b.strides());
        diff(sb, "depths", a.depths(), b.depths());
        diff(sb, "kernels", a.kernels(), b.kernels());
        diff(sb, "expands", a.expands(), b.expands());
        diff(sb, "input channels", h.inputChannels(), supernet.inputChannels());
        diff(sb, "classes", h.classes(), supernet.classes());
        return sb.toString();
    }

    private static void diff(StringBuilder sb, String what, Object saved, Object current) {
        if (!saved.equals(current)) {
            sb.append(sb.length() == 0 ? "" : "; ").append(what).append(" ").append(saved).append(" in the checkpoint, ")
                    .append(current).append(" configured");
        }
    }
}

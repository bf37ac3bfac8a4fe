package io.sparknas.space.scaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.space.Keys;
import io.sparknas.space.NetworkSize;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201NetworkConfig;
import io.sparknas.space.nb201.Nb201Space;

/**
 * A NAS-Bench-201 cell built at a size and resolution of its own: compound scaling's candidates for a NAS-Bench-201
 * base (space {@value #NAME}). Depth is the cells per stage (the network's {@link NetworkSize#layers()}; its stem
 * multiplier is unused and 1). Text form: {@code {"cell": "|nor_conv_3x3~0|+...", "channels": 16,
 * "cellsPerStage": 2, "resolution": 24}}; its key joins the cell's functional key with the size.
 */
public record ScaledNb201(Nb201Cell cell, ScaledNetwork network) {
    public static final String NAME = "nb201-scaled";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The benchmark's skeleton of this network for images of {@code inputChannels} and {@code classes}. */
    public Nb201NetworkConfig config(int inputChannels, int classes) {
        return new Nb201NetworkConfig(inputChannels, network.resolution(), classes, network.size().channels(),
                network.size().layers());
    }

    public String text() {
        ObjectNode n = JSON.createObjectNode();
        n.put("cell", cell.text());
        n.put("channels", network.size().channels());
        n.put("cellsPerStage", network.size().layers());
        n.put("resolution", network.resolution());
        return n.toString();
    }

    public String key() {
        return Keys.of(Nb201Space.functionalString(cell) + "@" + network.size().channels() + "x"
                + network.size().layers() + "@" + network.resolution());
    }

    public static ScaledNb201 parse(String text) {
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("a " + NAME + " candidate is JSON, got '" + text + "'", e);
        }
        for (String field : new String[] {"cell", "channels", "cellsPerStage", "resolution"}) {
            if (!n.hasNonNull(field)) {
                throw new IllegalArgumentException("a " + NAME + " candidate needs '" + field + "': " + text);
            }
        }
        return new ScaledNb201(Nb201Cell.parse(n.get("cell").asText()), new ScaledNetwork(new NetworkSize(
                n.get("channels").asInt(), n.get("cellsPerStage").asInt(), 1), n.get("resolution").asInt()));
    }
}

package io.sparknas.space.scaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.space.Keys;
import io.sparknas.space.NetworkSize;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsSpace;
import io.sparknas.space.darts.DartsText;

/**
 * A DARTS genotype built at a size and resolution of its own: the candidates of compound scaling (space
 * {@value #NAME}). Its text form is JSON, {@code {"genotype": "Genotype(...)", "channels": 12, "layers": 6,
 * "stemMultiplier": 3, "resolution": 24}}; its key joins the genotype's canonical key with the size.
 */
public record ScaledDarts(DartsGenotype genotype, ScaledNetwork network) {
    public static final String NAME = "darts-scaled";
    private static final ObjectMapper JSON = new ObjectMapper();

    public String text() {
        ObjectNode n = JSON.createObjectNode();
        n.put("genotype", DartsText.format(genotype));
        n.put("channels", network.size().channels());
        n.put("layers", network.size().layers());
        n.put("stemMultiplier", network.size().stemMultiplier());
        n.put("resolution", network.resolution());
        return n.toString();
    }

    public String key() {
        return Keys.of(DartsSpace.canonicalText(genotype) + "@" + network.size().channels() + "x"
                + network.size().layers() + "x" + network.size().stemMultiplier() + "@" + network.resolution());
    }

    public static ScaledDarts parse(String text) {
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("a " + NAME + " candidate is JSON, got '" + text + "'", e);
        }
        for (String field : new String[] {"genotype", "channels", "layers", "stemMultiplier", "resolution"}) {
            if (!n.hasNonNull(field)) {
                throw new IllegalArgumentException("a " + NAME + " candidate needs '" + field + "': " + text);
            }
        }
        return new ScaledDarts(DartsText.parse(n.get("genotype").asText()), new ScaledNetwork(new NetworkSize(
                n.get("channels").asInt(), n.get("layers").asInt(), n.get("stemMultiplier").asInt()),
                n.get("resolution").asInt()));
    }
}

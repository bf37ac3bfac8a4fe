package io.sparknas.space.ofa;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.space.Keys;

/**
 * An OFA subnet as a network of its own, to be trained from scratch (the baseline OFA's subnets are compared with;
 * space {@value #NAME}): the subnet and the space that gives its widths and strides. Text form: JSON
 * {@code {"subnet": "k7e6 k5e4 | ...", "space": {"stemChannels": 8, "widths": [...], ...}}}.
 */
public record OfaNet(OfaSpace space, OfaSubnet subnet) {
    public static final String NAME = "ofa-net";
    private static final ObjectMapper JSON = new ObjectMapper();

    public OfaNet {
        space.check(subnet);
    }

    public String text() {
        ObjectNode n = JSON.createObjectNode();
        n.put("subnet", subnet.text());
        n.set("space", JSON.valueToTree(space));
        return n.toString();
    }

    public String key() {
        return Keys.of(NAME + ":" + text());
    }

    public static OfaNet parse(String text) {
        try {
            JsonNode n = JSON.readTree(text);
            if (!n.hasNonNull("subnet") || !n.hasNonNull("space")) {
                throw new IllegalArgumentException("a " + NAME + " candidate needs 'subnet' and 'space': " + text);
            }
            OfaSpace space = JSON.treeToValue(n.get("space"), OfaSpace.class);
            return new OfaNet(space, space.parse(n.get("subnet").asText()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("a " + NAME + " candidate is JSON, got '" + text + "'", e);
        }
    }
}

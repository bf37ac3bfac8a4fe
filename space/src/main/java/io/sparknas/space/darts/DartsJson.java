package io.sparknas.space.darts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.space.Operation;

import java.util.ArrayList;
import java.util.List;

/**
 * JSON form of a DARTS genotype, field for field DARTS's namedtuple:
 * {@code {"normal": [["sep_conv_3x3", 0], ...], "normal_concat": [2, 3, 4, 5], "reduce": [...], "reduce_concat": [...]}}.
 */
public final class DartsJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DartsJson() {
    }

    public static ObjectNode toJson(DartsGenotype g) {
        ObjectNode root = MAPPER.createObjectNode();
        root.set("normal", edges(g.normal()));
        root.set("normal_concat", ints(g.normal().concat()));
        root.set("reduce", edges(g.reduce()));
        root.set("reduce_concat", ints(g.reduce().concat()));
        return root;
    }

    public static String format(DartsGenotype g) {
        return toJson(g).toString();
    }

    public static DartsGenotype parse(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException("invalid DARTS genotype JSON: " + e.getMessage(), e);
        }
        return fromJson(root);
    }

    public static DartsGenotype fromJson(JsonNode root) {
        return new DartsGenotype(cell(root, "normal"), cell(root, "reduce"));
    }

    private static DartsCell cell(JsonNode root, String name) {
        JsonNode edges = root.get(name);
        if (edges == null || !edges.isArray()) {
            throw new IllegalArgumentException("DARTS genotype JSON needs an array field '" + name
                    + "' of [op, input] pairs");
        }
        List<DartsEdge> list = new ArrayList<>();
        for (JsonNode e : edges) {
            if (!e.isArray() || e.size() != 2 || !e.get(0).isTextual() || !e.get(1).isInt()) {
                throw new IllegalArgumentException("'" + name + "' entry " + e + " is not an [op, input] pair");
            }
            list.add(new DartsEdge(Operation.fromText(e.get(0).asText()), e.get(1).asInt()));
        }
        JsonNode concat = root.get(name + "_concat");
        if (concat == null) {
            return DartsCell.of(list);
        }
        List<Integer> c = new ArrayList<>();
        concat.forEach(n -> c.add(n.asInt()));
        return new DartsCell(list, c);
    }

    private static ArrayNode edges(DartsCell cell) {
        ArrayNode a = MAPPER.createArrayNode();
        for (DartsEdge e : cell.edges()) {
            a.addArray().add(e.op().text()).add(e.input());
        }
        return a;
    }

    private static ArrayNode ints(List<Integer> values) {
        ArrayNode a = MAPPER.createArrayNode();
        values.forEach(a::add);
        return a;
    }
}

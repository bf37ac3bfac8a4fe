package io.sparknas.pipeline.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The one JSON mapper of the pipeline (map keys sorted, so equal configurations write equal text), the canonical
 * form a sweep's semantics are hashed in, and the rule for sweep names (they are recorded in rows and name files).
 */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private Json() {
    }

    /** The start of a kind's semantics: an object whose {@code kind} is {@code kind}. */
    public static ObjectNode semanticsOf(String kind) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("kind", kind);
        return n;
    }

    /** Canonical JSON (keys sorted) of a tree, so that equal configurations hash equally. */
    public static String canonical(ObjectNode n) {
        try {
            return MAPPER.writeValueAsString(MAPPER.treeToValue(n, Object.class));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A sweep name: letters, digits, '.', '_', '-', and not only dots ('.' and '..' name directories, not a sweep);
     * anything else is refused in one line.
     */
    public static void checkName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9._-]+") || name.matches("\\.+")) {
            throw new IllegalArgumentException("sweep.name must be letters, digits, '.', '_' or '-', and not only "
                    + "dots, got '" + name + "'");
        }
    }
}

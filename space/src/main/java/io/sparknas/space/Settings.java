package io.sparknas.space;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Binds settings to configuration records by name: the jobs render a HOCON section as JSON and bind it here, and
 * tests write {@code Settings.override(ProxyConfig.defaults(), "epochs: 2, channels: 8")}, which reads like the
 * configuration file. Records validate themselves in their constructors; their message comes through unchanged
 * (Jackson's wrapping removed, prefixed with the path of the nested record it came from, e.g. {@code proxy.}), and
 * an unknown name is refused.
 */
public final class Settings {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES, JsonReadFeature.ALLOW_SINGLE_QUOTES,
                    JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Settings() {
    }

    /** Binds a JSON object (names unquoted or quoted) to {@code type}. */
    public static <T> T bind(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            StringBuilder where = new StringBuilder();
            for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : e.getPath()) {
                if (r.getFieldName() != null) {
                    where.append(r.getFieldName()).append('.');
                }
            }
            String message = String.valueOf(cause.getMessage());
            String path = where.toString();
            String last = path.isEmpty() ? "" : path.substring(path.lastIndexOf('.', path.length() - 2) + 1);
            if (!last.isEmpty() && message.startsWith(last)) { // the record named its own section already
                path = path.substring(0, path.length() - last.length());
            }
            throw new IllegalArgumentException(path + message, cause);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException("unknown setting '" + e.getPropertyName() + "'; known: "
                    + e.getKnownPropertyIds(), e);
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            StringBuilder where = new StringBuilder();
            for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : e.getPath()) {
                if (r.getFieldName() != null) {
                    where.append(where.length() == 0 ? "" : ".").append(r.getFieldName());
                }
            }
            throw new IllegalArgumentException((where.length() == 0 ? "cannot bind " + type.getSimpleName() : where)
                    + ": " + e.getOriginalMessage(), e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("cannot bind " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /**
     * {@code base} with the settings named in {@code overrides} ({@code "epochs: 2, sgd: ..."}, braces optional)
     * replaced, the record's validation applied to the result.
     */
    @SuppressWarnings("unchecked")
    public static <T> T override(T base, String overrides) {
        String text = overrides.strip();
        if (!text.startsWith("{")) {
            text = "{" + text + "}";
        }
        try {
            ObjectNode tree = JSON.valueToTree(base);
            JsonNode patch = JSON.readTree(text);
            tree.setAll((ObjectNode) patch);
            return bind(JSON.writeValueAsString(tree), (Class<T>) base.getClass());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("cannot read settings '" + overrides + "': " + e.getOriginalMessage(), e);
        }
    }
}

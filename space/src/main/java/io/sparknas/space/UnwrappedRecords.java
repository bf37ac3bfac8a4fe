package io.sparknas.space;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Binds a record whose components are {@link JsonUnwrapped} (settings written flat, e.g. {@code learningRate} beside
 * {@code epochs}, grouped into nested records in code) through its canonical constructor. Jackson binds such records
 * itself only since 2.19 ("Cannot define Creator property as @JsonUnwrapped" before), and Spark 3.5 holds Jackson at
 * 2.15; this is the one binding both Spark lines use. Each component takes the value of its name; an unwrapped one is
 * built, recursively, from the same flat object. An unknown name is refused ({@code FAIL_ON_UNKNOWN_PROPERTIES}), a
 * missing one is Java's default, and the constructor's own validation message comes through unchanged. Put
 * {@code @JsonDeserialize(using = UnwrappedRecords.class)} on the record.
 */
public final class UnwrappedRecords extends StdDeserializer<Record> implements ContextualDeserializer {
    private final JavaType type;

    public UnwrappedRecords() {
        this(null);
    }

    private UnwrappedRecords(JavaType type) {
        super(Record.class);
        this.type = type;
    }

    @Override
    public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) {
        JavaType t = ctxt.getContextualType() != null ? ctxt.getContextualType() : property.getType();
        return new UnwrappedRecords(t);
    }

    @Override
    public Record deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        JsonNode tree = p.readValueAsTree();
        if (!(tree instanceof ObjectNode object)) {
            return (Record) ctxt.handleUnexpectedToken(type, p);
        }
        if (ctxt.isEnabled(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)) { // as Jackson: before building
            Set<String> known = new LinkedHashSet<>();
            names(type.getRawClass(), known);
            for (var names = object.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!known.contains(name)) {
                    throw UnrecognizedPropertyException.from(p, type.getRawClass(), name, new ArrayList<>(known));
                }
            }
        }
        return build(type.getRawClass(), object, p, ctxt);
    }

    /** The names a record binds, unwrapped components flattened. */
    private static void names(Class<?> record, Set<String> into) {
        for (RecordComponent c : record.getRecordComponents()) {
            if (unwrapped(c)) {
                names(c.getType(), into);
            } else {
                into.add(c.getName());
            }
        }
    }

    private static boolean unwrapped(RecordComponent c) {
        return c.getAccessor().isAnnotationPresent(JsonUnwrapped.class) && c.getType().isRecord();
    }

    private static Record build(Class<?> record, ObjectNode flat, JsonParser p, DeserializationContext ctxt)
            throws IOException {
        RecordComponent[] components = record.getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            types[i] = c.getType();
            if (unwrapped(c)) {
                args[i] = build(c.getType(), flat, p, ctxt);
                continue;
            }
            JsonNode node = flat.get(c.getName());
            args[i] = node == null || node.isNull() ? defaultValue(c.getType())
                    : ctxt.readTreeAsValue(node, ctxt.getTypeFactory().constructType(c.getGenericType()));
        }
        try {
            var constructor = record.getDeclaredConstructor(types);
            constructor.setAccessible(true);
            return (Record) constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw ValueInstantiationException.from(p, "cannot construct " + record.getSimpleName() + ": "
                    + cause.getMessage(), ctxt.constructType(record), cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(record + " has no canonical constructor", e);
        }
    }

    private static Object defaultValue(Class<?> type) {
        if (!type.isPrimitive()) {
            return null;
        }
        if (type == boolean.class) {
            return false;
        }
        if (type == double.class || type == float.class) {
            return type == double.class ? (Object) 0.0 : (Object) 0.0f;
        }
        if (type == long.class) {
            return 0L;
        }
        return type == int.class ? (Object) 0 : type == short.class ? (Object) (short) 0 : type == byte.class
                ? (Object) (byte) 0 : (Object) '\0';
    }
}

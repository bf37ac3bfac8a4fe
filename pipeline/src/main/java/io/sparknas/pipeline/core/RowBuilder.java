package io.sparknas.pipeline.core;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Builds a {@link Row} of a schema by column name, never by position: an unknown name, a column set twice, or a
 * non-nullable column left unset is an error that names the column. The one way sparknas makes rows.
 */
public final class RowBuilder {
    private final StructType schema;
    private final Object[] values;
    private final boolean[] set;

    private RowBuilder(StructType schema) {
        this.schema = schema;
        this.values = new Object[schema.size()];
        this.set = new boolean[schema.size()];
    }

    public static RowBuilder of(StructType schema) {
        return new RowBuilder(schema);
    }

    public RowBuilder set(String column, Object value) {
        int i;
        try {
            i = schema.fieldIndex(column);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("no column '" + column + "' in " + schema.simpleString(), e);
        }
        if (set[i]) {
            throw new IllegalStateException("column '" + column + "' set twice");
        }
        values[i] = value;
        set[i] = true;
        return this;
    }

    public Row build() {
        StructField[] fields = schema.fields();
        for (int i = 0; i < fields.length; i++) {
            if (!set[i] && !fields[i].nullable()) {
                throw new IllegalStateException("column '" + fields[i].name() + "' is not nullable and was not set");
            }
        }
        return RowFactory.create(values.clone());
    }
}

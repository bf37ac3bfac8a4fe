package io.sparknas.pipeline.core;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;

/**
 * Writes a few rows as one Parquet file from the driver, without a Spark job: how an asynchronous search commits each
 * finished candidate (a Spark write job per candidate needs a free task slot and costs about a second; this costs
 * milliseconds). The file is laid out as Spark writes the same schema (its root {@code spark_schema}, three-level
 * lists, maps as {@code key_value}, timestamps as INT96, the Spark schema in the footer), so Spark, pyarrow and a
 * later compaction read it as any other part file. The column types are those of {@link ResultSchema}: string,
 * long, int, double, boolean, timestamp, array of strings, map of string to double.
 */
final class ParquetRows {
    private static final long MICROS_PER_DAY = 86_400_000_000L;
    private static final int JULIAN_DAY_OF_EPOCH = 2_440_588;

    private ParquetRows() {
    }

    /** Writes {@code rows} of {@code schema} to {@code file}, which must not exist. */
    static void write(Configuration conf, Path file, StructType schema, List<Row> rows) throws IOException {
        MessageType message = messageType(schema);
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(HadoopOutputFile.fromPath(file, conf))
                .withConf(conf)
                .withType(message)
                .withWriteMode(ParquetFileWriter.Mode.CREATE)
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .withExtraMetaData(Map.of("org.apache.spark.sql.parquet.row.metadata", schema.json(),
                        "org.apache.spark.version", org.apache.spark.package$.MODULE$.SPARK_VERSION()))
                .build()) {
            SimpleGroupFactory groups = new SimpleGroupFactory(message);
            for (Row row : rows) {
                Group g = groups.newGroup();
                StructField[] fields = schema.fields();
                for (int i = 0; i < fields.length; i++) {
                    if (!row.isNullAt(i)) {
                        add(g, fields[i], row, i);
                    } else if (!fields[i].nullable()) {
                        throw new IllegalArgumentException("column '" + fields[i].name() + "' is not nullable");
                    }
                }
                writer.write(g);
            }
        }
    }

    /** The Parquet schema Spark writes for {@code schema}. */
    static MessageType messageType(StructType schema) {
        Types.MessageTypeBuilder message = Types.buildMessage();
        for (StructField f : schema.fields()) {
            message.addField(type(f));
        }
        return message.named("spark_schema");
    }

    private static Type type(StructField f) {
        Type.Repetition repetition = f.nullable() ? Type.Repetition.OPTIONAL : Type.Repetition.REQUIRED;
        DataType t = f.dataType();
        if (t instanceof ArrayType a && a.elementType().equals(DataTypes.StringType)) {
            return Types.buildGroup(repetition).as(LogicalTypeAnnotation.listType())
                    .addField(Types.repeatedGroup()
                            .addField(Types.primitive(PrimitiveTypeName.BINARY, a.containsNull()
                                    ? Type.Repetition.OPTIONAL : Type.Repetition.REQUIRED)
                                    .as(LogicalTypeAnnotation.stringType()).named("element"))
                            .named("list"))
                    .named(f.name());
        }
        if (t instanceof MapType m && m.keyType().equals(DataTypes.StringType)
                && m.valueType().equals(DataTypes.DoubleType)) {
            return Types.buildGroup(repetition).as(LogicalTypeAnnotation.mapType())
                    .addField(Types.repeatedGroup()
                            .addField(Types.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType())
                                    .named("key"))
                            .addField(Types.primitive(PrimitiveTypeName.DOUBLE, m.valueContainsNull()
                                    ? Type.Repetition.OPTIONAL : Type.Repetition.REQUIRED).named("value"))
                            .named("key_value"))
                    .named(f.name());
        }
        if (t.equals(DataTypes.StringType)) {
            return Types.primitive(PrimitiveTypeName.BINARY, repetition).as(LogicalTypeAnnotation.stringType())
                    .named(f.name());
        }
        PrimitiveTypeName primitive;
        if (t.equals(DataTypes.LongType)) {
            primitive = PrimitiveTypeName.INT64;
        } else if (t.equals(DataTypes.IntegerType)) {
            primitive = PrimitiveTypeName.INT32;
        } else if (t.equals(DataTypes.DoubleType)) {
            primitive = PrimitiveTypeName.DOUBLE;
        } else if (t.equals(DataTypes.BooleanType)) {
            primitive = PrimitiveTypeName.BOOLEAN;
        } else if (t.equals(DataTypes.TimestampType)) {
            primitive = PrimitiveTypeName.INT96;
        } else {
            throw new IllegalArgumentException("column '" + f.name() + "': type " + t.simpleString()
                    + " is not written by ParquetRows");
        }
        return Types.primitive(primitive, repetition).named(f.name());
    }

    private static void add(Group g, StructField f, Row row, int i) {
        DataType t = f.dataType();
        String name = f.name();
        if (t instanceof ArrayType) {
            Group list = g.addGroup(name);
            Object v = row.get(i); // a Java list as RowBuilder sets it, or a Scala Seq from Spark
            for (Object element : v instanceof List<?> l ? l : row.getList(i)) {
                list.addGroup("list").append("element", (String) element);
            }
        } else if (t instanceof MapType) {
            Group map = g.addGroup(name);
            Object v = row.get(i);
            Map<?, ?> entries = v instanceof Map<?, ?> m ? m : row.getJavaMap(i);
            for (Map.Entry<?, ?> e : entries.entrySet()) {
                map.addGroup("key_value").append("key", (String) e.getKey()).append("value", (Double) e.getValue());
            }
        } else if (t.equals(DataTypes.StringType)) {
            g.append(name, row.getString(i));
        } else if (t.equals(DataTypes.LongType)) {
            g.append(name, row.getLong(i));
        } else if (t.equals(DataTypes.IntegerType)) {
            g.append(name, row.getInt(i));
        } else if (t.equals(DataTypes.DoubleType)) {
            g.append(name, row.getDouble(i));
        } else if (t.equals(DataTypes.BooleanType)) {
            g.append(name, row.getBoolean(i));
        } else {
            g.append(name, int96(row.getTimestamp(i)));
        }
    }

    /** Spark's INT96 timestamp: nanoseconds of the UTC day, then the Julian day, both little-endian. */
    static Binary int96(Timestamp t) {
        long micros = Math.floorDiv(t.getTime(), 1000L) * 1_000_000L + t.getNanos() / 1000;
        long day = Math.floorDiv(micros, MICROS_PER_DAY);
        long nanosOfDay = Math.floorMod(micros, MICROS_PER_DAY) * 1000L;
        ByteBuffer buf = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(nanosOfDay).putInt((int) (day + JULIAN_DAY_OF_EPOCH));
        return Binary.fromConstantByteArray(buf.array());
    }
}

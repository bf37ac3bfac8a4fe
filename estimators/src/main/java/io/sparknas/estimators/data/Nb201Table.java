package io.sparknas.estimators.data;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201Space;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A NAS-Bench-201 table in the format of {@code nb201_12ep.csv} (plain, or gzipped as {@code .csv.gz}; the project
 * carries one as {@link #BUNDLED}): columns {@code arch}, {@code cellstr} and one
 * column per metric (e.g. {@code cifar10-val}, {@code cifar10-test}, in percent). Indexed by cell ordinal so a
 * look-up is an array access. Immutable after loading; thread-safe.
 */
public final class Nb201Table {
    /** The 12-epoch table the project carries (MIT; see its README), relative to the repository root. */
    public static final String BUNDLED = "data/nb201/nb201_12ep.csv.gz";

    private final Path source;
    private final List<String> columns;
    private final int[] archByOrdinal;
    private final double[][] valuesByOrdinal;

    private Nb201Table(Path source, List<String> columns, int[] archByOrdinal, double[][] valuesByOrdinal) {
        this.source = source;
        this.columns = List.copyOf(columns);
        this.archByOrdinal = archByOrdinal;
        this.valuesByOrdinal = valuesByOrdinal;
    }

    private static Reader open(Path csv) throws IOException {
        InputStream in = Files.newInputStream(csv);
        if (csv.getFileName().toString().endsWith(".gz")) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /** Loads the table; every row must name a valid cell, no cell twice, every metric a number. */
    public static Nb201Table load(Path csv) {
        CsvMapper mapper = new CsvMapper();
        CsvSchema schema = CsvSchema.emptySchema().withHeader();
        int[] arch = new int[Nb201Space.SIZE];
        java.util.Arrays.fill(arch, -1);
        double[][] values = new double[Nb201Space.SIZE][];
        List<String> metricColumns = null;
        int row = 1;
        try (Reader reader = open(csv);
             MappingIterator<Map<String, String>> it = mapper.readerForMapOf(String.class).with(schema).readValues(reader)) {
            while (it.hasNext()) {
                row++;
                Map<String, String> r = it.next();
                if (metricColumns == null) {
                    if (!r.containsKey("arch") || !r.containsKey("cellstr")) {
                        throw new IllegalArgumentException(csv + ": header must have columns 'arch' and 'cellstr', got "
                                + r.keySet());
                    }
                    metricColumns = new ArrayList<>(r.keySet());
                    metricColumns.remove("arch");
                    metricColumns.remove("cellstr");
                }
                Nb201Cell cell;
                try {
                    cell = Nb201Cell.parse(r.get("cellstr"));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(csv + " line " + row + ": " + e.getMessage(), e);
                }
                int ordinal = cell.ordinal();
                if (values[ordinal] != null) {
                    throw new IllegalArgumentException(csv + " line " + row + ": cell " + cell.text() + " appears twice");
                }
                double[] v = new double[metricColumns.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = number(csv, row, metricColumns.get(i), r.get(metricColumns.get(i)));
                }
                values[ordinal] = v;
                arch[ordinal] = (int) number(csv, row, "arch", r.get("arch"));
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(csv + ": table not found (give the path of a NAS-Bench-201 CSV such as "
                    + "nb201_12ep.csv)", e);
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage().startsWith(csv.toString())) {
                throw iae;
            }
            throw new IllegalArgumentException(csv + " line " + row + ": cannot be read as a NAS-Bench-201 table: "
                    + e.getMessage(), e);
        }
        if (metricColumns == null) {
            throw new IllegalArgumentException(csv + ": the table has no rows");
        }
        return new Nb201Table(csv, metricColumns, arch, values);
    }

    private static double number(Path csv, int row, String column, String text) {
        try {
            return Double.parseDouble(text.strip());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(csv + " line " + row + ": column '" + column + "' is '" + text
                    + "', not a number");
        }
    }

    public Path source() {
        return source;
    }

    /** Metric column names, e.g. {@code cifar10-val}. */
    public List<String> columns() {
        return columns;
    }

    public int column(String name) {
        int i = columns.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException(source + " has no column '" + name + "'; columns: " + columns);
        }
        return i;
    }

    public boolean contains(Nb201Cell cell) {
        return valuesByOrdinal[cell.ordinal()] != null;
    }

    /** The value of column index {@code column} for {@code cell}; NaN when the table lacks the cell. */
    public double value(Nb201Cell cell, int column) {
        double[] v = valuesByOrdinal[cell.ordinal()];
        return v == null ? Double.NaN : v[column];
    }

    /** The benchmark's own architecture index of {@code cell}, -1 when absent. */
    public int archIndex(Nb201Cell cell) {
        return archByOrdinal[cell.ordinal()];
    }

    public int size() {
        int n = 0;
        for (double[] v : valuesByOrdinal) {
            n += v == null ? 0 : 1;
        }
        return n;
    }

    /** All cells in the table with their values of {@code column}. */
    public Map<Nb201Cell, Double> all(int column) {
        Map<Nb201Cell, Double> out = new HashMap<>();
        for (int o = 0; o < valuesByOrdinal.length; o++) {
            if (valuesByOrdinal[o] != null) {
                out.put(Nb201Cell.fromOrdinal(o), valuesByOrdinal[o][column]);
            }
        }
        return out;
    }
}

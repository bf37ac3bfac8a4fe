package io.sparknas.pipeline.score;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.data.Nb201Table;
import io.sparknas.estimators.zerocost.ZeroCostConfig;
import io.sparknas.estimators.zerocost.ZeroCostProxy;
import io.sparknas.pipeline.core.Json;
import io.sparknas.pipeline.core.Sweep;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.darts.DartsNetworkConfig;
import io.sparknas.space.darts.DartsSpace;
import io.sparknas.space.darts.DartsText;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201NetworkConfig;
import io.sparknas.space.nb201.Nb201Space;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The score job's configuration, bound from {@code score}: which cells (a NAS-Bench-201 space's every cell, or
 * {@code sample} drawn with {@code seed}), the network each is built as, the proxies, and the images the
 * data-dependent proxies see ({@code data}, absent when none is needed).
 *
 * @param space        {@code nb201} or {@code darts}
 * @param sample       cells drawn with {@code seed}; 0 = every cell (nb201 only: DARTS' space cannot be enumerated)
 * @param seed         the draw, every network's initialisation and the batch of images
 * @param cellsPerTask cells per Spark task and per commit (a rerun resumes at the parts not committed)
 * @param zerocost     the proxies, the batch size and libtorch threads
 * @param network      nb201: the network a cell is built as (the benchmark's: C = 16, 5 cells per stage, 3x32x32);
 *                     darts: its input channels, size and classes
 * @param darts        darts: the network a genotype is built as
 * @param images       the images of the data-dependent proxies (resized to the network's input), or null if none
 * @param table        nb201: a NAS-Bench-201 table the scores are ranked against in the log and the report, or ""
 */
public record ScoreConfig(String name, String output, String space, int sample, long seed, int cellsPerTask,
                          ZeroCostConfig zerocost, Nb201NetworkConfig network, DartsNetworkConfig darts,
                          DataConfig images, String table) implements Sweep.Definition, Serializable {
    public static final String KIND = "score";
    public static final List<String> SPACES = List.of(Nb201Space.NAME, DartsSpace.NAME);

    public ScoreConfig {
        Json.checkName(name);
        if (!SPACES.contains(space)) {
            throw new IllegalArgumentException("score.space must be one of " + SPACES + ", got '" + space + "'");
        }
        if (sample < 0 || (space.equals(Nb201Space.NAME) && sample > Nb201Space.SIZE)) {
            throw new IllegalArgumentException("score.sample must be in [0, " + Nb201Space.SIZE + "] (0 = every cell), "
                    + "got " + sample);
        }
        if (space.equals(DartsSpace.NAME) && sample == 0) {
            throw new IllegalArgumentException("score.space = darts cannot be enumerated (about 10^18 genotypes): "
                    + "set score.sample to the number of genotypes to draw");
        }
        if (cellsPerTask < 1) {
            throw new IllegalArgumentException("score.cellsPerTask must be positive, got " + cellsPerTask);
        }
        List<String> needy = zerocost.parsed().stream().filter(ZeroCostProxy::needsData).map(ZeroCostProxy::text)
                .toList();
        if (!needy.isEmpty() && images == null) {
            throw new IllegalArgumentException("zero-cost proxies " + needy + " need images and score.data = \"none\";"
                    + " set score.data = \"estimator.data\" (its images, resized to the network's input) or drop them");
        }
        table = table == null ? "" : table;
        if (!table.isEmpty() && !space.equals(Nb201Space.NAME)) {
            throw new IllegalArgumentException("score.table ranks NAS-Bench-201 cells; leave it empty for space "
                    + space);
        }
    }

    /** The images of the data-dependent proxies, if any. */
    public Optional<DataConfig> data() {
        return Optional.ofNullable(images);
    }

    @Override
    public String kind() {
        return KIND;
    }

    boolean isDarts() {
        return space.equals(DartsSpace.NAME);
    }

    /** The cells, in the order of their ids: every NAS-Bench-201 cell by its index, or the seeded draw. */
    List<Cell> cells() {
        List<Cell> out = new ArrayList<>();
        if (!isDarts() && sample == 0) {
            for (int i = 0; i < Nb201Space.SIZE; i++) {
                out.add(new Cell(String.format(Locale.ROOT, "%05d", i), Nb201Cell.fromOrdinal(i).text()));
            }
            return out;
        }
        SeededRandom rng = new SeededRandom(seed);
        if (isDarts()) {
            DartsSpace s = new DartsSpace();
            for (int i = 0; i < sample; i++) {
                out.add(new Cell(String.format(Locale.ROOT, "%05d", i), DartsText.format(s.sample(rng))));
            }
            return out;
        }
        int[] order = rng.permutation(Nb201Space.SIZE);
        for (int i = 0; i < sample; i++) {
            out.add(new Cell(String.format(Locale.ROOT, "%05d", order[i]), Nb201Cell.fromOrdinal(order[i]).text()));
        }
        return out;
    }

    /** One cell to score: its id (NAS-Bench-201: the cell's index in the space) and its text. */
    record Cell(String id, String genotype) implements Serializable {
    }

    /** The side and channels of the network's input. */
    int inputSide() {
        return isDarts() ? darts.inputSize() : network.inputSize();
    }

    int inputChannels() {
        return isDarts() ? darts.inputChannels() : network.inputChannels();
    }

    /** Whether the images stand in for the network's own data (grey images repeated over its channels). */
    boolean standIn() {
        return images != null && images.imageChannels() != inputChannels();
    }

    /** The table to rank against, if one is configured. */
    Optional<Nb201Table> rankTable() {
        return table.isEmpty() ? Optional.empty() : Optional.of(Nb201Table.load(Path.of(table)));
    }

    /** Refuses, before anything is written, a table or dataset this machine cannot read. */
    public void checkLocal() {
        if (!table.isEmpty() && !table.contains("://") && !Files.isReadable(Path.of(table))) {
            throw new IllegalArgumentException("score.table: " + table + " is not readable; point it at a "
                    + "NAS-Bench-201 CSV such as " + Nb201Table.BUNDLED + " or leave it empty");
        }
        data().ifPresent(DataConfig::checkPresent);
    }

    @Override
    public String semantics() {
        ObjectNode n = Json.semanticsOf(kind());
        n.put("space", space);
        n.put("sample", sample);
        n.put("seed", seed);
        n.put("cellsPerTask", cellsPerTask);
        n.set("zerocost", Json.MAPPER.valueToTree(zerocost));
        n.set("network", Json.MAPPER.valueToTree(isDarts() ? darts : network));
        n.set("data", data().<com.fasterxml.jackson.databind.JsonNode>map(Json.MAPPER::valueToTree)
                .orElse(Json.MAPPER.nullNode()));
        return Json.canonical(n);
    }
}

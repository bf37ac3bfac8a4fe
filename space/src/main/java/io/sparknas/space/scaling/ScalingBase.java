package io.sparknas.space.scaling;

import io.sparknas.space.cost.Cost;
import io.sparknas.space.darts.DartsCostModel;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsNetworkConfig;
import io.sparknas.space.darts.DartsText;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201CostModel;

/**
 * The base network of compound scaling: a cell that can be built at any size and input resolution. A DARTS genotype
 * scales its cells in all ({@link io.sparknas.space.NetworkSize#layers()}, with its stem multiplier); a
 * NAS-Bench-201 cell scales its cells per stage (the benchmark's N; stem multiplier unused). Each base names the
 * space of its scaled networks and gives their candidate text, key and cost, so the plan and the job treat both
 * alike.
 */
public sealed interface ScalingBase {

    /** The space of the scaled networks' candidates. */
    String space();

    /** The cell's own text, as {@code scale.base} gives it: a DARTS genotype or a NAS-Bench-201 string. */
    String text();

    /** The candidate text of this cell built as {@code n}. */
    String candidateText(ScaledNetwork n);

    /** The candidate key of this cell built as {@code n}. */
    String candidateKey(ScaledNetwork n);

    /** Parameters and FLOPs of this cell built as {@code n}; a network that cannot be built is refused. */
    Cost cost(ScaledNetwork n, int inputChannels, int classes);

    /** A DARTS text ({@code Genotype(...)}) or a NAS-Bench-201 string ({@code |op~0|+...}). */
    static ScalingBase parse(String text) {
        String t = text == null ? "" : text.strip();
        return t.startsWith("|") ? new Nb201(Nb201Cell.parse(t)) : new Darts(DartsText.parse(t));
    }

    /** A DARTS genotype; its scaled networks are {@link ScaledDarts}. */
    record Darts(DartsGenotype genotype) implements ScalingBase {
        @Override
        public String space() {
            return ScaledDarts.NAME;
        }

        @Override
        public String text() {
            return DartsText.format(genotype);
        }

        @Override
        public String candidateText(ScaledNetwork n) {
            return new ScaledDarts(genotype, n).text();
        }

        @Override
        public String candidateKey(ScaledNetwork n) {
            return new ScaledDarts(genotype, n).key();
        }

        @Override
        public Cost cost(ScaledNetwork n, int inputChannels, int classes) {
            return DartsCostModel.of(genotype, new DartsNetworkConfig(inputChannels, n.resolution(), classes,
                    n.size().channels(), n.size().layers(), n.size().stemMultiplier()));
        }
    }

    /** A NAS-Bench-201 cell; its scaled networks are {@link ScaledNb201}. */
    record Nb201(Nb201Cell cell) implements ScalingBase {
        @Override
        public String space() {
            return ScaledNb201.NAME;
        }

        @Override
        public String text() {
            return cell.text();
        }

        @Override
        public String candidateText(ScaledNetwork n) {
            return new ScaledNb201(cell, n).text();
        }

        @Override
        public String candidateKey(ScaledNetwork n) {
            return new ScaledNb201(cell, n).key();
        }

        @Override
        public Cost cost(ScaledNetwork n, int inputChannels, int classes) {
            return Nb201CostModel.of(cell, new ScaledNb201(cell, n).config(inputChannels, classes));
        }
    }
}

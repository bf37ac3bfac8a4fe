package io.sparknas.strategies;

import io.sparknas.space.SeededRandom;
import io.sparknas.space.latency.LatencyPredictor;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201Space;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BANANAS' ensemble learns what an encoding says, is seeded, and is less sure away from what it was fitted on. */
class MlpEnsembleTest {
    static final Nb201Space SPACE = new Nb201Space();

    /** A target the encoding determines: 3x3 convolutions count 2, 1x1 count 1, skips 0.5, on a long input path. */
    static double target(Nb201Cell cell) {
        double v = 0;
        for (int k = 0; k < Nb201Cell.EDGES; k++) {
            v += switch (cell.ops().get(k).name()) {
                case "NOR_CONV_3X3" -> 2;
                case "NOR_CONV_1X1" -> 1;
                case "SKIP_CONNECT" -> 0.5;
                default -> 0;
            };
        }
        return v;
    }

    static List<Nb201Cell> cells(int n, long seed) {
        int[] order = new SeededRandom(seed).permutation(15_625);
        List<Nb201Cell> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Nb201Cell.fromOrdinal(order[i]));
        }
        return out;
    }

    static MlpEnsemble fit(List<Nb201Cell> train, long seed) {
        List<double[]> x = train.stream().map(SPACE::encode).toList();
        double[] y = train.stream().mapToDouble(MlpEnsembleTest::target).toArray();
        return MlpEnsemble.fit(List.of(x), y, MlpEnsemble.Settings.defaults(), seed);
    }

    @Test
    void fittedOn150CellsItRanksTheOthersByWhatTheirEncodingSays() {
        List<Nb201Cell> all = cells(1150, 1);
        MlpEnsemble e = fit(all.subList(0, 150), 0);
        List<Nb201Cell> held = all.subList(150, all.size());
        double[] predicted = held.stream().mapToDouble(c -> e.predict(SPACE.encode(c))[0]).toArray();
        double[] actual = held.stream().mapToDouble(MlpEnsembleTest::target).toArray();
        double rho = LatencyPredictor.spearman(predicted, actual);
        assertTrue(rho > 0.9, "held-out Spearman rho " + rho);
    }

    @Test
    void theSameSeedGivesTheSamePredictionsAndAnotherSeedOthers() {
        List<Nb201Cell> train = cells(40, 2);
        double[] q = SPACE.encode(Nb201Cell.fromOrdinal(77));
        assertArrayEquals(fit(train, 5).predict(q), fit(train, 5).predict(q));
        assertNotEquals(fit(train, 5).predict(q)[0], fit(train, 6).predict(q)[0]);
    }

    @Test
    void theMembersDisagreeMoreOnCellsTheyWereNotFittedOn() {
        List<Nb201Cell> all = cells(540, 3);
        MlpEnsemble e = fit(all.subList(0, 40), 0);
        double seen = all.subList(0, 40).stream().mapToDouble(c -> e.predict(SPACE.encode(c))[1]).average()
                .orElseThrow();
        double unseen = all.subList(40, 540).stream().mapToDouble(c -> e.predict(SPACE.encode(c))[1]).average()
                .orElseThrow();
        assertTrue(unseen > seen, "spread on unseen cells " + unseen + " against " + seen + " on the fitted ones");
    }

    @Test
    void inputsInBlocksAreTheirConcatenation() {
        List<double[]> a = List.of(new double[] {0, 1}, new double[] {1, 0}, new double[] {1, 1});
        List<double[]> b = List.of(new double[] {0.2}, new double[] {0.7}, new double[] {0.4});
        List<double[]> joined = List.of(new double[] {0, 1, 0.2}, new double[] {1, 0, 0.7}, new double[] {1, 1, 0.4});
        double[] y = {1, 2, 3};
        MlpEnsemble.Settings s = MlpEnsemble.Settings.defaults();
        assertArrayEquals(MlpEnsemble.fit(List.of(joined), y, s, 9).predict(new double[] {1, 0, 0.5}),
                MlpEnsemble.fit(List.of(a, b), y, s, 9).predict(new double[] {1, 0}, new double[] {0.5}));
    }

    @Test
    void badSettingsAndTooFewPointsAreRefused() {
        assertEquals("an ensemble needs >= 2 members, >= 1 hidden layer, width, epochs and batch size >= 1 and a "
                + "positive rate, got 1 members, 3 hidden layers, width 20, 200 epochs, batch size 32, rate 0.01",
                assertThrows(IllegalArgumentException.class, () -> new MlpEnsemble.Settings(1, 3, 20, 200, 32, 0.01))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MlpEnsemble.Settings(5, 3, 20, 200, 32, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MlpEnsemble.fit(
                List.of(List.of(new double[] {1})), new double[] {1}, MlpEnsemble.Settings.defaults(), 0));
        assertEquals("an ensemble needs >= 2 inputs with one target each, got 1", e.getMessage());
    }
}

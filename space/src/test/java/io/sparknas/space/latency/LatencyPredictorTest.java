package io.sparknas.space.latency;

import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201NetworkConfig;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyPredictorTest {
    static final Nb201NetworkConfig NET = Nb201NetworkConfig.benchmark();

    @Test
    void aNetworkRunsEachEdgeOfEachCellAtItsStagesSizeNoneIncluded() {
        Nb201Cell cell = Nb201Cell.parse("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|");
        List<OpInstance> ops = Nb201Ops.of(cell, NET);
        assertEquals(6 * 5 * 3, ops.size(), "6 edges (none multiplies by zero), 5 cells, 3 stages");
        assertTrue(ops.contains(new OpInstance("nor_conv_3x3", 64, 64, 8, 1)));
        assertEquals(2 * 5 * 3, ops.stream().filter(o -> o.op().equals("none")).count());
        assertEquals(15, Nb201Ops.distinct(NET).size(), "5 operations x 3 stages");
    }

    @Test
    void aCalibratedPredictorRecoversEachKindsFactorFromMeasuredNetworksAndReadsBackFromCsv() {
        Map<OpInstance, Double> table = new HashMap<>();
        for (OpInstance op : Nb201Ops.distinct(NET)) {
            table.put(op, switch (op.op()) {
                case "nor_conv_3x3" -> 0.3;
                case "nor_conv_1x1" -> 0.1;
                case "avg_pool_3x3" -> 0.05;
                case "none" -> 0.01;
                default -> 0.0;
            });
        }
        LatencyPredictor table1 = new LatencyPredictor(table, 0);
        // networks that run each kind at its own factor: convolutions faster inside a network, pools slower
        Map<String, Double> truth = Map.of("nor_conv_3x3", 0.8, "nor_conv_1x1", 0.9, "avg_pool_3x3", 1.5, "none", 1.2);
        io.sparknas.space.SeededRandom rng = new io.sparknas.space.SeededRandom(3);
        List<List<OpInstance>> nets = new java.util.ArrayList<>();
        double[] measured = new double[60];
        for (int i = 0; i < measured.length; i++) {
            List<OpInstance> net = Nb201Ops.of(new io.sparknas.space.nb201.Nb201Space().sample(rng), NET);
            nets.add(net);
            measured[i] = 2.0;
            int at = i;
            table1.sumsByKind(net).forEach((kind, ms) -> measured[at] += truth.getOrDefault(kind, 1.0) * ms);
        }
        LatencyPredictor c = table1.calibrated(nets, measured);
        assertEquals(2.0, c.constant(), 0.05);
        truth.forEach((kind, f) -> assertEquals(f, c.scales().get(kind), 0.02, kind));
        assertTrue(!c.scales().containsKey("skip_connect"), "a kind at 0 ms in every network keeps factor 1");
        assertEquals(measured[7], c.predict(nets.get(7)), 0.01);
        // the additive fit cannot follow the factors: it misses where the calibrated one does not
        double additiveError = Math.abs(table1.fitted(nets, measured).predict(nets.get(7)) - measured[7]);
        assertTrue(additiveError > 0.05, "additive error " + additiveError);

        List<String> csv = new java.util.ArrayList<>(List.of(
                "device,engine,threads,space,op,channels_in,channels_out,size,stride,median_ms"));
        table.forEach((op, ms) -> csv.add("cpu X,djl,1,nb201," + op.op() + "," + op.channelsIn() + ","
                + op.channelsOut() + "," + op.size() + "," + op.stride() + "," + ms));
        c.scales().forEach((kind, f) -> csv.add("cpu X,djl,1,nb201," + LatencyPredictor.SCALE + kind + ",0,0,0,0,"
                + f));
        csv.add("cpu X,djl,1,nb201,constant,0,0,0,0," + c.constant());
        LatencyPredictor read = LatencyPredictor.fromCsv(csv, "nb201", "t.csv");
        assertEquals(c.predict(nets.get(7)), read.predict(nets.get(7)), 1e-9);
    }

    @Test
    void tooFewNetworksOrANegativeFactorGiveTheAdditiveFitInstead() {
        Map<OpInstance, Double> table = new HashMap<>();
        for (OpInstance op : Nb201Ops.distinct(NET)) {
            table.put(op, op.op().equals("nor_conv_3x3") ? 0.3 : op.op().equals("nor_conv_1x1") ? 0.1 : 0.02);
        }
        LatencyPredictor table1 = new LatencyPredictor(table, 0);
        io.sparknas.space.SeededRandom rng = new io.sparknas.space.SeededRandom(4);
        List<List<OpInstance>> nets = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            nets.add(Nb201Ops.of(new io.sparknas.space.nb201.Nb201Space().sample(rng), NET));
        }
        double[] two = {5.0, 1.0}; // two timings: fewer networks than the constant and the factors
        LatencyPredictor few = table1.calibrated(nets.subList(0, 2), two);
        assertEquals(Map.of(), few.scales());
        assertEquals(table1.fitted(nets.subList(0, 2), two).constant(), few.constant(), 1e-12);
        double[] inverse = new double[nets.size()]; // slower the fewer 3x3 convolutions: a negative factor
        for (int i = 0; i < inverse.length; i++) {
            inverse[i] = 10 - table1.sumsByKind(nets.get(i)).getOrDefault("nor_conv_3x3", 0.0);
        }
        assertEquals(Map.of(), table1.calibrated(nets, inverse).scales());
    }

    @Test
    void thePredictionSumsTheTableAndTheFittedConstantClosesTheMeanGap() {
        Map<OpInstance, Double> table = new HashMap<>();
        for (OpInstance op : Nb201Ops.distinct(NET)) {
            table.put(op, op.op().equals("nor_conv_3x3") ? 1.0 : op.op().equals("none") ? 0.0 : 0.1);
        }
        LatencyPredictor p = new LatencyPredictor(table, 0);
        List<OpInstance> a = Nb201Ops.of(Nb201Cell.parse("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|"), NET);
        List<OpInstance> b = Nb201Ops.of(Nb201Cell.parse("|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|"), NET);
        assertEquals(15.0, p.sum(a), 1e-9);
        assertEquals(1.5, p.sum(b), 1e-9);
        LatencyPredictor fitted = p.fitted(List.of(a, b), new double[] {20.0, 4.5});
        assertEquals((5.0 + 3.0) / 2, fitted.constant(), 1e-9);
        assertEquals(19.0, fitted.predict(a), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> p.sum(List.of(new OpInstance("nor_conv_3x3", 8, 8, 4, 1))));
    }

    @Test
    void spearmanAndMapeAreTheTextbookOnes() {
        assertEquals(1.0, LatencyPredictor.spearman(new double[] {1, 2, 3, 4}, new double[] {10, 20, 30, 40}), 1e-12);
        assertEquals(-1.0, LatencyPredictor.spearman(new double[] {1, 2, 3}, new double[] {3, 2, 1}), 1e-12);
        // ties get average ranks: (1, 2.5, 2.5, 4) against (1, 2, 3, 4)
        assertEquals(0.9486832980505138, LatencyPredictor.spearman(new double[] {1, 2, 2, 4}, new double[] {1, 2, 3, 4}),
                1e-12);
        assertEquals(0.175, LatencyPredictor.mape(new double[] {11, 15}, new double[] {10, 20}), 1e-12);
        // 11 vs 10 (10 %, inside), 15 vs 20 (25 %), 9.5 vs 10 (5 %), 0.8 vs 1 (20 %)
        assertEquals(0.5, LatencyPredictor.within(new double[] {11, 15, 9.5, 0.8}, new double[] {10, 20, 10, 1}, 0.1),
                1e-12);
    }

    @Test
    void aTableOfAnotherSpaceIsRefused() {
        List<String> csv = List.of("device,engine,threads,space,op,channels_in,channels_out,size,stride,median_ms",
                "cpu X,djl,1,darts,sep_conv_3x3,16,16,32,1,0.5");
        String m = assertThrows(IllegalArgumentException.class, () -> LatencyPredictor.fromCsv(csv, "nb201", "t.csv"))
                .getMessage();
        assertTrue(m.contains("t.csv is a latency table of space 'darts', not 'nb201'"), m);
        LatencyPredictor p = LatencyPredictor.fromCsv(List.of(csv.get(0),
                "cpu X,djl,1,nb201,nor_conv_3x3,16,16,32,1,0.5", "cpu X,djl,1,nb201,constant,0,0,0,0,2.0"), "nb201", "t");
        assertEquals(2.0, p.constant());
        assertEquals(0.5, p.table().get(new OpInstance("nor_conv_3x3", 16, 16, 32, 1)));
    }
}

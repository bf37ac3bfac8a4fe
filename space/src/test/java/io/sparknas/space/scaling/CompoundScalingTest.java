package io.sparknas.space.scaling;

import io.sparknas.space.NetworkSize;
import io.sparknas.space.darts.DartsCostModel;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsNetworkConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompoundScalingTest {
    static final ScaledNetwork BASE = new ScaledNetwork(new NetworkSize(8, 3, 3), 16);

    static long flops(ScaledNetwork n) {
        return DartsCostModel.of(DartsGenotype.DARTS_V2, new DartsNetworkConfig(1, n.resolution(), 10,
                n.size().channels(), n.size().layers(), n.size().stemMultiplier())).flops();
    }

    @Test
    void everyGridPointSatisfiesTheConstraintAndTheGridHoldsEfficientNetsPoint() {
        List<CompoundCoefficients> grid = CompoundCoefficients.grid(0.05, 2.0, 2.0, 0.1);
        assertTrue(grid.size() > 10, "points: " + grid.size());
        for (CompoundCoefficients c : grid) {
            assertTrue(Math.abs(c.flopsFactor() - 2) <= 0.1, c.toString());
            assertTrue(c.alpha() >= 1 && c.beta() >= 1 && c.gamma() >= 1);
        }
        assertTrue(grid.contains(new CompoundCoefficients(1.2, 1.1, 1.15)), "1.2 * 1.21 * 1.3225 = 1.920");
        assertTrue(grid.contains(new CompoundCoefficients(2.0, 1.0, 1.0)), "depth alone is a grid point too");
    }

    @Test
    void anEmptyGridSaysWhichToleranceWouldGivePoints() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CompoundCoefficients.grid(0.25, 1.5, 2.0, 0.001));
        assertTrue(e.getMessage().startsWith("scale.grid is empty: no point with step 0.25 up to 1.5"), e.getMessage());
        // nearest: 1.25 * 1.25^2 * 1 = 1.953125, 0.046875 from 2
        assertTrue(e.getMessage().endsWith("a tolerance of 0.0469 would give one"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CompoundCoefficients(0.9, 1.1, 1.1));
    }

    @Test
    void roundingRulesAsStated() {
        assertEquals(36, CompoundScaling.roundWidth(32 * 1.1)); // 35.2 -> nearest multiple of 4
        assertEquals(8, CompoundScaling.roundWidth(8 * 1.1));   // 8.8 -> 8 (within 10%)
        assertEquals(12, CompoundScaling.roundWidth(10.0));     // 10 -> 12 (half up)
        assertEquals(4, CompoundScaling.roundWidth(1.0));       // at least the divisor
        assertEquals(20, CompoundScaling.roundResolution(16 * 1.15, 4)); // 18.4: nearest multiple of 4 is 20
        assertEquals(20, CompoundScaling.roundResolution(16 * 1.15 * 1.15, 4)); // 21.16 -> 20
        assertEquals(16, CompoundScaling.roundResolution(17.9, 4));
        assertThrows(IllegalArgumentException.class, () -> CompoundScaling.roundResolution(5, 4));

        ScaledNetwork b1 = CompoundScaling.compound(BASE, CompoundCoefficients.EFFICIENTNET, 1, 4);
        // ceil(3 * 1.2) = 4 cells, 8 * 1.1 = 8.8 -> 8 channels, 16 * 1.15 = 18.4 -> 20 pixels
        assertEquals(new ScaledNetwork(new NetworkSize(8, 4, 3), 20), b1);
        ScaledNetwork b3 = CompoundScaling.compound(BASE, CompoundCoefficients.EFFICIENTNET, 3, 4);
        // depth ceil(3 * 1.728) = 6, width 8 * 1.331 = 10.6 -> 12, resolution 16 * 1.521 = 24.3 -> 24
        assertEquals(new ScaledNetwork(new NetworkSize(12, 6, 3), 24), b3);
        assertEquals(BASE, CompoundScaling.compound(BASE, CompoundCoefficients.EFFICIENTNET, 0, 4));
    }

    @Test
    void singleDimensionBaselinesLandNearestToTheTargetFlops() {
        ScaledNetwork b3 = CompoundScaling.compound(BASE, CompoundCoefficients.EFFICIENTNET, 3, 4);
        long target = flops(b3);
        for (CompoundScaling.Method m : List.of(CompoundScaling.Method.DEPTH, CompoundScaling.Method.WIDTH,
                CompoundScaling.Method.RESOLUTION)) {
            ScaledNetwork n = CompoundScaling.matchFlops(m, BASE, target, 4, CompoundScalingTest::flops);
            long miss = Math.abs(flops(n) - target);
            // one step further either way is no closer
            ScaledNetwork up = switch (m) {
                case DEPTH -> new ScaledNetwork(new NetworkSize(8, n.size().layers() + 1, 3), 16);
                case WIDTH -> new ScaledNetwork(new NetworkSize(n.size().channels() + 4, 3, 3), 16);
                default -> new ScaledNetwork(BASE.size(), n.resolution() + 4);
            };
            assertTrue(Math.abs(flops(up) - target) >= miss, m + " " + n);
            assertTrue(m != CompoundScaling.Method.DEPTH || n.resolution() == 16 && n.size().channels() == 8, n.toString());
            assertTrue(m != CompoundScaling.Method.WIDTH || n.resolution() == 16 && n.size().layers() == 3, n.toString());
            assertTrue(m != CompoundScaling.Method.RESOLUTION || n.size().equals(BASE.size()), n.toString());
        }
    }
}

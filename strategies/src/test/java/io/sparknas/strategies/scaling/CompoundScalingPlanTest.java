package io.sparknas.strategies.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparknas.space.Candidate;
import io.sparknas.space.NetworkSize;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsText;
import io.sparknas.space.scaling.CompoundCoefficients;
import io.sparknas.space.scaling.ScaledNetwork;
import io.sparknas.space.scaling.ScalingBase;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The scaling plan as a fair study: the grid on actual FLOPs, stage 2 on seeds of its own, the base row. */
class CompoundScalingPlanTest {
    /** The scale quickstart's base: DARTS_V2 at C = 8, 3 cells, 16x16 grey images, 10 classes. */
    static CompoundScalingPlan plan(double step, double tolerance, int seeds) {
        ScalingBase cell = ScalingBase.parse(DartsText.format(DartsGenotype.DARTS_V2));
        return new CompoundScalingPlan(cell, new ScaledNetwork(new NetworkSize(8, 3, 3), 16), 1, 10,
                new CompoundScalingPlan.Settings(step, 2.0, 2.0, tolerance, 2, seeds, 7));
    }

    @Test
    void theGridKeepsOnlyNetworksWhoseActualFlopsAreNearTheTargetOnePointPerNetwork() {
        CompoundScalingPlan plan = plan(0.2, 0.12, 1);
        List<Candidate> grid = plan.grid();
        assertFalse(grid.isEmpty());
        Set<String> networks = new HashSet<>();
        for (Candidate c : grid) {
            double ratio = plan.describe(c.id()).get("flops_ratio");
            assertTrue(Math.abs(ratio - 2.0) <= 0.12, c.id() + " costs " + ratio + "x the base");
            assertTrue(networks.add(c.key()), c.id() + " repeats a network of the grid");
            assertEquals(7, c.seed());
        }
        // the old grid's winner: alpha*beta^2*gamma^2 = 2.016, but 12 channels x 5 cells cost 3.74x the base
        assertTrue(grid.stream().noneMatch(c -> plan.describe(c.id()).get("alpha") == 1.4
                && plan.describe(c.id()).get("beta") == 1.2 && plan.describe(c.id()).get("gamma") == 1.0));
    }

    @Test
    void stageTwoTrainsTheBaseAndEveryNetworkOnSeedsTheGridNeverUsed() {
        CompoundScalingPlan plan = plan(0.2, 0.12, 3);
        List<Candidate> grid = plan.grid();
        CompoundCoefficients chosen = new CompoundCoefficients(plan.describe(grid.get(0).id()).get("alpha"),
                plan.describe(grid.get(0).id()).get("beta"), plan.describe(grid.get(0).id()).get("gamma"));
        List<Candidate> scaled = plan.scaling(chosen);
        assertEquals(3 + 2 * 4 * 3, scaled.size(), "the base, then phi 1..2 x 4 methods, 3 seeds each");
        assertEquals(List.of("p0-base-s0", "p0-base-s1", "p0-base-s2"), scaled.subList(0, 3).stream()
                .map(Candidate::id).toList());
        for (Candidate c : scaled.subList(0, 3)) {
            assertEquals("base", c.origin());
            assertEquals(0.0, plan.describe(c.id()).get("phi"));
            assertEquals(1.0, plan.describe(c.id()).get("flops_ratio"));
        }
        assertEquals(Set.of(8L, 9L, 10L), scaled.stream().map(Candidate::seed).collect(java.util.stream.Collectors
                .toSet()), "seeds seed + 1 ..: the grid's 7 is never replayed");
        Candidate replay = scaled.stream().filter(c -> c.id().equals("p1-compound-s0")).findFirst().orElseThrow();
        assertEquals(grid.get(0).key(), replay.key(), "phi = 1 compound is the chosen network...");
        assertTrue(replay.seed() != grid.get(0).seed(), "... trained again, not replayed");
    }

    @Test
    void aGridWithNoNetworkNearTheTargetIsRefusedNamingTheToleranceThatWouldGiveOne() {
        String m = assertThrows(IllegalArgumentException.class, () -> plan(0.5, 0.0001, 1).grid()).getMessage();
        assertTrue(m.startsWith("scale: no grid point (step 0.5 up to 2.0) gives a network within 1.0E-4 of 2.0x the "
                + "base's FLOPs after rounding; a tolerance of "), m);
    }

    /** The base with the saturation sweep and a budget as configured. */
    static CompoundScalingPlan saturating(CompoundScalingPlan.Saturation saturation, String budget) {
        ScalingBase cell = ScalingBase.parse(DartsText.format(DartsGenotype.DARTS_V2));
        return new CompoundScalingPlan(cell, new ScaledNetwork(new NetworkSize(8, 3, 3), 16), 1, 10,
                new CompoundScalingPlan.Settings(0.2, 2.0, 2.0, 0.3, 2, 2, 7, budget, saturation));
    }

    @Test
    void theSaturationSweepScalesOneDimensionAloneByEachMultiplierOnStageTwoSeeds() {
        CompoundScalingPlan plan = saturating(new CompoundScalingPlan.Saturation(List.of(2.0, 3.0),
                List.of(1.5, 1.6, 4.0), List.of(2.5)), "fixed");
        List<Candidate> single = plan.saturation();
        // width 1.5 and 1.6 both round 8 channels to 12: one network, listed once
        assertEquals(List.of("f-depth-2.00-s0", "f-depth-2.00-s1", "f-depth-3.00-s0", "f-depth-3.00-s1",
                "f-width-1.50-s0", "f-width-1.50-s1", "f-width-4.00-s0", "f-width-4.00-s1",
                "f-resolution-2.50-s0", "f-resolution-2.50-s1"), single.stream().map(Candidate::id).toList());
        for (Candidate c : single) {
            var d = plan.describe(c.id());
            assertFalse(d.containsKey("phi"), c.id() + ": no phi, so the stage-2 table leaves it out");
            assertTrue(Set.of(8L, 9L).contains(c.seed()), c.id() + " seed " + c.seed());
            String dim = c.origin().substring("single-".length());
            double x = d.get("multiplier");
            assertEquals(dim.equals("depth") ? Math.ceil(3 * x) : 3, d.get("layers"), c.id());
            assertEquals(dim.equals("width") ? (x == 4.0 ? 32 : 12) : 8, d.get("channels"), c.id());
            assertEquals(dim.equals("resolution") ? 40 : 16, d.get("resolution"), c.id());
            assertTrue(d.get("flops_ratio") > 1.5, c.id() + " " + d.get("flops_ratio"));
        }
        assertTrue(saturating(null, "fixed").saturation().isEmpty());
    }

    @Test
    void aFlopsBudgetMultipliesTheEpochsByTheTargetAtEachPhiAndAFixedOneDoesNot() {
        CompoundScalingPlan.Settings flops = new CompoundScalingPlan.Settings(0.2, 2.0, 2.0, 0.3, 3, 1, 7, "flops",
                null);
        assertEquals(List.of(1.0, 2.0, 4.0, 8.0), List.of(flops.epochFactor(0), flops.epochFactor(1),
                flops.epochFactor(2), flops.epochFactor(3)));
        CompoundScalingPlan.Settings fixed = new CompoundScalingPlan.Settings(0.2, 2.0, 2.0, 0.3, 3, 1, 7);
        assertEquals(1.0, fixed.epochFactor(3));
        assertEquals("fixed", fixed.budget());
    }

    @Test
    void anUnknownBudgetOrAMultiplierOfOneOrLessIsRefusedNamingTheSetting() {
        IllegalArgumentException budget = assertThrows(IllegalArgumentException.class,
                () -> new CompoundScalingPlan.Settings(0.2, 2.0, 2.0, 0.3, 3, 1, 7, "epochs", null));
        assertEquals("scale.budget must be 'fixed' or 'flops' (epochs grow with the FLOPs target at each phi), "
                + "got 'epochs'", budget.getMessage());
        IllegalArgumentException multiplier = assertThrows(IllegalArgumentException.class,
                () -> new CompoundScalingPlan.Saturation(List.of(), List.of(2.0, 1.0), null));
        assertEquals("scale.saturation.width: multipliers must be in (1, 64] (1 is the base, trained in stage 2), "
                + "got 1.0", multiplier.getMessage());
    }
}

package io.sparknas.strategies;

import io.sparknas.space.Candidate;
import io.sparknas.strategies.controller.Decisions;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Operation;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsSpace;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201Space;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReinforceSearchTest {

    /** Reward 1 when the first edge is a 3x3 convolution, else 0.1. */
    static Evaluation reward(Candidate c) {
        Nb201Cell cell = Nb201Cell.parse(c.genotype());
        return Evaluation.ok(c, cell.ops().get(0) == Operation.NOR_CONV_3X3 ? 1.0 : 0.1, Map.of(), "toy", 0, 0);
    }

    @ParameterizedTest(name = "lstm={0}")
    @ValueSource(booleans = {true, false})
    void reinforceRaisesTheProbabilityOfARewardedDecision(boolean lstm) {
        ReinforceSearch<Nb201Cell> s = new ReinforceSearch<>(new Nb201Space(), 3, lstm,
                new ReinforceSearch.Settings(0.05, 1e-4, 0.9, 16, 5.0, 2.5));
        int[] rewarded = {3, 0, 0, 0, 0, 0};
        int[] other = {1, 0, 0, 0, 0, 0};
        double before = s.logProbability(rewarded) - s.logProbability(other);
        int hits = 0;
        for (int round = 0; round < 30; round++) {
            List<Candidate> asked = s.ask(8);
            if (round >= 25) {
                hits += (int) asked.stream().filter(c -> reward(c).accuracy() == 1.0).count();
            }
            s.tell(asked.stream().map(ReinforceSearchTest::reward).toList());
        }
        double after = s.logProbability(rewarded) - s.logProbability(other);
        assertTrue(after > before + 1, "log-odds of the rewarded op rose from " + before + " to " + after);
        assertTrue(hits >= 14, "late rounds sample the rewarded op well above chance (8 of 40): " + hits + " of 40");
    }

    @Test
    void dartsDecisionsDecodeToValidGenotypesWithDistinctInputs() {
        DartsSpace space = new DartsSpace();
        Decisions<DartsGenotype> d = Decisions.of(space);
        assertEquals(2 * (4 * 4), d.options().length);
        int[] last = new int[d.options().length];
        for (int i = 0; i < last.length; i++) {
            last[i] = d.options()[i] - 1;
        }
        DartsGenotype g = d.decode(last);
        space.check(g);
        for (int node = 2; node < 6; node++) {
            assertNotEquals(g.normal().edgesOf(node).get(0).input(), g.normal().edgesOf(node).get(1).input());
        }
    }
}

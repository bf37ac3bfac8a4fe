package io.sparknas.strategies;

import io.sparknas.space.Candidate;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201Space;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A warm start replaces a strategy's random draws by a ranking, in order, and survives snapshot and restore. */
class WarmStartTest {
    static final Nb201Space SPACE = new Nb201Space();

    static List<String> ranking(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Nb201Cell.fromOrdinal(15_624 - 7 * i).text());
        }
        return out;
    }

    static List<String> genotypes(List<Candidate> cs) {
        return cs.stream().map(Candidate::genotype).toList();
    }

    @Test
    void randomSearchEvaluatesTheRankingInOrderThenDrawsAtRandom() {
        Strategy s = Strategies.create(StrategyConfig.of("random", 4), SPACE);
        List<String> ranked = ranking(6);
        s.warmStart(ranked);
        List<Candidate> first = s.ask(4);
        assertEquals(ranked.subList(0, 4), genotypes(first));
        assertTrue(first.stream().allMatch(c -> c.origin().equals("warm-start")));
        s.tell(first.stream().map(c -> StrategyContractTest.evaluate(c, StrategyContractTest::nb201Toy)).toList());
        List<Candidate> next = s.ask(4);
        assertEquals(ranked.subList(4, 6), genotypes(next).subList(0, 2));
        assertEquals(List.of("random", "random"), next.subList(2, 4).stream().map(Candidate::origin).toList());
    }

    @Test
    void evolutionRestoredFromASnapshotContinuesTheRankingWhereItWas() {
        StrategyConfig cfg = new StrategyConfig("evolution", 9, 10, 3, 0.0, true, 5, 100);
        Strategy a = Strategies.create(cfg, SPACE);
        a.warmStart(ranking(30));
        List<Candidate> asked = a.ask(6);
        a.tell(asked.stream().map(c -> StrategyContractTest.evaluate(c, StrategyContractTest::nb201Toy)).toList());
        Strategy b = Strategies.create(cfg, SPACE);
        b.warmStart(ranking(30));
        b.restore(a.snapshot());
        List<String> continued = genotypes(b.ask(4));
        assertEquals(genotypes(a.ask(4)), continued);
        assertEquals(ranking(30).subList(6, 10), continued, "the first population is the ranking's best 10");
    }

    @Test
    void aRankingOfAnotherSpaceAndAControllerStrategyAreRefused() {
        Strategy s = Strategies.create(StrategyConfig.of("local", 1), SPACE);
        assertThrows(IllegalArgumentException.class, () -> s.warmStart(List.of("sep_conv_3x3")));
        Strategy r = Strategies.create(StrategyConfig.of("reinforce", 1), SPACE);
        var e = assertThrows(UnsupportedOperationException.class, () -> r.warmStart(ranking(3)));
        assertTrue(e.getMessage().contains("cannot be warm-started"), e.getMessage());
    }
}

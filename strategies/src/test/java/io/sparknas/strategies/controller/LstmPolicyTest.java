package io.sparknas.strategies.controller;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparknas.space.SeededRandom;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LstmPolicyTest {
    private static final int[] OPTIONS = {5, 2, 5, 3, 4};

    @Test
    void backPropagationThroughTimeMatchesFiniteDifferences() {
        LstmPolicy p = new LstmPolicy(OPTIONS, 6, 0.01, 5.0, 2.5, 1);
        SeededRandom rng = new SeededRandom(2);
        List<int[]> seqs = List.of(p.sample(rng), p.sample(rng), p.sample(rng));
        double[] adv = {0.7, -0.4, 1.3};
        double entropy = 0.05;
        Map<String, double[]> grads = p.gradients(seqs, adv, entropy);
        int checked = 0;
        for (Map.Entry<String, double[]> e : p.parameters().entrySet()) {
            double[] w = e.getValue();
            for (int i = 0; i < w.length; i += Math.max(1, w.length / 7)) {
                double keep = w[i];
                double eps = 1e-6;
                w[i] = keep + eps;
                double up = p.loss(seqs, adv, entropy);
                w[i] = keep - eps;
                double down = p.loss(seqs, adv, entropy);
                w[i] = keep;
                double numeric = (up - down) / (2 * eps);
                double analytic = grads.get(e.getKey())[i];
                assertEquals(numeric, analytic, 1e-6 + 1e-4 * Math.abs(numeric), e.getKey() + "[" + i + "]");
                checked++;
            }
        }
        assertTrue(checked > 40);
    }

    @Test
    void aRestoredControllerSamplesAndLearnsExactlyAsTheOriginal() {
        LstmPolicy a = new LstmPolicy(OPTIONS, 8, 0.05, 5.0, 2.5, 3);
        SeededRandom ra = new SeededRandom(4);
        for (int i = 0; i < 5; i++) {
            a.update(List.of(a.sample(ra), a.sample(ra)), new double[] {1, -1}, 1e-4);
        }
        ObjectNode snap = new ObjectMapper().createObjectNode();
        a.save(snap);
        LstmPolicy b = new LstmPolicy(OPTIONS, 8, 0.05, 5.0, 2.5, 99);
        b.load(new ObjectMapper().valueToTree(snap));
        SeededRandom rb = SeededRandom.fromState(ra.state());
        List<int[]> sa = new ArrayList<>();
        List<int[]> sb = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int[] x = a.sample(ra);
            int[] y = b.sample(rb);
            assertArrayEquals(x, y);
            sa.add(x);
            sb.add(y);
            if (i % 4 == 3) {
                a.update(sa, new double[] {1, -0.5, 0.2, 0.3}, 1e-4);
                b.update(sb, new double[] {1, -0.5, 0.2, 0.3}, 1e-4);
                sa.clear();
                sb.clear();
            }
        }
        assertEquals(a.logProb(new int[] {1, 1, 1, 1, 1}), b.logProb(new int[] {1, 1, 1, 1, 1}), 0.0);
    }
}

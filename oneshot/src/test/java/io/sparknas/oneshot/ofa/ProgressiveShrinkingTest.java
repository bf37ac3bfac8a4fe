package io.sparknas.oneshot.ofa;

import io.sparknas.space.TestData;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.training.SgdConfig;
import io.sparknas.space.ofa.OfaSpace;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Progressive shrinking on a tiny supernet and 200 Fashion-MNIST images: its phases, checkpoints and resume. */
class ProgressiveShrinkingTest {
    static final OfaSpace SPACE = ElasticSupernetTest.SPACE;
    static final OfaTrainingConfig CFG = new OfaTrainingConfig(1, 1, 50, new SgdConfig(0.05, 0.9, 3e-5, 5), 0.02,
            2, List.of(), false, 1.0, 100, 3, 1);

    /** OFA's shape: a warm-up in the kernel phase and the second phase of each dimension, more subnets later. */
    static final List<PhaseSchedule> SCHEDULE = List.of(new PhaseSchedule("kernel", 1, 0.03, 0.5, 0.003, 2),
            new PhaseSchedule("depth-1", 1, 0.0025, 0, 0, 2), new PhaseSchedule("depth-2", 1, 0.0075, 0.5, 0.001, 2),
            new PhaseSchedule("expand-1", 1, 0.0025, 0, 0, 3), new PhaseSchedule("expand-2", 1, 0.0075, 0.5, 0.001, 3));
    static final OfaTrainingConfig SCHEDULED = new OfaTrainingConfig(1, 1, 50, new SgdConfig(0.05, 0.9, 3e-5, 0),
            0.02, 2, SCHEDULE, true, 1.0, 100, 3, 1);

    static Datasets.Split data() {
        TestData.require(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        return Datasets.shared(DataConfig.fashionMnist(20, 10));
    }

    /** Records what the training said, and the checkpoint of each phase. */
    static final class Recorder implements ProgressiveShrinking.Listener {
        final List<String> epochs = new ArrayList<>();
        final Map<Integer, byte[]> checkpoints = new LinkedHashMap<>();

        @Override
        public void epoch(int phaseIndex, ProgressiveShrinking.Phase phase, int epoch, Map<String, Double> metrics) {
            assertTrue(metrics.get("train_loss") > 0 && metrics.get("val_accuracy_largest") >= 0, metrics.toString());
            epochs.add(phase.name() + "@" + epoch);
        }

        @Override
        public void phaseDone(int phaseIndex, ProgressiveShrinking.Phase phase, ElasticSupernet supernet) {
            checkpoints.put(phaseIndex, Checkpoint.write(supernet, phaseIndex, phase.name()));
        }
    }

    @Test
    void thePhasesShrinkOneDimensionAtATime() {
        List<String> names = ProgressiveShrinking.phases(SPACE, CFG).stream()
                .map(p -> p.name() + " d" + p.depths() + " k" + p.kernels() + " e" + p.expands()).toList();
        assertEquals(List.of("full d[4] k[7] e[6]", "kernel d[4] k[3, 5, 7] e[6]", "depth-1 d[3, 4] k[3, 5, 7] e[6]",
                "depth-2 d[2, 3, 4] k[3, 5, 7] e[6]", "expand-1 d[2, 3, 4] k[3, 5, 7] e[4, 6]",
                "expand-2 d[2, 3, 4] k[3, 5, 7] e[3, 4, 6]"), names);
        OfaSpace fixedKernel = new OfaSpace(4, List.of(8), List.of(2), List.of(2, 3), List.of(3), List.of(6));
        assertEquals(List.of("full", "depth-1"), ProgressiveShrinking.phases(fixedKernel, CFG).stream()
                .map(ProgressiveShrinking.Phase::name).toList());
    }

    @Test
    void aScheduleGivesEachLaterPhaseItsEpochsRateWarmUpAndSubnetsAndEveryExpandPhaseResortsChannels() {
        List<String> got = ProgressiveShrinking.phases(SPACE, SCHEDULED).stream().map(p -> p.name() + " " + p.epochs()
                + " " + p.learningRate() + " " + p.warmupEpochs() + " " + p.warmupLearningRate() + " x"
                + p.subnetsPerStep() + (p.sortsChannels() ? " sorts" : "")).toList();
        assertEquals(List.of("full 1 0.05 0.0 0.0 x1", "kernel 1 0.03 0.5 0.003 x2", "depth-1 1 0.0025 0.0 0.0 x2",
                "depth-2 1 0.0075 0.5 0.001 x2", "expand-1 1 0.0025 0.0 0.0 x3 sorts",
                "expand-2 1 0.0075 0.5 0.001 x3 sorts"), got);
        List<String> flat = ProgressiveShrinking.phases(SPACE, CFG).stream().map(p -> p.name() + " " + p.learningRate()
                + " x" + p.subnetsPerStep()).toList();
        assertEquals(List.of("full 0.05 x1", "kernel 0.02 x2", "depth-1 0.02 x2", "depth-2 0.02 x2",
                "expand-1 0.02 x2", "expand-2 0.02 x2"), flat, "without a schedule: the flat keys, as before");
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        assertTrue(!json.valueToTree(CFG).has("schedule") && !json.valueToTree(CFG).has("sandwich"),
                "unset, they stay out of the JSON a sweep's hash is made of: " + json.valueToTree(CFG));
        assertTrue(json.valueToTree(SCHEDULED).has("schedule") && json.valueToTree(SCHEDULED).has("sandwich"));
    }

    @Test
    void aScheduleThatDoesNotNameTheSpacesPhasesInOrderIsRefused() {
        OfaTrainingConfig missing = new OfaTrainingConfig(1, 1, 50, CFG.sgd(), 0.02, 2, SCHEDULE.subList(0, 4),
                false, 1.0, 100, 3, 1);
        assertEquals("ofa.training.schedule lists phases [kernel, depth-1, depth-2, expand-1] but this space's "
                + "phases after 'full' are [kernel, depth-1, depth-2, expand-1, expand-2]: give one entry for each, "
                + "in this order", assertThrows(IllegalArgumentException.class,
                () -> ProgressiveShrinking.phases(SPACE, missing)).getMessage());
        OfaTrainingConfig oneSubnet = new OfaTrainingConfig(1, 1, 50, CFG.sgd(), 0.02, 1, List.of(), true, 1.0, 100,
                3, 1);
        assertEquals("ofa.training.sandwich needs 2 or more subnets per step in every phase (the largest and the "
                + "smallest), but phase 'kernel' has 1: raise its subnetsPerStep or set sandwich = false",
                assertThrows(IllegalArgumentException.class, () -> ProgressiveShrinking.phases(SPACE, oneSubnet))
                        .getMessage());
        assertEquals("ofa.training.schedule[kernel]: warmupLearningRate must be in (0, learningRate] when "
                + "warmupEpochs > 0, got 0.0", assertThrows(IllegalArgumentException.class,
                () -> new PhaseSchedule("kernel", 2, 0.03, 1, 0, 1)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PhaseSchedule("kernel", 2, 0.03, 2, 0.01, 1))
                .getMessage().contains("warmupEpochs must be in [0, epochs)"));
    }

    @Test
    void underTheSandwichRuleEachStepStartsWithThePhasesLargestAndSmallestSubnet() {
        ProgressiveShrinking.Phase expand1 = ProgressiveShrinking.phases(SPACE, SCHEDULED).get(4);
        ProgressiveShrinking sandwich = new ProgressiveShrinking(SCHEDULED, null);
        io.sparknas.space.SeededRandom rng = new io.sparknas.space.SeededRandom(7);
        assertEquals(SPACE.largest(), sandwich.subnet(SPACE, expand1, 0, rng));
        assertEquals(SPACE.uniform(2, 3, 4), sandwich.subnet(SPACE, expand1, 1, rng), "expand-1's smallest: e = 4");
        java.util.Set<String> random = new java.util.HashSet<>();
        for (int i = 0; i < 20; i++) {
            random.add(sandwich.subnet(SPACE, expand1, 2, rng).text());
        }
        assertTrue(random.size() > 10, "the third and later subnets are drawn: " + random.size());
        ProgressiveShrinking plain = new ProgressiveShrinking(CFG, null);
        assertTrue(java.util.stream.IntStream.range(0, 20).mapToObj(i -> plain.subnet(SPACE, expand1, 0, rng))
                .distinct().count() > 10, "without the rule the first subnet is drawn too");
    }

    @Test
    void theRateRisesLinearlyOverTheWarmUpThenFollowsACosineToZero() {
        assertEquals(0.001, PhaseSchedule.rate(0.01, 0.001, 10, 0, 110), 1e-12);
        assertEquals(0.0055, PhaseSchedule.rate(0.01, 0.001, 10, 5, 110), 1e-12);
        assertEquals(0.01, PhaseSchedule.rate(0.01, 0.001, 10, 10, 110), 1e-12, "the cosine starts at the full rate");
        assertEquals(0.005, PhaseSchedule.rate(0.01, 0.001, 10, 60, 110), 1e-12);
        assertEquals(0.01 * 0.5 * (1 + Math.cos(Math.PI * 5 / 100)), PhaseSchedule.rate(0.01, 0, 0, 5, 100), 1e-12);
    }

    @Test
    void weightDecaySparesBatchNormAndBiasesAndShrinksTheRest() {
        try (ElasticSupernet s = new ElasticSupernet(SPACE, 1, 10, Device.cpu(), 5)) {
            List<String> names = new ArrayList<>(s.arrays().keySet());
            NDArray conv = s.array("stem.conv");
            NDArray gamma = s.array("stem.bn.gamma");
            NDArray bias = s.array("classifier.bias");
            float[] conv0 = conv.toFloatArray();
            float[] gamma0 = gamma.toFloatArray();
            float[] bias0 = bias.toFloatArray();
            assertTrue(s.decays(names.indexOf("stem.conv")) && s.decays(names.indexOf("s0b0.transform5")));
            assertTrue(!s.decays(names.indexOf("stem.bn.gamma")) && !s.decays(names.indexOf("stem.bn.beta"))
                    && !s.decays(names.indexOf("classifier.bias")));
            io.sparknas.oneshot.WeightOptimizer sgd = new io.sparknas.oneshot.WeightOptimizer(
                    new SgdConfig(1.0, 0, 0.1, 0), s);
            try (NDManager step = s.manager().newSubManager();
                 var gc = new io.sparknas.estimators.ThreadGradientCollector()) {
                NDArray zero = null;
                for (NDArray a : s.weights()) { // a loss of 0 with a gradient (of 0) for every weight
                    NDArray t = a.mul(0f).sum();
                    zero = zero == null ? t : zero.add(t);
                }
                gc.backward(zero);
                sgd.step(step, 1.0);
            }
            float[] conv1 = conv.toFloatArray();
            for (int i = 0; i < conv0.length; i++) {
                assertEquals(0.9f * conv0[i], conv1[i], 1e-6f, "decayed: w - lr * 0.1 * w");
            }
            assertArrayEquals(gamma0, gamma.toFloatArray(), 0f);
            assertArrayEquals(bias0, bias.toFloatArray(), 0f);
        }
    }

    @Test
    void trainingChangesTheKernelTransformsAndAResumedTrainingEndsWhereAnUnbrokenOneDoes() {
        Datasets.Split data = data();
        Recorder unbroken = new Recorder();
        float[] finalArrays;
        try (ElasticSupernet s = new ElasticSupernet(SPACE, 1, 10, Device.cpu(), 5)) {
            new ProgressiveShrinking(SCHEDULED, data).train(s, 0, null, unbroken);
            NDArray t = s.array("s0b0.transform5");
            try (NDManager m = NDManager.newBaseManager()) {
                double moved = t.sub(m.eye(25)).abs().max().getFloat();
                assertTrue(moved > 1e-4, "the 7->5 kernel transformation was trained: " + moved);
            }
            finalArrays = s.toList().stream().flatMap(a -> java.util.stream.Stream.of(a.toFloatArray()))
                    .reduce(new float[0], ProgressiveShrinkingTest::concat);
        }
        assertEquals(List.of("full@1", "kernel@1", "depth-1@1", "depth-2@1", "expand-1@1", "expand-2@1"),
                unbroken.epochs);
        assertEquals(6, unbroken.checkpoints.size());

        // resume after phase 2 (depth-1) from its checkpoint, with the teacher from phase 0's
        Recorder resumed = new Recorder();
        try (ElasticSupernet s = new ElasticSupernet(SPACE, 1, 10, Device.cpu(), 99);
             ElasticSupernet teacher = new ElasticSupernet(SPACE, 1, 10, Device.cpu(), 98)) {
            Checkpoint.Header h = Checkpoint.read(unbroken.checkpoints.get(2), s, "phase 2");
            assertEquals("depth-1", h.phaseName());
            Checkpoint.read(unbroken.checkpoints.get(0), teacher, "phase 0");
            new ProgressiveShrinking(SCHEDULED, data).train(s, h.phase() + 1, teacher, resumed);
            float[] again = s.toList().stream().flatMap(a -> java.util.stream.Stream.of(a.toFloatArray()))
                    .reduce(new float[0], ProgressiveShrinkingTest::concat);
            assertArrayEquals(finalArrays, again, 1e-5f);
        }
        assertEquals(List.of("depth-2@1", "expand-1@1", "expand-2@1"), resumed.epochs);
    }

    @Test
    void aCheckpointOfAnotherSpaceIsRefusedNamingWhatDiffers() {
        byte[] bytes;
        try (ElasticSupernet s = new ElasticSupernet(SPACE, 1, 10, Device.cpu(), 5)) {
            bytes = Checkpoint.write(s, 0, "full");
        }
        OfaSpace wider = new OfaSpace(4, List.of(8, 12, 20), List.of(2, 2, 2), List.of(2, 3, 4), List.of(3, 5, 7),
                List.of(3, 4, 6));
        try (ElasticSupernet other = new ElasticSupernet(wider, 1, 10, Device.cpu(), 5)) {
            String m = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(bytes, other, "ckpt"))
                    .getMessage();
            assertEquals("ckpt is a supernet of another configuration: widths [8, 12, 16] in the checkpoint, "
                    + "[8, 12, 20] configured", m);
        }
        try (ElasticSupernet s = new ElasticSupernet(SPACE, 1, 10, Device.cpu(), 5)) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(new byte[] {1, 2}, s, "junk"))
                    .getMessage().startsWith("junk is not a sparknas OFA checkpoint"));
        }
    }

    static float[] concat(float[] a, float[] b) {
        float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}

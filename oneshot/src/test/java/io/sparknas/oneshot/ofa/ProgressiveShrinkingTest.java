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
            2, 1.0, 100, 3, 1);

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
    void trainingChangesTheKernelTransformsAndAResumedTrainingEndsWhereAnUnbrokenOneDoes() {
        Datasets.Split data = data();
        Recorder unbroken = new Recorder();
        float[] finalArrays;
        try (ElasticSupernet s = new ElasticSupernet(SPACE, 1, 10, Device.cpu(), 5)) {
            new ProgressiveShrinking(CFG, data).train(s, 0, null, unbroken);
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
            new ProgressiveShrinking(CFG, data).train(s, h.phase() + 1, teacher, resumed);
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

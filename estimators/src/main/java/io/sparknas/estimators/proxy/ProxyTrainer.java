package io.sparknas.estimators.proxy;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.tracker.CosineTracker;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import io.sparknas.estimators.ThreadGradientCollector;
import io.sparknas.estimators.Torch;
import io.sparknas.estimators.training.BatchStats;
import io.sparknas.estimators.training.Divergence;
import io.sparknas.estimators.training.GradientClip;
import io.sparknas.estimators.training.ResumableSgd;
import io.sparknas.estimators.training.SgdConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One network being trained: its DJL model and trainer (SGD with momentum, weight decay, clipping to a global norm as
 * PyTorch's {@code clip_grad_norm_}, and a cosine schedule over {@code totalSteps}), a step on a batch, inference,
 * latency and saving: DJL's {@code Trainer} driving a fixed network, shared by the proxy estimator and the
 * training-step benchmark (the DARTS search writes
 * its optimisers out instead, see the oneshot module). Not thread-safe; several instances may train at once in
 * different threads.
 */
public final class ProxyTrainer implements AutoCloseable {
    private final Model model;
    private final DefaultTrainingConfig config;
    private Trainer trainer;
    private final Block block;
    private final Shape inputShape;
    private final ResumableSgd sgd;
    private final double gradClip;

    /**
     * @param inputShape (batch, channels, height, width) of a training batch
     * @param totalSteps steps of the whole training, for the cosine schedule
     * @param seed       seeds the weight initialisation
     */
    public ProxyTrainer(String name, Block block, SgdConfig sgdConfig, int torchThreads, Device device,
                        Shape inputShape, int totalSteps, long seed) {
        this(name, block, sgdConfig, torchThreads, device, inputShape, totalSteps, 0, seed);
    }

    /**
     * A training that continues after {@code stepsDone} of its {@code totalSteps} (the schedule goes on from there);
     * {@link #loadState} then gives it the parameters and momentum it had.
     */
    public ProxyTrainer(String name, Block block, SgdConfig sgdConfig, int torchThreads, Device device,
                        Shape inputShape, int totalSteps, int stepsDone, long seed) {
        Torch.pinThreads(torchThreads);
        this.block = block;
        this.inputShape = inputShape;
        this.gradClip = sgdConfig.gradClip();
        this.model = Model.newInstance(name, device);
        model.setBlock(block);
        Tracker schedule = CosineTracker.builder().setBaseValue((float) sgdConfig.learningRate())
                .optFinalValue(0f).setMaxUpdates(Math.max(1, totalSteps)).build();
        this.sgd = new ResumableSgd(schedule, sgdConfig, block.getParameters().values(), stepsDone);
        this.config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(sgd).optDevices(new Device[] {device})
                .optInitializer(Torch.PYTORCH_DEFAULT_INIT, Parameter.Type.WEIGHT);
        Trainer t = null;
        try {
            t = model.newTrainer(config);
            Trainer created = t;
            Torch.seeded(seed, () -> created.initialize(inputShape));
        } catch (RuntimeException e) {
            if (t != null) {
                t.close();
            }
            model.close();
            throw e;
        }
        this.trainer = t;
    }

    /**
     * One SGD step on a batch of the training shape; returns the batch's mean loss (as {@code lossSum}) and how many
     * of its images the network classified correctly before the step.
     */
    public BatchStats step(float[] x, float[] labels) {
        try (NDManager m = trainer.getManager().newSubManager()) {
            NDArray input = m.create(x, inputShape);
            NDArray y = m.create(labels, new Shape(inputShape.get(0)));
            float loss;
            long correct;
            try (ThreadGradientCollector gc = new ThreadGradientCollector()) {
                NDList out = trainer.forward(new NDList(input));
                NDArray l = trainer.getLoss().evaluate(new NDList(y), out);
                loss = Divergence.check(l.getFloat(), "training loss");
                gc.backward(l);
                correct = out.singletonOrThrow().argMax(1).toType(DataType.FLOAT32, false).eq(y).sum().getLong();
            }
            synchronized (Torch.UPDATE_LOCK) {
                clipGradients(m);
                trainer.step(); // DJL's SGD update also resets the gradients
            }
            return new BatchStats(loss, correct, inputShape.get(0));
        }
    }

    /** Scales the gradients of the last backward pass to the global norm {@code gradClip} (0 = off). */
    private void clipGradients(NDManager step) {
        if (gradClip <= 0) {
            return;
        }
        List<NDArray> gradients = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().requiresGradient()) {
                NDArray g = p.getValue().getArray().getGradient();
                g.attach(step);
                gradients.add(g);
            }
        }
        GradientClip.toNorm(gradients, gradClip);
    }

    /**
     * Re-estimates the batch-norm running statistics at the current weights: training-mode forward passes over
     * {@code batches} (of the training shape) without gradients or updates. With momentum 0.9 the statistics left
     * by training keep 0.9^N of their weight after N batches (4 % after 30).
     */
    public void recalibrateBatchNorm(List<float[]> batches) {
        try (NDManager m = trainer.getManager().newSubManager(); Torch.NoGrad ng = Torch.noGrad()) {
            for (float[] x : batches) {
                trainer.forward(new NDList(m.create(x, inputShape))).close();
            }
        }
    }

    /** The logits of a batch of the training shape, in inference mode or with batch statistics (no update). */
    float[] logits(float[] x, boolean batchStatistics) {
        try (NDManager m = trainer.getManager().newSubManager(); Torch.NoGrad ng = Torch.noGrad()) {
            NDList in = new NDList(m.create(x, inputShape));
            return (batchStatistics ? trainer.forward(in) : trainer.evaluate(in)).singletonOrThrow().toFloatArray();
        }
    }

    /** Summed loss and correct predictions of a batch, in inference mode. */
    public BatchStats evaluate(float[] x, float[] labels, Shape shape) {
        try (NDManager m = trainer.getManager().newSubManager()) {
            NDArray y = m.create(labels, new Shape(shape.get(0)));
            NDList pred = trainer.evaluate(new NDList(m.create(x, shape)));
            double loss = trainer.getLoss().evaluate(new NDList(y), pred).getFloat() * shape.get(0);
            long correct = pred.singletonOrThrow().argMax(1).toType(DataType.FLOAT32, false).eq(y).sum().getLong();
            return new BatchStats(loss, correct, shape.get(0));
        }
    }

    /** Median milliseconds of an inference pass on {@code x}, after 3 warm-up passes. */
    public double latencyMs(float[] x, Shape shape, int repeats) {
        try (NDManager m = trainer.getManager().newSubManager()) {
            NDArray input = m.create(x, shape);
            double[] times = new double[repeats];
            for (int r = -3; r < repeats; r++) {
                long t0 = System.nanoTime();
                try (NDList out = trainer.evaluate(new NDList(input))) {
                    out.singletonOrThrow().getFloat(0, 0);
                }
                if (r >= 0) {
                    times[r] = (System.nanoTime() - t0) / 1e6;
                }
            }
            Arrays.sort(times);
            return times[times.length / 2];
        }
    }

    public long trainableParameters() {
        long n = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().requiresGradient()) {
                n += p.getValue().getArray().size();
            }
        }
        return n;
    }

    /**
     * Replaces the parameters with those saved by {@link #save} under {@code dir}. DJL's trainer keeps the arrays it
     * saw when it initialised (its parameter store), while loading gives the parameters new arrays: a new trainer is
     * made over the loaded ones (initialising leaves set parameters as they are), or training and inference would go
     * on with the old values.
     */
    public void load(Path dir) throws IOException {
        try {
            model.load(dir, "model");
        } catch (ai.djl.MalformedModelException | RuntimeException e) {
            throw new IOException(dir + " does not hold parameters of this network: " + e.getMessage(), e);
        }
        Trainer fresh = model.newTrainer(config);
        fresh.initialize(inputShape);
        trainer.close();
        trainer = fresh;
    }

    /** Saves the parameters in DJL's format as {@code dir/model-0000.params}. */
    public void save(Path dir) throws IOException {
        model.save(dir, "model");
    }

    /** Saves what continuing this training needs: the parameters ({@link #save}) and the optimiser's momentum. */
    public void saveState(Path dir) throws IOException {
        save(dir);
        Files.write(dir.resolve(MOMENTUM), sgd.encodeMomentum(trainer.getManager()));
    }

    /** Replaces parameters and momentum with those {@link #saveState} wrote for a network of the same shape. */
    public void loadState(Path dir) throws IOException {
        load(dir);
        try {
            sgd.decodeMomentum(trainer.getManager(), Files.readAllBytes(dir.resolve(MOMENTUM)));
        } catch (RuntimeException e) {
            throw new IOException(dir.resolve(MOMENTUM) + " is not this network's optimiser state: " + e.getMessage(),
                    e);
        }
    }

    private static final String MOMENTUM = "momentum.ndlist";

    @Override
    public void close() {
        trainer.close();
        model.close();
    }
}

package io.sparknas.estimators.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * DJL's SGD update (the same engine call, {@code sgdUpdate}, with the same arguments as {@code Optimizer.sgd()} without
 * clipping, so an update is DJL's bit for bit) whose state can be written out and read back: the momentum buffer of every
 * parameter, in the network's parameter order (a rebuilt network has new parameter ids, never a new order), and the
 * number of updates done (the learning-rate schedule's position, given back as DJL's {@code beginNumUpdate}). What a
 * paused candidate needs to continue its training exactly where it stopped (multi-fidelity schedulers).
 */
public final class ResumableSgd extends Optimizer {
    private final Tracker learningRate;
    private final float momentum;
    private final Map<String, Integer> order = new LinkedHashMap<>();
    private final Map<String, NDArray> buffers = new ConcurrentHashMap<>();

    /**
     * @param parameters the network's parameters, in its order
     * @param stepsDone  updates already done (0 for a new training)
     */
    public ResumableSgd(Tracker learningRate, SgdConfig sgd, List<Parameter> parameters, int stepsDone) {
        super(new Settings(sgd, stepsDone));
        this.learningRate = learningRate;
        this.momentum = (float) sgd.momentum();
        for (Parameter p : parameters) {
            order.put(p.getId(), order.size());
        }
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        float lr = learningRate.getNewValue(updateCount(parameterId));
        NDList inputs;
        if (momentum != 0f) {
            NDArray state = buffers.computeIfAbsent(parameterId, k -> {
                NDArray zeros = weight.zerosLike();
                zeros.detach(); // held by the optimiser, not by the step's manager
                return zeros;
            });
            inputs = new NDList(weight, grad, state);
        } else {
            inputs = new NDList(weight, grad);
        }
        weight.getNDArrayInternal().sgdUpdate(inputs, new NDList(weight), lr, getWeightDecay(), rescaleGrad, clipGrad,
                momentum, true);
    }

    /** The momentum buffers in parameter order (a parameter never updated has none: an empty array of its shape). */
    public byte[] encodeMomentum(NDManager manager) {
        List<NDArray> out = new ArrayList<>();
        for (Map.Entry<String, Integer> e : order.entrySet()) {
            NDArray b = buffers.get(e.getKey());
            out.add(b == null ? manager.create(new float[0]) : b);
        }
        return new NDList(out).encode();
    }

    /** Replaces the momentum buffers with those of {@link #encodeMomentum}, for a network of the same parameters. */
    public void decodeMomentum(NDManager manager, byte[] encoded) {
        NDList list = NDList.decode(manager, encoded);
        if (list.size() != order.size()) {
            throw new IllegalArgumentException("the optimiser state holds " + list.size() + " momentum buffers, the "
                    + "network has " + order.size() + " parameters");
        }
        for (Map.Entry<String, Integer> e : order.entrySet()) {
            NDArray b = list.get(e.getValue());
            if (b.size() > 0) {
                b.detach();
                buffers.put(e.getKey(), b);
            }
        }
    }

    /**
     * DJL's optimiser settings: weight decay and where the update count starts. DJL's own clipping is off (an
     * infinite bound): libtorch's {@code sgdUpdate} would clamp each element from above, not the global norm that
     * {@code gradClip} means; the trainer clips the whole gradient before the update ({@link GradientClip}).
     */
    private static final class Settings extends OptimizerBuilder<Settings> {
        Settings(SgdConfig sgd, int stepsDone) {
            optWeightDecays((float) sgd.weightDecay());
            optClipGrad(Float.POSITIVE_INFINITY);
            optBeginNumUpdate(stepsDone);
        }

        @Override
        protected Settings self() {
            return this;
        }
    }
}

package io.sparknas.oneshot.ofa;

import io.sparknas.oneshot.Norm;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.Device;
import io.sparknas.estimators.Torch;
import io.sparknas.oneshot.SupernetWeights;
import io.sparknas.oneshot.Trainable;
import io.sparknas.space.ofa.OfaSpace;
import io.sparknas.space.ofa.OfaSubnet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.sparknas.oneshot.StepArrays.scoped;

/**
 * Once-for-All's elastic supernet (Cai et al., ICLR 2020), written on DJL arrays: weights for the largest network
 * of an {@link OfaSpace}, from which every subnet is cut.
 * <ul>
 *   <li>elastic depth: a stage keeps its first D blocks;</li>
 *   <li>elastic kernel: a smaller depthwise kernel is the centre of the next larger one passed through a learned
 *       kernel-transformation matrix (7 to 5, then 5 to 3; identity at first), as OFA's
 *       {@code DynamicSeparableConv2d};</li>
 *   <li>elastic width (expand ratio): a block keeps its first {@code in x ratio} hidden channels, which
 *       {@link #sortChannels()} orders by importance (L1 norm of the project conv's weights) before each expand
 *       phase;</li>
 *   <li>batch normalisation normalises with the batch's statistics in training; a subnet is evaluated with
 *       statistics recalibrated on training images ({@link Norm#calibrating()}), as OFA's
 *       {@code set_running_statistics}.</li>
 * </ul>
 * Initialisation (He normal for convs, BN scale 1 and shift 0, classifier uniform) comes from one seed. Not
 * thread-safe.
 */
public final class ElasticSupernet implements Trainable, AutoCloseable {

    private final OfaSpace space;
    private final int inputChannels;
    private final int classes;
    private final NDManager manager;
    private final Map<String, NDArray> arrays;
    private List<Boolean> decayed;

    public ElasticSupernet(OfaSpace space, int inputChannels, int classes, Device device, long seed) {
        this.space = space;
        this.inputChannels = inputChannels;
        this.classes = classes;
        this.manager = NDManager.newBaseManager(device);
        SupernetWeights w = new SupernetWeights(manager, seed);
        w.conv("stem.conv", space.stemChannels(), inputChannels, 3);
        w.bn("stem.bn", space.stemChannels());
        int kmax = space.maxKernel();
        for (int s = 0; s < space.stages(); s++) {
            for (int b = 0; b < space.maxDepth(); b++) {
                int in = space.blockInput(s, b);
                int hidden = in * space.maxExpand();
                String p = block(s, b);
                w.conv(p + "expand", hidden, in, 1);
                w.bn(p + "bn1", hidden);
                w.conv(p + "depthwise", hidden, 1, kmax);
                w.bn(p + "bn2", hidden);
                w.conv(p + "project", space.widths().get(s), hidden, 1);
                w.bn(p + "bn3", space.widths().get(s));
                List<Integer> ks = space.kernels();
                for (int i = ks.size() - 2; i >= 0; i--) {
                    int k = ks.get(i);
                    w.put(p + "transform" + k, manager.eye(k * k));
                }
            }
        }
        int last = space.widths().get(space.stages() - 1);
        w.linear("classifier", classes, last);
        this.arrays = w.trainable();
    }

    public OfaSpace space() {
        return space;
    }

    public int inputChannels() {
        return inputChannels;
    }

    public int classes() {
        return classes;
    }

    static String block(int stage, int block) {
        return "s" + stage + "b" + block + ".";
    }

    /** Every array of the supernet by name (weights, BN scales and shifts, kernel transformations), in order. */
    public Map<String, NDArray> arrays() {
        return arrays;
    }

    NDArray array(String name) {
        return arrays.get(name);
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public List<NDArray> weights() {
        return new ArrayList<>(arrays.values());
    }

    /** Weight decay spares batch normalisation's scales and shifts and the biases, as OFA's {@code no_decay_keys}. */
    @Override
    public boolean decays(int i) {
        if (decayed == null) {
            decayed = arrays.keySet().stream().map(n -> !(n.endsWith(".gamma") || n.endsWith(".beta")
                    || n.endsWith(".bias"))).toList();
        }
        return decayed.get(i);
    }

    @Override
    public void zeroGradients() {
        SupernetWeights.zeroGradients(arrays.values());
    }

    /**
     * Logits of {@code net} for images {@code x} (NCHW), normalised by {@code norm}. Every array the pass makes
     * belongs to {@code x}'s manager (a step's), none to the supernet's.
     */
    public NDArray forward(OfaSubnet net, NDArray x, Norm norm) {
        space.check(net);
        NDManager step = x.getManager();
        NDArray h = Conv2d.conv2d(x, array("stem.conv"), null, new Shape(1, 1), new Shape(1, 1)).singletonOrThrow();
        h = Activation.relu(norm.apply("stem.bn", h, array("stem.bn.gamma"), array("stem.bn.beta")));
        for (int s = 0; s < space.stages(); s++) {
            List<OfaSubnet.Block> blocks = net.stages().get(s);
            for (int b = 0; b < blocks.size(); b++) {
                h = block(step, s, b, blocks.get(b), h, norm);
            }
        }
        NDArray pooled = h.mean(new int[] {3}).mean(new int[] {2});
        return Linear.linear(pooled, array("classifier.weight"), array("classifier.bias")).singletonOrThrow();
    }

    private NDArray block(NDManager step, int s, int b, OfaSubnet.Block choice, NDArray x, Norm norm) {
        String p = block(s, b);
        int in = space.blockInput(s, b);
        int out = space.widths().get(s);
        int hidden = in * choice.expand();
        int stride = b == 0 ? space.strides().get(s) : 1;
        int k = choice.kernel();
        NDArray h = Conv2d.conv2d(x, first(step, p + "expand", hidden), null).singletonOrThrow();
        h = Activation.relu(norm.apply(p + "bn1", h, first(step, p + "bn1.gamma", hidden),
                first(step, p + "bn1.beta", hidden)));
        h = Conv2d.conv2d(h, kernel(step, s, b, k, hidden), null, new Shape(stride, stride), new Shape(k / 2, k / 2),
                new Shape(1, 1), hidden).singletonOrThrow();
        h = Activation.relu(norm.apply(p + "bn2", h, first(step, p + "bn2.gamma", hidden),
                first(step, p + "bn2.beta", hidden)));
        h = Conv2d.conv2d(h, scoped(step, array(p + "project").get(new NDIndex(":, :{}", hidden))), null)
                .singletonOrThrow();
        h = norm.apply(p + "bn3", h, array(p + "bn3.gamma"), array(p + "bn3.beta"));
        return stride == 1 && in == out ? h.add(x) : h;
    }

    /** The first {@code n} entries (output channels) of an array, as an array of {@code step}. */
    private NDArray first(NDManager step, String name, int n) {
        return scoped(step, array(name).get(new NDIndex(":{}", n)));
    }

    /**
     * The depthwise kernel of size {@code k} for the first {@code hidden} channels: the largest kernel's centre,
     * transformed at each step down ({@code x M^T} on the flattened kernel, as OFA's {@code F.linear}).
     */
    NDArray kernel(NDManager step, int s, int b, int k, int hidden) {
        String p = block(s, b);
        NDArray w = first(step, p + "depthwise", hidden);
        int current = space.maxKernel();
        List<Integer> ks = space.kernels();
        for (int i = ks.size() - 2; i >= 0 && ks.get(i) >= k; i--) {
            int t = ks.get(i);
            int start = (current - t) / 2;
            NDArray m = scoped(step, array(p + "transform" + t).transpose());
            w = w.get(new NDIndex(":, :, {}:{}, {}:{}", start, start + t, start, start + t))
                    .reshape(hidden, (long) t * t).matMul(m).reshape(hidden, 1, t, t);
            current = t;
        }
        return w;
    }

    /**
     * Orders every block's hidden channels by importance, the L1 norm of the project conv's weights on each
     * (OFA's {@code re_organize_middle_weights}), so that a smaller expand ratio keeps the most important ones. The
     * function of every subnet at the largest ratio is unchanged (a permutation of its hidden channels).
     */
    public void sortChannels() {
        try (Torch.NoGrad ng = Torch.noGrad(); NDManager scope = manager.newSubManager()) {
            for (int s = 0; s < space.stages(); s++) {
                for (int b = 0; b < space.maxDepth(); b++) {
                    String p = block(s, b);
                    NDArray project = array(p + "project");
                    NDArray importance = project.abs().sum(new int[] {0, 2, 3});
                    importance.attach(scope);
                    NDArray order = importance.argSort(0, false);
                    order.attach(scope);
                    permute(scope, project, order, 1);
                    for (String name : List.of("expand", "bn1.gamma", "bn1.beta", "depthwise", "bn2.gamma", "bn2.beta")) {
                        permute(scope, array(p + name), order, 0);
                    }
                }
            }
        }
    }

    private static void permute(NDManager scope, NDArray a, NDArray order, int axis) {
        NDArray moved = axis == 0 ? a : a.swapAxes(0, axis);
        NDArray sorted = moved.get(new NDIndex("{}", order));
        if (axis != 0) {
            sorted = sorted.swapAxes(0, axis);
        }
        sorted.attach(scope);
        a.muli(0).addi(sorted);
    }

    /**
     * The parameters of {@code net} as a plain network ({@link io.sparknas.estimators.nn.OfaNetwork}'s order): the
     * kept channels and blocks, the transformed kernels, and the recalibrated BN statistics {@code stats}. New
     * arrays of {@code target}.
     */
    public List<NDArray> cut(OfaSubnet net, Norm.Statistics stats, NDManager target) {
        space.check(net);
        List<NDArray> out = new ArrayList<>();
        try (Torch.NoGrad ng = Torch.noGrad(); NDManager scope = manager.newSubManager()) {
            out.add(array("stem.conv"));
            addBn(scope, out, "stem.bn", space.stemChannels(), stats);
            for (int s = 0; s < space.stages(); s++) {
                List<OfaSubnet.Block> blocks = net.stages().get(s);
                for (int b = 0; b < blocks.size(); b++) {
                    String p = block(s, b);
                    int hidden = space.blockInput(s, b) * blocks.get(b).expand();
                    out.add(first(scope, p + "expand", hidden));
                    addBn(scope, out, p + "bn1", hidden, stats);
                    out.add(kernel(scope, s, b, blocks.get(b).kernel(), hidden));
                    addBn(scope, out, p + "bn2", hidden, stats);
                    out.add(scoped(scope, array(p + "project").get(new NDIndex(":, :{}", hidden))));
                    addBn(scope, out, p + "bn3", space.widths().get(s), stats);
                }
            }
            out.add(array("classifier.weight"));
            out.add(array("classifier.bias"));
            List<NDArray> copies = new ArrayList<>();
            for (NDArray a : out) {
                NDArray c = target.create(a.getShape(), a.getDataType());
                a.copyTo(c);
                copies.add(c);
            }
            return copies;
        }
    }

    private void addBn(NDManager scope, List<NDArray> out, String name, int c, Norm.Statistics stats) {
        out.add(first(scope, name + ".gamma", c));
        out.add(first(scope, name + ".beta", c));
        NDArray[] ms = stats.of(name);
        if (ms == null || ms[0].getShape().get(0) != c) {
            throw new IllegalArgumentException("no recalibrated statistics of " + c + " channels for " + name);
        }
        out.add(ms[0]);
        out.add(ms[1]);
    }

    /** The arrays as one list, for a checkpoint (names in {@link #arrays()} order). */
    public NDList toList() {
        NDList list = new NDList();
        arrays.values().forEach(list::add);
        return list;
    }

    /**
     * Sets every array from a checkpoint's list; a list from another space or shape is refused, naming the first
     * array that differs.
     */
    public void load(NDList saved) {
        if (saved.size() != arrays.size()) {
            throw new IllegalArgumentException("the checkpoint holds " + saved.size() + " arrays; a supernet of this "
                    + "space has " + arrays.size() + " (another ofa space: stages, depths or kernels differ)");
        }
        int i = 0;
        try (Torch.NoGrad ng = Torch.noGrad()) {
            for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
                NDArray from = saved.get(i++);
                if (!from.getShape().equals(e.getValue().getShape())) {
                    throw new IllegalArgumentException("the checkpoint's " + e.getKey() + " has shape "
                            + from.getShape() + ", this space's " + e.getValue().getShape() + " (another ofa space)");
                }
                e.getValue().muli(0).addi(from.toDevice(e.getValue().getDevice(), false));
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}

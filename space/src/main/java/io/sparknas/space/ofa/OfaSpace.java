package io.sparknas.space.ofa;

import io.sparknas.space.Keys;
import io.sparknas.space.SearchSpace;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/**
 * The Once-for-All space (Cai et al., ICLR 2020) for small images: a 3x3 conv stem, then {@code widths.size()}
 * stages of inverted-residual blocks (MobileNetV2/V3's MBConv: 1x1 expand, KxK depthwise, 1x1 project, residual when
 * the shape allows), global average pooling and a linear classifier. The elastic dimensions: per stage a depth in
 * {@code depths}, per block a kernel in {@code kernels} and an expand ratio in {@code expands}. Stage {@code s} has
 * {@code widths[s]} output channels and its first block has stride {@code strides[s]}. Bound from the {@code ofa}
 * section by name.
 *
 * @param stemChannels output channels of the stem conv
 * @param widths       output channels per stage
 * @param strides      stride of each stage's first block (1 or 2)
 * @param depths       the depths a stage may have
 * @param kernels      the depthwise kernel sizes (odd)
 * @param expands      the expand ratios (hidden channels = input channels x ratio)
 */
public record OfaSpace(int stemChannels, List<Integer> widths, List<Integer> strides, List<Integer> depths,
                       List<Integer> kernels, List<Integer> expands) implements SearchSpace<OfaSubnet>, Serializable {
    public static final String NAME = "ofa";

    public OfaSpace {
        widths = List.copyOf(widths);
        strides = List.copyOf(strides);
        depths = sortedDistinct("depths", depths);
        kernels = sortedDistinct("kernels", kernels);
        expands = sortedDistinct("expands", expands);
        if (stemChannels < 1) {
            throw new IllegalArgumentException("stemChannels must be positive, got " + stemChannels);
        }
        if (widths.isEmpty() || widths.stream().anyMatch(w -> w < 1)) {
            throw new IllegalArgumentException("widths must list one positive width per stage, got " + widths);
        }
        if (strides.size() != widths.size() || strides.stream().anyMatch(s -> s != 1 && s != 2)) {
            throw new IllegalArgumentException("strides must give 1 or 2 for each of the " + widths.size()
                    + " stages, got " + strides);
        }
        if (depths.get(0) < 1) {
            throw new IllegalArgumentException("depths must be positive, got " + depths);
        }
        if (kernels.stream().anyMatch(k -> k < 1 || k % 2 == 0)) {
            throw new IllegalArgumentException("kernels must be odd and positive, got " + kernels);
        }
    }

    /** The default space for 28x28 images: stem 8, three stages of 16, 24, 32 channels at 14, 7 and 4 pixels. */
    public static OfaSpace mnist() {
        return new OfaSpace(8, List.of(16, 24, 32), List.of(2, 2, 2), List.of(2, 3, 4), List.of(3, 5, 7),
                List.of(3, 4, 6));
    }

    private static List<Integer> sortedDistinct(String field, List<Integer> values) {
        if (values == null || values.isEmpty()) {
            throw new IllegalArgumentException("" + field + " must list at least one value");
        }
        return List.copyOf(new TreeSet<>(values));
    }

    public int stages() {
        return widths.size();
    }

    public int maxDepth() {
        return depths.get(depths.size() - 1);
    }

    public int maxKernel() {
        return kernels.get(kernels.size() - 1);
    }

    public int maxExpand() {
        return expands.get(expands.size() - 1);
    }

    /** Input channels of block {@code block} of stage {@code stage}. */
    public int blockInput(int stage, int block) {
        return block > 0 ? widths.get(stage) : stage == 0 ? stemChannels : widths.get(stage - 1);
    }

    /** The largest subnet: every stage at the largest depth, every block at the largest kernel and ratio. */
    public OfaSubnet largest() {
        return uniform(maxDepth(), maxKernel(), maxExpand());
    }

    /** The smallest subnet. */
    public OfaSubnet smallest() {
        return uniform(depths.get(0), kernels.get(0), expands.get(0));
    }

    /** Every stage at depth {@code d}, every block with kernel {@code k} and ratio {@code e}. */
    public OfaSubnet uniform(int d, int k, int e) {
        List<List<OfaSubnet.Block>> stages = new ArrayList<>();
        for (int s = 0; s < stages(); s++) {
            stages.add(Collections.nCopies(d, new OfaSubnet.Block(k, e)));
        }
        return check(new OfaSubnet(stages));
    }

    /** The subnet if it belongs to this space, else an error naming what does not. */
    public OfaSubnet check(OfaSubnet net) {
        if (net.stages().size() != stages()) {
            throw new IllegalArgumentException("OFA subnet '" + net.text() + "' has " + net.stages().size()
                    + " stages; this space has " + stages());
        }
        for (int s = 0; s < stages(); s++) {
            List<OfaSubnet.Block> blocks = net.stages().get(s);
            if (!depths.contains(blocks.size())) {
                throw new IllegalArgumentException("OFA subnet '" + net.text() + "': stage " + (s + 1) + " has depth "
                        + blocks.size() + "; allowed depths: " + depths);
            }
            for (OfaSubnet.Block b : blocks) {
                if (!kernels.contains(b.kernel())) {
                    throw new IllegalArgumentException("OFA subnet '" + net.text() + "': kernel " + b.kernel()
                            + " in stage " + (s + 1) + "; allowed kernels: " + kernels);
                }
                if (!expands.contains(b.expand())) {
                    throw new IllegalArgumentException("OFA subnet '" + net.text() + "': expand ratio " + b.expand()
                            + " in stage " + (s + 1) + "; allowed ratios: " + expands);
                }
            }
        }
        return net;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Depth per stage, then kernel and ratio per block, each uniform over its choices. */
    @Override
    public OfaSubnet sample(Random rng) {
        List<List<OfaSubnet.Block>> stages = new ArrayList<>();
        for (int s = 0; s < stages(); s++) {
            int d = depths.get(rng.nextInt(depths.size()));
            List<OfaSubnet.Block> blocks = new ArrayList<>();
            for (int b = 0; b < d; b++) {
                blocks.add(randomBlock(rng));
            }
            stages.add(blocks);
        }
        return new OfaSubnet(stages);
    }

    private OfaSubnet.Block randomBlock(Random rng) {
        return new OfaSubnet.Block(kernels.get(rng.nextInt(kernels.size())), expands.get(rng.nextInt(expands.size())));
    }

    /** One edit among {@link #neighbours}, uniformly. */
    @Override
    public OfaSubnet mutate(OfaSubnet parent, Random rng) {
        List<OfaSubnet> n = neighbours(parent);
        return n.get(rng.nextInt(n.size()));
    }

    /** Per stage, the whole stage (its depth and blocks) from either parent, uniformly. */
    @Override
    public OfaSubnet crossover(OfaSubnet a, OfaSubnet b, Random rng) {
        List<List<OfaSubnet.Block>> stages = new ArrayList<>();
        for (int s = 0; s < stages(); s++) {
            stages.add((rng.nextBoolean() ? a : b).stages().get(s));
        }
        return new OfaSubnet(stages);
    }

    /**
     * Every subnet one edit away: one block's kernel or ratio changed, or one stage's depth changed (a deeper
     * stage repeats its last block, as the supernet's next block is that block's neighbour).
     */
    @Override
    public List<OfaSubnet> neighbours(OfaSubnet g) {
        List<OfaSubnet> out = new ArrayList<>();
        for (int s = 0; s < stages(); s++) {
            List<OfaSubnet.Block> blocks = g.stages().get(s);
            for (int b = 0; b < blocks.size(); b++) {
                OfaSubnet.Block block = blocks.get(b);
                for (int k : kernels) {
                    if (k != block.kernel()) {
                        out.add(with(g, s, replace(blocks, b, new OfaSubnet.Block(k, block.expand()))));
                    }
                }
                for (int e : expands) {
                    if (e != block.expand()) {
                        out.add(with(g, s, replace(blocks, b, new OfaSubnet.Block(block.kernel(), e))));
                    }
                }
            }
            for (int d : depths) {
                if (d != blocks.size()) {
                    List<OfaSubnet.Block> resized = new ArrayList<>(blocks.subList(0, Math.min(d, blocks.size())));
                    while (resized.size() < d) {
                        resized.add(blocks.get(blocks.size() - 1));
                    }
                    out.add(with(g, s, resized));
                }
            }
        }
        return out;
    }

    private static List<OfaSubnet.Block> replace(List<OfaSubnet.Block> blocks, int i, OfaSubnet.Block b) {
        List<OfaSubnet.Block> copy = new ArrayList<>(blocks);
        copy.set(i, b);
        return copy;
    }

    private static OfaSubnet with(OfaSubnet g, int stage, List<OfaSubnet.Block> blocks) {
        List<List<OfaSubnet.Block>> stages = new ArrayList<>(g.stages());
        stages.set(stage, blocks);
        return new OfaSubnet(stages);
    }

    /** The text is canonical (only kept blocks are written), so it is the key. */
    @Override
    public String canonicalKey(OfaSubnet g) {
        return Keys.of(g.text());
    }

    @Override
    public String format(OfaSubnet g) {
        return g.text();
    }

    @Override
    public OfaSubnet parse(String text) {
        return check(OfaSubnet.parse(text));
    }

    /**
     * Per stage its depth, then per block slot its kernel and ratio (0 for a block the stage does not keep), all
     * scaled to [0, 1].
     */
    @Override
    public double[] encode(OfaSubnet g) {
        double[] v = new double[stages() * (1 + 2 * maxDepth())];
        int i = 0;
        for (List<OfaSubnet.Block> blocks : g.stages()) {
            v[i++] = blocks.size() / (double) maxDepth();
            for (int b = 0; b < maxDepth(); b++) {
                v[i++] = b < blocks.size() ? blocks.get(b).kernel() / (double) maxKernel() : 0;
                v[i++] = b < blocks.size() ? blocks.get(b).expand() / (double) maxExpand() : 0;
            }
        }
        return v;
    }
}

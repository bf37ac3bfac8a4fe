package io.sparknas.estimators.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.sparknas.space.darts.DartsCell;
import io.sparknas.space.darts.DartsEdge;

import java.util.ArrayList;
import java.util.List;

/**
 * One discrete DARTS cell. Input: an NDList of the two previous cells' outputs (s0, s1). Both are
 * preprocessed to {@code c} channels (ReLU-conv1x1-BN, or FactorizedReduce when s0 is twice s1's size);
 * each intermediate node sums its two edges' operations; the output concatenates the concat nodes:
 * NCHW with {@code concat.size() * c} channels, half the size in a reduction cell.
 */
public final class DartsCellBlock extends AbstractBlock {
    private final DartsCell cell;
    private final Block pre0;
    private final Block pre1;
    private final List<Block> ops = new ArrayList<>();

    public DartsCellBlock(DartsCell cell, int c, boolean reduction, boolean reductionPrev) {
        this.cell = cell;
        pre0 = addChildBlock("pre0", reductionPrev ? new FactorizedReduce(c) : Ops.reluConvBn(c, 1, 1, 0));
        pre1 = addChildBlock("pre1", Ops.reluConvBn(c, 1, 1, 0));
        for (int k = 0; k < cell.edges().size(); k++) {
            DartsEdge e = cell.edges().get(k);
            int stride = reduction && e.input() < 2 ? 2 : 1;
            ops.add(addChildBlock("edge" + k + "_" + e.op().text(), Ops.darts(e.op(), c, stride)));
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        List<NDArray> states = new ArrayList<>();
        states.add(pre0.forward(ps, new NDList(inputs.get(0)), training).singletonOrThrow());
        states.add(pre1.forward(ps, new NDList(inputs.get(1)), training).singletonOrThrow());
        for (int node = 0; node < cell.nodes(); node++) {
            NDArray sum = null;
            for (int j = 0; j < 2; j++) {
                int k = 2 * node + j;
                NDArray h = ops.get(k).forward(ps, new NDList(states.get(cell.edges().get(k).input())), training)
                        .singletonOrThrow();
                sum = sum == null ? h : sum.add(h);
            }
            states.add(sum);
        }
        NDList out = new NDList();
        for (int c : cell.concat()) {
            out.add(states.get(c));
        }
        return new NDList(NDArrays.concat(out, 1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        Shape s = nodeShapes(in).get(cell.concat().get(0));
        return new Shape[] {new Shape(s.get(0), s.get(1) * cell.concat().size(), s.get(2), s.get(3))};
    }

    /** Shapes of nodes 0..1+nodes; blocks state their output shapes before initialisation. */
    private List<Shape> nodeShapes(Shape[] in) {
        List<Shape> shapes = new ArrayList<>();
        shapes.add(pre0.getOutputShapes(new Shape[] {in[0]})[0]);
        shapes.add(pre1.getOutputShapes(new Shape[] {in[1]})[0]);
        for (int node = 0; node < cell.nodes(); node++) {
            int k = 2 * node;
            shapes.add(ops.get(k).getOutputShapes(new Shape[] {shapes.get(cell.edges().get(k).input())})[0]);
        }
        return shapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
        pre0.initialize(manager, dataType, in[0]);
        pre1.initialize(manager, dataType, in[1]);
        List<Shape> shapes = nodeShapes(in);
        for (int k = 0; k < ops.size(); k++) {
            ops.get(k).initialize(manager, dataType, shapes.get(cell.edges().get(k).input()));
        }
    }
}

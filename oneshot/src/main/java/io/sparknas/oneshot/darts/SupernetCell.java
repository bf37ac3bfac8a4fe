package io.sparknas.oneshot.darts;

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
import io.sparknas.estimators.nn.FactorizedReduce;
import io.sparknas.estimators.nn.Ops;
import io.sparknas.space.Operation;

import java.util.ArrayList;
import java.util.List;

/**
 * One DARTS search cell: intermediate node {@code i} sums a {@link MixedOp} from every earlier node (the two cell
 * inputs and nodes before it), so a cell with {@code n} nodes has {@code n(n+3)/2} edges, numbered node by node
 * and input by input (the order of {@link DartsSupernet#edges}). Inputs: s0, s1 and the edge weights
 * {@code (edges, ops)}; output: the intermediate nodes concatenated, {@code n * c} channels.
 */
public final class SupernetCell extends AbstractBlock {
    private final int nodes;
    private final Block pre0;
    private final Block pre1;
    private final List<Block> edges = new ArrayList<>();

    public SupernetCell(List<Operation> ops, int nodes, int c, boolean reduction, boolean reductionPrev) {
        this.nodes = nodes;
        pre0 = addChildBlock("pre0", reductionPrev ? new FactorizedReduce(c, false) : Ops.reluConvBn(c, 1, 1, 0, false));
        pre1 = addChildBlock("pre1", Ops.reluConvBn(c, 1, 1, 0, false));
        for (int node = 0; node < nodes; node++) {
            for (int input = 0; input < node + 2; input++) {
                int stride = reduction && input < 2 ? 2 : 1;
                edges.add(addChildBlock("node" + node + "_in" + input, new MixedOp(ops, c, stride)));
            }
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray weights = inputs.get(2);
        List<NDArray> states = new ArrayList<>();
        states.add(pre0.forward(ps, new NDList(inputs.get(0)), training).singletonOrThrow());
        states.add(pre1.forward(ps, new NDList(inputs.get(1)), training).singletonOrThrow());
        int edge = 0;
        for (int node = 0; node < nodes; node++) {
            NDArray sum = null;
            int inputsOfNode = states.size();
            for (int input = 0; input < inputsOfNode; input++) {
                NDArray h = edges.get(edge).forward(ps, new NDList(states.get(input), weights.get(edge)), training)
                        .singletonOrThrow();
                sum = sum == null ? h : sum.add(h);
                edge++;
            }
            states.add(sum);
        }
        return new NDList(NDArrays.concat(new NDList(states.subList(2, states.size())), 1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        Shape s = edges.get(0).getOutputShapes(new Shape[] {pre0.getOutputShapes(new Shape[] {in[0]})[0]})[0];
        return new Shape[] {new Shape(s.get(0), s.get(1) * nodes, s.get(2), s.get(3))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
        pre0.initialize(manager, dataType, in[0]);
        pre1.initialize(manager, dataType, in[1]);
        Shape input = pre1.getOutputShapes(new Shape[] {in[1]})[0];
        Shape node = edges.get(0).getOutputShapes(new Shape[] {input})[0];
        int edge = 0;
        for (int n = 0; n < nodes; n++) {
            for (int i = 0; i < n + 2; i++) {
                edges.get(edge++).initialize(manager, dataType, i < 2 ? input : node);
            }
        }
    }
}

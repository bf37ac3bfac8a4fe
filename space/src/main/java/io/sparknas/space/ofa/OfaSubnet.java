package io.sparknas.space.ofa;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One sub-network of a Once-for-All supernet (Cai et al., ICLR 2020): per stage, the blocks it keeps (its depth is
 * their number; the first ones of the stage), each with its kernel size and expand ratio. Only the kept blocks are
 * stored, so equal subnets are equal values and their text is canonical. Text form, stages separated by {@code |}:
 * {@code k7e6 k5e4 | k3e3 k3e3 k5e6 | k3e4 k7e3}.
 */
public record OfaSubnet(List<List<Block>> stages) implements Serializable {

    /** An inverted-residual block's elastic choices: depthwise kernel size and expand ratio. */
    public record Block(int kernel, int expand) implements Serializable {
        public String text() {
            return "k" + kernel + "e" + expand;
        }
    }

    public OfaSubnet {
        if (stages == null || stages.isEmpty()) {
            throw new IllegalArgumentException("an OFA subnet needs at least one stage");
        }
        List<List<Block>> copy = new ArrayList<>();
        for (List<Block> s : stages) {
            if (s == null || s.isEmpty()) {
                throw new IllegalArgumentException("every stage of an OFA subnet keeps at least one block");
            }
            copy.add(List.copyOf(s));
        }
        stages = List.copyOf(copy);
    }

    /** Blocks kept per stage. */
    public List<Integer> depths() {
        return stages.stream().map(List::size).toList();
    }

    public String text() {
        List<String> parts = new ArrayList<>();
        for (List<Block> s : stages) {
            parts.add(String.join(" ", s.stream().map(Block::text).toList()));
        }
        return String.join(" | ", parts);
    }

    /** Parses the text form, naming the part that is wrong. */
    public static OfaSubnet parse(String text) {
        String form = " (form: k7e6 k5e4 | k3e3 k3e3 | k5e6, stages separated by '|', blocks k<kernel>e<expand>)";
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("an OFA subnet is empty" + form);
        }
        List<List<Block>> stages = new ArrayList<>();
        String[] parts = text.strip().split("\\|", -1);
        for (int s = 0; s < parts.length; s++) {
            List<Block> blocks = new ArrayList<>();
            for (String b : parts[s].strip().split("\\s+")) {
                if (!b.matches("k\\d+e\\d+")) {
                    throw new IllegalArgumentException("invalid OFA subnet '" + text + "': stage " + (s + 1) + " block '"
                            + b + "'" + form);
                }
                int e = b.indexOf('e');
                blocks.add(new Block(Integer.parseInt(b.substring(1, e)), Integer.parseInt(b.substring(e + 1))));
            }
            stages.add(blocks);
        }
        return new OfaSubnet(stages);
    }
}

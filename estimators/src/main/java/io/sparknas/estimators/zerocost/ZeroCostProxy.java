package io.sparknas.estimators.zerocost;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The zero-cost proxies sparknas computes, by their names in configuration and results (those of the reference
 * implementations, SamsungLabs/zero-cost-nas and NASLib), with whether each needs a batch of labelled images
 * ({@code synflow}, {@code params} and {@code flops} are data-free) and the pass it shares: {@code grad_norm},
 * {@code snip} and {@code fisher} come from one forward and backward pass of the loss.
 */
public enum ZeroCostProxy {
    PARAMS(false, Pass.COST), FLOPS(false, Pass.COST), SYNFLOW(false, Pass.SYNFLOW), NASWOT(true, Pass.CODES),
    JACOB_COV(true, Pass.INPUT_GRADIENT), GRAD_NORM(true, Pass.LOSS_GRADIENT), SNIP(true, Pass.LOSS_GRADIENT),
    FISHER(true, Pass.LOSS_GRADIENT);

    /** The computations; a proxy is computed by its pass, and proxies sharing a pass share its work. */
    enum Pass { COST, SYNFLOW, CODES, INPUT_GRADIENT, LOSS_GRADIENT }

    private final boolean needsData;
    private final Pass pass;

    ZeroCostProxy(boolean needsData, Pass pass) {
        this.needsData = needsData;
        this.pass = pass;
    }

    /** The name in configuration, in {@code metrics} and in reports: {@code synflow}, {@code jacob_cov}. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean needsData() {
        return needsData;
    }

    Pass pass() {
        return pass;
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(ZeroCostProxy::text).toList();
    }

    /** The proxy of that name, or one line naming the known ones. */
    public static ZeroCostProxy parse(String name) {
        for (ZeroCostProxy p : values()) {
            if (p.text().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown zero-cost proxy '" + name + "'; known: " + String.join(", ", names()));
    }
}

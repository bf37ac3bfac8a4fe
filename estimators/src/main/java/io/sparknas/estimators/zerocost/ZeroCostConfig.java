package io.sparknas.estimators.zerocost;

import java.io.Serializable;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Which zero-cost proxies to compute and with what: {@code proxies} by name ({@link ZeroCostProxy}), the size of
 * the one batch the data-dependent ones see (64, as Abdelfattah et al.), and libtorch threads per task.
 */
public record ZeroCostConfig(List<String> proxies, int batch, int torchThreads) implements Serializable {

    public ZeroCostConfig {
        if (proxies == null || proxies.isEmpty()) {
            throw new IllegalArgumentException("zerocost.proxies must name at least one proxy of "
                    + ZeroCostProxy.names());
        }
        if (new LinkedHashSet<>(proxies).size() != proxies.size()) {
            throw new IllegalArgumentException("zerocost.proxies names a proxy twice: " + proxies);
        }
        proxies.forEach(ZeroCostProxy::parse);
        proxies = List.copyOf(proxies);
        if (batch < 2) {
            throw new IllegalArgumentException("zerocost.batch must be at least 2 (NASWOT's kernel and jacob_cov's "
                    + "correlations compare images), got " + batch);
        }
        if (torchThreads <= 0) {
            throw new IllegalArgumentException("zerocost.torchThreads must be positive, got " + torchThreads);
        }
    }

    public List<ZeroCostProxy> parsed() {
        return proxies.stream().map(ZeroCostProxy::parse).toList();
    }

    /** Whether any proxy needs a batch of images. */
    public boolean needsData() {
        return parsed().stream().anyMatch(ZeroCostProxy::needsData);
    }
}

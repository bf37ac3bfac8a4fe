package org.apache.spark.launcher;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A spark-submit command line as spark-submit itself reads it: Spark's option table and parser
 * ({@code SparkSubmitOptionParser}, package-private, hence this package), which knows which options take a value.
 * An option spark-submit does not know is an error. Test support for the deployment templates' test.
 */
public final class SubmitLine extends SparkSubmitOptionParser {
    /** Every {@code --conf key=value}. */
    public final Map<String, String> conf = new LinkedHashMap<>();
    /** Every other option with its value ({@code --class}, {@code --jars}, ...; a flag's value is null). */
    public final Map<String, String> options = new LinkedHashMap<>();
    /** The application jar, and the arguments after it. */
    public String resource;
    public final List<String> appArgs = new ArrayList<>();

    public static SubmitLine of(List<String> words) {
        SubmitLine s = new SubmitLine();
        s.parse(words);
        return s;
    }

    @Override
    protected boolean handle(String opt, String value) {
        if (opt.equals(CONF)) {
            int eq = value.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("--conf " + value + " is not key=value");
            }
            conf.put(value.substring(0, eq), value.substring(eq + 1));
        } else {
            options.put(opt, value);
        }
        return true;
    }

    @Override
    protected boolean handleUnknown(String opt) {
        if (opt.startsWith("-")) {
            throw new IllegalArgumentException("spark-submit has no option " + opt);
        }
        resource = opt;
        return false;
    }

    @Override
    protected void handleExtraArgs(List<String> extra) {
        appArgs.addAll(extra);
    }
}

package io.sparknas.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Words of a command line as a shell splits them: double or single quotes group and are removed. Test support. */
final class ShellWords {
    private static final Pattern PART = Pattern.compile("\"([^\"]*)\"|'([^']*)'|([^\\s\"']+)");

    private ShellWords() {
    }

    static List<String> split(String command) {
        List<String> out = new ArrayList<>();
        Matcher m = PART.matcher(command);
        StringBuilder word = new StringBuilder();
        int end = -1;
        while (m.find()) {
            if (end >= 0 && m.start() > end) { // whitespace before this part: a new word
                out.add(word.toString());
                word.setLength(0);
            }
            word.append(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
            end = m.end();
        }
        if (end >= 0) {
            out.add(word.toString());
        }
        return out;
    }
}

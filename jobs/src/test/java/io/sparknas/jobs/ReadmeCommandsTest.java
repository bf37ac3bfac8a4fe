package io.sparknas.jobs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@code ./sparknas} command in the README's fenced shell blocks is one the CLI accepts (an unknown command or
 * option, or a wrong value type, fails here), and every configuration file it names exists: the README cannot drift
 * from the code it describes.
 */
class ReadmeCommandsTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyCommandInTheReadmesShellBlocksParsesAndNamesFilesThatExist() throws IOException {
        List<List<String>> commands = commands(Files.readAllLines(REPO.resolve("README.md")));
        assertTrue(commands.size() >= 10, "the README's sparknas commands were found: " + commands);
        for (List<String> args : commands) {
            if (args.get(0).equals("data")) { // the launcher's own command (no JVM): ./sparknas data mnist [DIR]
                assertEquals("mnist", args.get(1), args.toString());
                continue;
            }
            Main.commandLine().parseArgs(args.toArray(String[]::new)); // throws on anything the CLI does not take
            int conf = args.indexOf("--conf");
            if (conf >= 0) {
                assertTrue(Files.isRegularFile(REPO.resolve(args.get(conf + 1))), "README names " + args);
            }
        }
    }

    /** The arguments after {@code ./sparknas} of every such line in ```bash blocks (continuations joined). */
    static List<List<String>> commands(List<String> readme) {
        List<List<String>> out = new ArrayList<>();
        boolean block = false;
        StringBuilder line = new StringBuilder();
        for (String text : readme) {
            if (text.startsWith("```")) {
                block = text.startsWith("```bash") && !block;
                continue;
            }
            if (!block) {
                continue;
            }
            if (text.endsWith("\\")) {
                line.append(text, 0, text.length() - 1).append(' ');
                continue;
            }
            line.append(text);
            List<String> words = new ArrayList<>();
            for (String w : ShellWords.split(line.toString())) {
                if (w.startsWith("#")) {
                    break; // a comment to the end of the line
                }
                words.add(w);
            }
            line.setLength(0);
            while (!words.isEmpty() && words.get(0).matches("[A-Z_]+=.*")) {
                words.remove(0); // environment settings before the command
            }
            if (!words.isEmpty() && words.get(0).equals("./sparknas")) {
                out.add(words.subList(1, words.size()));
            }
        }
        return out;
    }
}

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
 * Every {@code ./sparknas} command in the fenced shell blocks of the README and of {@code docs/} is one the CLI
 * accepts (an unknown command or option, or a wrong value type, fails here), and every configuration file it names
 * exists: the pages cannot drift from the code they describe. The README stays a newcomer's page (at most 200 lines).
 */
class ReadmeCommandsTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyCommandInTheReadmesShellBlocksParsesAndNamesFilesThatExist() throws IOException {
        List<String> readme = Files.readAllLines(REPO.resolve("README.md"));
        assertTrue(readme.size() <= 200, "the README is a newcomer's page of at most 200 lines (the rest is in docs/): "
                + readme.size());
        List<List<String>> commands = commands(readme);
        assertTrue(commands.size() >= 10, "the README's sparknas commands were found: " + commands);
        commands.forEach(args -> check(args, "README.md"));
    }

    @Test
    void everyCommandInTheDocsShellBlocksParsesAndNamesFilesThatExist() throws IOException {
        int found = 0;
        try (var pages = Files.list(REPO.resolve("docs"))) {
            for (Path page : pages.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                for (List<String> args : commands(Files.readAllLines(page))) {
                    check(args, "docs/" + page.getFileName());
                    found++;
                }
            }
        }
        assertTrue(found >= 10, "the docs' sparknas commands were found: " + found);
    }

    private static void check(List<String> args, String page) {
        if (args.get(0).equals("data")) { // the launcher's own command (no JVM): ./sparknas data mnist [DIR]
            assertEquals("mnist", args.get(1), page + ": " + args);
            return;
        }
        try {
            Main.commandLine().parseArgs(args.toArray(String[]::new)); // throws on anything the CLI does not take
        } catch (picocli.CommandLine.ParameterException e) {
            throw new AssertionError(page + ": ./sparknas " + String.join(" ", args) + ": " + e.getMessage(), e);
        }
        int conf = args.indexOf("--conf");
        if (conf >= 0) {
            assertTrue(Files.isRegularFile(REPO.resolve(args.get(conf + 1))), page + " names " + args);
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

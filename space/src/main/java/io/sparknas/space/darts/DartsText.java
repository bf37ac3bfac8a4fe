package io.sparknas.space.darts;

import io.sparknas.space.Operation;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * DARTS's own genotype text, {@code Genotype(normal=[('sep_conv_3x3', 0), ...], normal_concat=[2, 3, 4, 5],
 * reduce=[...], reduce_concat=range(2, 6))}, so genotypes move between sparknas and the Python code bases
 * unchanged. Parsing accepts single or double quotes, tuples or lists for edges, {@code range(a, b)} or a list
 * for concat, any white space and a trailing comma; printing uses the published form (lists).
 */
public final class DartsText {
    private DartsText() {
    }

    public static String format(DartsGenotype g) {
        return "Genotype(normal=" + edges(g.normal()) + ", normal_concat=" + g.normal().concat()
                + ", reduce=" + edges(g.reduce()) + ", reduce_concat=" + g.reduce().concat() + ")";
    }

    private static String edges(DartsCell cell) {
        return cell.edges().stream().map(e -> "('" + e.op().text() + "', " + e.input() + ")")
                .collect(Collectors.joining(", ", "[", "]"));
    }

    public static DartsGenotype parse(String text) {
        Parser p = new Parser(text);
        try {
            p.expectWord("Genotype");
            p.expect('(');
            p.expectWord("normal");
            p.expect('=');
            List<DartsEdge> normal = p.edgeList();
            p.expect(',');
            p.expectWord("normal_concat");
            p.expect('=');
            List<Integer> normalConcat = p.concat();
            p.expect(',');
            p.expectWord("reduce");
            p.expect('=');
            List<DartsEdge> reduce = p.edgeList();
            p.expect(',');
            p.expectWord("reduce_concat");
            p.expect('=');
            List<Integer> reduceConcat = p.concat();
            p.optional(',');
            p.expect(')');
            p.expectEnd();
            return new DartsGenotype(new DartsCell(normal, normalConcat), new DartsCell(reduce, reduceConcat));
        } catch (IllegalArgumentException e) {
            if (e instanceof ParseError) {
                throw e;
            }
            throw new IllegalArgumentException("invalid DARTS genotype: " + e.getMessage() + " in: " + abbreviate(text), e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }

    private static final class ParseError extends IllegalArgumentException {
        ParseError(String message) {
            super(message);
        }
    }

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s == null ? "" : s;
        }

        private void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        private ParseError error(String expected) {
            String found = pos < s.length() ? "'" + s.substring(pos, Math.min(s.length(), pos + 15)) + "'" : "end of text";
            return new ParseError("invalid DARTS genotype at character " + pos + ": expected " + expected
                    + ", found " + found + " (form: Genotype(normal=[('sep_conv_3x3', 0), ...], normal_concat=[2, 3, 4, 5],"
                    + " reduce=[...], reduce_concat=[2, 3, 4, 5]))");
        }

        void expect(char c) {
            skipSpace();
            if (pos >= s.length() || s.charAt(pos) != c) {
                throw error("'" + c + "'");
            }
            pos++;
        }

        boolean optional(char c) {
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        boolean peek(char c) {
            skipSpace();
            return pos < s.length() && s.charAt(pos) == c;
        }

        String word() {
            skipSpace();
            int start = pos;
            while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
                pos++;
            }
            return s.substring(start, pos);
        }

        void expectWord(String w) {
            int start = pos;
            String got = word();
            if (!got.equals(w)) {
                pos = start;
                skipSpace();
                throw error("'" + w + "'");
            }
        }

        int integer() {
            skipSpace();
            int start = pos;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                pos++;
            }
            if (start == pos) {
                throw error("a non-negative integer");
            }
            return Integer.parseInt(s.substring(start, pos));
        }

        String quoted() {
            skipSpace();
            if (pos >= s.length() || (s.charAt(pos) != '\'' && s.charAt(pos) != '"')) {
                throw error("a quoted operation name");
            }
            char q = s.charAt(pos++);
            int end = s.indexOf(q, pos);
            if (end < 0) {
                throw error("a closing quote");
            }
            String name = s.substring(pos, end);
            pos = end + 1;
            return name;
        }

        List<DartsEdge> edgeList() {
            expect('[');
            List<DartsEdge> edges = new ArrayList<>();
            while (!peek(']')) {
                char close = optional('(') ? ')' : ']';
                if (close == ']') {
                    expect('[');
                }
                int at = pos;
                String name = quoted();
                Operation op;
                try {
                    op = Operation.fromText(name);
                } catch (IllegalArgumentException e) {
                    pos = at;
                    throw error("an operation name (" + e.getMessage() + ")");
                }
                expect(',');
                edges.add(new DartsEdge(op, integer()));
                expect(close);
                if (!optional(',')) {
                    break;
                }
            }
            expect(']');
            return edges;
        }

        List<Integer> concat() {
            List<Integer> out = new ArrayList<>();
            if (peek('[')) {
                expect('[');
                while (!peek(']')) {
                    out.add(integer());
                    if (!optional(',')) {
                        break;
                    }
                }
                expect(']');
                return out;
            }
            expectWord("range");
            expect('(');
            int from = integer();
            expect(',');
            int to = integer();
            expect(')');
            for (int i = from; i < to; i++) {
                out.add(i);
            }
            return out;
        }

        void expectEnd() {
            skipSpace();
            if (pos != s.length()) {
                throw error("end of text");
            }
        }
    }
}

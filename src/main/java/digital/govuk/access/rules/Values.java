package digital.govuk.access.rules;

/**
 * How a value taken from the input is shown in a message: characters a reader cannot see (control,
 * format and other invisible characters) are written as {@code <U+200B>}, and the value is cut to about
 * {@value #MAX_SHOWN} characters with an ellipsis. Every message that echoes input goes through here, so a
 * message stays short and readable whatever the input holds, and cannot hide or reorder text on a terminal.
 */
public final class Values {
    /** At most this many characters of a value are shown, then an ellipsis. */
    public static final int MAX_SHOWN = 80;

    private Values() {
    }

    /** The value in single quotes, made visible and cut: {@code 'abc…'}; {@code null} when there is none. */
    public static String quote(String value) {
        return value == null ? "null" : "'" + cut(value) + "'";
    }

    /** The value made visible and cut, without quotes; empty for null. */
    public static String cut(String value) {
        return cut(value, MAX_SHOWN);
    }

    /** The value made visible and cut to {@code max} characters (and an ellipsis). */
    public static String cut(String value, int max) {
        if (value == null) {
            return "";
        }
        if (value.length() <= max && Names.printableAscii(value)) {
            return value; // nothing to make visible, nothing to cut
        }
        StringBuilder shown = new StringBuilder(Math.min(value.length(), max + 12));
        for (int i = 0; i < value.length();) {
            int cp = value.codePointAt(i);
            String piece = invisible(cp) ? String.format("<U+%04X>", cp) : new String(Character.toChars(cp));
            if (shown.length() + piece.length() > max) {
                return shown.append('…').toString();
            }
            shown.append(piece);
            i += Character.charCount(cp);
        }
        return shown.toString();
    }

    /** Words joined as a sentence lists them: {@code a}, {@code a and b}, {@code a, b and c}. */
    public static String and(java.util.List<String> words) {
        if (words.size() <= 1) {
            return words.isEmpty() ? "" : words.get(0);
        }
        return String.join(", ", words.subList(0, words.size() - 1)) + " and " + words.get(words.size() - 1);
    }

    /**
     * Whether a character cannot be seen, or changes how the text around it is shown: control, format
     * (zero-width and direction marks), private-use, unassigned and lone surrogate code points, line and
     * paragraph separators, and Unicode's other default-ignorable characters (fillers, variation selectors).
     */
    public static boolean invisible(int cp) {
        switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE, Character.UNASSIGNED,
                    Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR:
                return true;
            default:
                break;
        }
        // Default_Ignorable_Code_Point characters that are not in the categories above (Unicode 15).
        return cp == 0x034F || cp == 0x115F || cp == 0x1160 || cp == 0x17B4 || cp == 0x17B5
                || (cp >= 0x180B && cp <= 0x180F) || cp == 0x3164 || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFFA0
                || (cp >= 0xE0100 && cp <= 0xE01EF);
    }
}

package dev.infwasi;

/** Checks of text before it crosses into the component. */
final class Text {
    private Text() {}

    /**
     * {@code value}, if it is present and valid Unicode. Java strings may hold unpaired
     * surrogates, which UTF-8 cannot carry: they would be replaced silently on the way in.
     */
    static String require(String value, String what) {
        if (value == null) {
            throw InfWasiException.invalidInput(what + " must not be null");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw InfWasiException.invalidInput(what + " is not valid Unicode: it has a lone surrogate");
            }
        }
        return value;
    }

    /** Like {@link #require}, for optional text. */
    static String optional(String value, String what) {
        return value == null ? null : require(value, what);
    }
}

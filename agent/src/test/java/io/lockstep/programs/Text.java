package io.lockstep.programs;

import java.nio.charset.Charset;
import java.time.LocalDateTime;

/** Non-ASCII text through the default charset and the standard streams, and a clock to show it varies. */
public final class Text {
    public static void main(String[] args) {
        String text = "h\u00e9llo \u20ac \u2713 \u65e5\u672c";
        System.out.println(text);
        System.out.println(LocalDateTime.now());
        System.out.println("default charset bytes " + text.getBytes().length + " " + Charset.defaultCharset());
        System.err.println("stderr " + text);
    }
}

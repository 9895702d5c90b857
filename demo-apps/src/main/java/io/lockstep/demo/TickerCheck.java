package io.lockstep.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks what the clients of a failed-over {@link Ticker} saw: the primary's output, then the
 * backup's. The backup may repeat the primary's last lines, never skip one; every line must
 * follow from the ones before it (the digest chain), from one run, to the closing line.
 * <p>
 * Usage: {@code TickerCheck LINES PRIMARY_OUT BACKUP_OUT}; exit status 0 if all is well.
 */
public final class TickerCheck {
    private static final Pattern LINE = Pattern.compile("^(\\d{6}) run=(\\w+) .* digest=([0-9a-f]+)$");

    private TickerCheck() {
    }

    public static void main(String[] args) throws IOException {
        int count = Integer.parseInt(args[0]);
        List<String> primary = Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8);
        List<String> backup = Files.readAllLines(Path.of(args[2]), StandardCharsets.UTF_8);
        List<String> visible = new ArrayList<>(primary);
        int repeated = 0;
        if (!backup.isEmpty()) {
            int first = number(backup.get(0));
            if (first < 1 || first > primary.size() + 1) {
                fail("the backup resumed at line " + first + " but the primary had printed " + primary.size());
            }
            for (int i = first - 1; i < primary.size(); i++) {
                if (!primary.get(i).equals(backup.get(i - first + 1))) {
                    fail("line " + (i + 1) + " differs between the primary and the backup");
                }
                repeated++;
            }
            visible = new ArrayList<>(primary.subList(0, first - 1));
            visible.addAll(backup);
        }
        if (visible.size() != count + 1) {
            fail("expected " + (count + 1) + " lines, saw " + visible.size());
        }
        long digest = 17;
        String run = null;
        for (int i = 0; i < count; i++) {
            String line = visible.get(i);
            Matcher matcher = LINE.matcher(line);
            if (!matcher.matches() || Integer.parseInt(matcher.group(1)) != i + 1) {
                fail("line " + (i + 1) + " is missing or out of order: " + line);
            }
            if (run == null) {
                run = matcher.group(2);
            } else if (!run.equals(matcher.group(2))) {
                fail("line " + (i + 1) + " comes from another run");
            }
            digest = digest * 31 + line.substring(0, line.lastIndexOf(" digest=")).hashCode();
            if (!Long.toHexString(digest).equals(matcher.group(3))) {
                fail("the digest chain breaks at line " + (i + 1));
            }
        }
        if (!visible.get(count).equals("done " + count + " lines digest=" + Long.toHexString(digest))) {
            fail("the closing line is wrong: " + visible.get(count));
        }
        System.out.println("OK: " + count + " lines, in order, one run, digest chain intact; the primary printed "
            + primary.size() + ", the backup " + backup.size() + " (" + repeated + " repeated)");
    }

    private static int number(String line) {
        Matcher matcher = LINE.matcher(line);
        if (!matcher.matches()) {
            fail("malformed line: " + line);
        }
        return Integer.parseInt(matcher.group(1));
    }

    private static void fail(String why) {
        System.out.println("FAILED: " + why);
        System.exit(1);
    }
}

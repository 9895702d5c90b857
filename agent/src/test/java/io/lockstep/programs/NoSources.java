package io.lockstep.programs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Uses no source of nondeterminism: runs the same with and without the agent. */
public final class NoSources {
    public static void main(String[] args) {
        Map<String, Integer> counts = new HashMap<>();
        List<String> words = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String word = "w" + (i * 7919 % 13);
            words.add(word);
            counts.merge(word, 1, Integer::sum);
        }
        System.out.println("counts " + counts);
        System.out.println("sorted " + words.stream().sorted().distinct().toList());
        System.err.println("done");
        System.exit(args.length > 0 ? Integer.parseInt(args[0]) : 0);
    }
}

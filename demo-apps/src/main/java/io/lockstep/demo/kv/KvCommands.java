package io.lockstep.demo.kv;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * The key-value store and its one-line protocol, shared by {@link KvServer} and
 * {@link NioKvServer}. Each write is stamped with the time and a random id and logged on stdout
 * ("set key id time"). Thread-safe.
 */
final class KvCommands {
    private final Map<String, String> store = new HashMap<>();
    private final Random random = new Random();
    private volatile boolean shutdownRequested;

    /** @return the reply line; "BYE" ends the connection */
    String execute(String line) {
        String[] words = line.split(" ", 3);
        switch (words[0]) {
            case "SET" -> {
                if (words.length < 3) {
                    return "ERROR usage: SET key value";
                }
                String id = Long.toHexString(random.nextLong());
                long time = System.currentTimeMillis();
                synchronized (store) {
                    store.put(words[1], words[2] + " " + id + " " + time);
                }
                System.out.println("set " + words[1] + " " + id + " " + time);
                return "OK " + id;
            }
            case "GET" -> {
                String value;
                synchronized (store) {
                    value = words.length < 2 ? null : store.get(words[1]);
                }
                return value == null ? "NONE" : "VALUE " + value;
            }
            case "COUNT" -> {
                return "COUNT " + size();
            }
            case "QUIT" -> {
                return "BYE";
            }
            case "SHUTDOWN" -> {
                shutdownRequested = true;
                return "BYE";
            }
            default -> {
                return "ERROR unknown command " + words[0];
            }
        }
    }

    boolean shutdownRequested() {
        return shutdownRequested;
    }

    int size() {
        synchronized (store) {
            return store.size();
        }
    }
}

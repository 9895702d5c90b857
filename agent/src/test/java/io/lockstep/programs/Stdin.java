package io.lockstep.programs;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Scanner;

/** Reads stdin through one of its wrappers, chosen by the first argument. */
public final class Stdin {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "reader": {
                BufferedReader reader = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line;
                int n = 0;
                while ((line = reader.readLine()) != null) {
                    System.out.println("line " + (++n) + ": " + line);
                }
                break;
            }
            case "scanner": {
                Scanner scanner = new Scanner(System.in, StandardCharsets.UTF_8);
                long sum = 0;
                while (scanner.hasNext()) {
                    if (scanner.hasNextLong()) {
                        sum += scanner.nextLong();
                    } else {
                        System.out.println("word " + scanner.next());
                    }
                }
                System.out.println("sum " + sum);
                break;
            }
            case "bytes": {
                int b;
                int count = 0;
                System.out.println("available " + (System.in.available() >= 0));
                while ((b = System.in.read()) != -1 && count < 64) {
                    System.out.print((char) b);
                    count++;
                }
                System.out.println();
                System.out.println("read " + System.in.read(new byte[2]));
                System.out.println("rest " + new String(System.in.readAllBytes(), StandardCharsets.UTF_8).length());
                break;
            }
            case "all": {
                byte[] all = System.in.readAllBytes();
                System.out.println("read " + all.length + " bytes: " + new String(all, StandardCharsets.UTF_8).trim());
                break;
            }
            default:
                throw new IllegalArgumentException(args[0]);
        }
    }
}

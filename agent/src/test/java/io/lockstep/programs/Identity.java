package io.lockstep.programs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Iteration orders and strings that follow identity hash codes. */
public final class Identity {
    static final class Node {
        final int id;

        Node(int id) {
            this.id = id;
        }
    }

    enum Colour { RED, GREEN, BLUE, CYAN, MAGENTA, YELLOW, BLACK, WHITE }

    static final class Named {
        final String name;

        Named(String name) {
            this.name = name;
        }

        @Override
        public int hashCode() {
            return super.hashCode() ^ name.length();
        }
    }

    public static void main(String[] args) {
        Set<Node> nodes = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            nodes.add(new Node(i));
        }
        StringBuilder order = new StringBuilder();
        for (Node node : nodes) {
            order.append(node.id).append(' ');
        }
        System.out.println("hashset order " + order);
        Map<Object, Integer> map = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            map.put(new Object(), i);
        }
        System.out.println("hashmap order " + map.values());
        Set<Colour> colours = new HashSet<>(List.of(Colour.values()));
        System.out.println("enum hashset " + colours);
        Map<Node, Integer> identity = new IdentityHashMap<>();
        for (int i = 0; i < 10; i++) {
            identity.put(new Node(i), i);
        }
        System.out.println("identity map " + identity.values());
        Object plain = new Object();
        System.out.println("object " + plain + " " + plain.hashCode() + " " + System.identityHashCode(plain));
        Node node = new Node(7);
        System.out.println("node " + node.toString().replace(Node.class.getName(), "Node") + " " + node.hashCode());
        System.out.println("array " + new int[3] + " " + new String[0].hashCode());
        System.out.println("super hash " + new Named("abc").hashCode());
        System.out.println("class hash " + Identity.class.hashCode() + " " + System.identityHashCode(Node.class));
        List<Object> objects = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            objects.add(new Object());
        }
        System.out.println("list hash " + objects.hashCode());
        System.out.println("thread hash " + Thread.currentThread().hashCode() + " " + new Thread(() -> { }).hashCode());
    }
}

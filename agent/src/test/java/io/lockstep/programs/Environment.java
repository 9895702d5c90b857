package io.lockstep.programs;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.Map;
import java.util.TimeZone;
import java.util.TreeMap;

/** What a program learns of its environment. */
public final class Environment {
    public static void main(String[] args) throws Exception {
        System.out.println("getenv " + System.getenv("LOCKSTEP_TEST_VAR") + " " + System.getenv("HOME"));
        Map<String, String> all = new TreeMap<>(System.getenv());
        System.out.println("getenv map " + all.size() + " " + all.get("LOCKSTEP_TEST_VAR") + " " + all.hashCode());
        System.out.println("getenv order " + String.join(",", System.getenv().keySet()).hashCode());
        System.out.println("pid " + ProcessHandle.current().pid());
        System.out.println("mxbean " + ManagementFactory.getRuntimeMXBean().getName() + " " + ManagementFactory.getRuntimeMXBean().getPid());
        System.out.println("processors " + Runtime.getRuntime().availableProcessors());
        System.out.println("jvm start " + ManagementFactory.getRuntimeMXBean().getStartTime() + " up " + ManagementFactory.getRuntimeMXBean().getUptime());
        InetAddress local = InetAddress.getLocalHost();
        System.out.println("host " + local.getHostName() + " " + local.getHostAddress());
        System.out.println("zone " + TimeZone.getDefault().getID() + " user " + System.getProperty("user.name"));
    }
}

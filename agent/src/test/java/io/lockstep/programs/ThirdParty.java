package io.lockstep.programs;

import java.util.Calendar;
import java.util.Date;

import org.apache.commons.lang3.RandomStringUtils;
import org.apache.commons.lang3.RandomUtils;
import org.apache.commons.lang3.time.DateUtils;
import org.apache.commons.lang3.time.StopWatch;

/** An unmodified library from Maven Central (commons-lang3) that uses clocks and randomness. */
public final class ThirdParty {
    public static void main(String[] args) throws Exception {
        StopWatch watch = StopWatch.createStarted();
        System.out.println("random string " + RandomStringUtils.randomAlphanumeric(24));
        System.out.println("random int " + RandomUtils.nextInt(0, 1_000_000));
        System.out.println("tomorrow " + DateUtils.addDays(new Date(), 1).getTime() + " " + DateUtils.truncate(new Date(), Calendar.HOUR));
        Thread.sleep(2);
        watch.stop();
        System.out.println("stopwatch " + watch.getNanoTime() + " start " + watch.getStartTime());
    }
}

package io.lockstep.programs;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Calendar;
import java.util.Date;
import java.util.GregorianCalendar;
import java.util.concurrent.TimeUnit;

/** Every way to read the clock, directly and through the JDK. */
public final class Clocks {
    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        System.out.println("millis " + System.currentTimeMillis());
        System.out.println("nanos " + System.nanoTime());
        System.out.println("instant " + Instant.now());
        System.out.println("clock utc " + Clock.systemUTC().instant() + " " + Clock.systemUTC().millis());
        System.out.println("clock default " + Clock.systemDefaultZone().millis());
        System.out.println("clock zone " + Clock.system(ZoneId.of("Europe/Paris")).instant());
        System.out.println("date " + new Date().getTime() + " " + new Date());
        System.out.println("calendar " + Calendar.getInstance().getTimeInMillis() + " " + new GregorianCalendar().get(Calendar.MILLISECOND));
        System.out.println("local date time " + LocalDateTime.now());
        System.out.println("local date " + LocalDate.now() + " local time " + LocalTime.now());
        System.out.println("zoned " + ZonedDateTime.now());
        System.out.println("offset " + OffsetDateTime.now());
        Thread.sleep(3);
        System.out.println("elapsed ms " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " exact " + (System.nanoTime() - start));
    }
}

/**
 * Multithreaded programs for the scheduler's differential tests. Each prints what depends on how
 * its threads interleave (event orders, thread names, racy counters, clocks), so plain runs vary,
 * and a replay must print the recording's bytes.
 */
package io.lockstep.programs.threads;

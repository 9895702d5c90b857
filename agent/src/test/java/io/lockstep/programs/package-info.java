/**
 * Small unmodified programs that the integration tests run in forked JVMs, with and without
 * the agent. They know nothing of Lockstep.
 */
package io.lockstep.programs;

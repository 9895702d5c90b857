package io.lockstep.runtime;

import io.lockstep.log.Entry;
import org.agrona.ExpandableArrayBuffer;

/** Builds the payload of an intercepted call's entry before it is copied into the log. */
final class PayloadOut {
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
    private int length;

    PayloadOut reset() {
        length = 0;
        return this;
    }

    PayloadOut putInt(int value) {
        buffer.putInt(length, value);
        length += Integer.BYTES;
        return this;
    }

    PayloadOut putLong(long value) {
        buffer.putLong(length, value);
        length += Long.BYTES;
        return this;
    }

    PayloadOut putString(String value) {
        length = Entry.putString(buffer, length, value);
        return this;
    }

    PayloadOut putBytes(byte[] bytes, int offset, int count) {
        buffer.putInt(length, count);
        buffer.putBytes(length + Integer.BYTES, bytes, offset, count);
        length += Integer.BYTES + count;
        return this;
    }

    ExpandableArrayBuffer buffer() {
        return buffer;
    }

    int length() {
        return length;
    }
}

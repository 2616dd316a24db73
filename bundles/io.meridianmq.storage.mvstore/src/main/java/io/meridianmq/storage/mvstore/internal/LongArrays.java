package io.meridianmq.storage.mvstore.internal;

import java.nio.ByteBuffer;

import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * How a tombstone's list of removed message keys is written in the store file: its length, then
 * each key, as variable-length numbers (keys are close together, so most take a few bytes).
 *
 * <p>Threading: stateless.
 */
final class LongArrays extends BasicDataType<long[]> {

    static final LongArrays INSTANCE = new LongArrays();

    private LongArrays() {
    }

    @Override
    public int getMemory(long[] value) {
        return 24 + 8 * value.length;
    }

    @Override
    public void write(WriteBuffer buffer, long[] value) {
        buffer.putVarInt(value.length);
        for (long v : value) {
            buffer.putVarLong(v);
        }
    }

    @Override
    public long[] read(ByteBuffer buffer) {
        long[] value = new long[DataUtils.readVarInt(buffer)];
        for (int i = 0; i < value.length; i++) {
            value[i] = DataUtils.readVarLong(buffer);
        }
        return value;
    }

    @Override
    public long[][] createStorage(int size) {
        return new long[size][];
    }
}

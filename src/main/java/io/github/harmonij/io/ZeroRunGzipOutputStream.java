// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.zip.CRC32;

/**
 * A gzip stream (RFC 1952, deflate per RFC 1951) made for brain images: runs of zero bytes (the
 * background outside the brain, a quarter to three quarters of a volume) are coded as deflate
 * matches, everything else is stored. Coding costs about as much as copying, so writing a
 * cohort's outputs stays near the disk's speed, while the files stay almost as small as zlib's
 * fastest level makes them (float32 brain voxels hardly compress) and every gzip reader opens
 * them.
 * <p>
 * A run of at least {@link #MIN_RUN} zeros becomes one fixed-Huffman block: a literal 0 followed
 * by matches at distance 1 of up to 258 bytes; the bytes between runs become stored blocks of at
 * most 65 535 bytes. Not thread-safe.
 */
public final class ZeroRunGzipOutputStream extends OutputStream {

	/** Shorter zero runs are stored: a block costs a few bytes, so tiny runs don't pay. */
	static final int MIN_RUN = 32;

	private static final int CHUNK = 1 << 18;

	private static final int MAX_STORED = 65535;

	/** RFC 1951 3.2.5: base lengths of the length codes 257..285, and their extra bits. */
	private static final int[] LENGTH_BASE = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27,
		31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };

	private static final int[] LENGTH_EXTRA = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3,
		3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };

	private final OutputStream out;

	private final CRC32 crc = new CRC32();

	private final byte[] chunk = new byte[CHUNK];

	private int filled;

	private long total;

	/** Output bits not yet written, LSB first. */
	private long bitBuffer;

	private int bitCount;

	private final byte[] outBuffer = new byte[CHUNK + CHUNK / 8 + 64];

	private int outFilled;

	private boolean closed;

	public ZeroRunGzipOutputStream(final OutputStream out) throws IOException {
		this.out = out;
		// magic, deflate, no flags, no time, no extra flags, OS unknown
		out.write(new byte[] { 0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff });
	}

	@Override
	public void write(final int b) throws IOException {
		if (filled == CHUNK) flushChunk();
		chunk[filled++] = (byte) b;
	}

	@Override
	public void write(final byte[] b, int off, int len) throws IOException {
		while (len > 0) {
			if (filled == CHUNK) flushChunk();
			final int n = Math.min(len, CHUNK - filled);
			System.arraycopy(b, off, chunk, filled, n);
			filled += n;
			off += n;
			len -= n;
		}
	}

	@Override
	public void close() throws IOException {
		if (closed) return;
		closed = true;
		flushChunk();
		// final block: an empty stored block with BFINAL set
		bits(1, 1);
		bits(0, 2);
		alignToByte();
		putShortLE(0);
		putShortLE(0xffff);
		drain();
		final long c = crc.getValue();
		out.write(new byte[] { (byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24),
			(byte) total, (byte) (total >>> 8), (byte) (total >>> 16), (byte) (total >>> 24) });
		out.close();
	}

	// -- Helper methods --

	/** Codes the buffered chunk: stored segments and zero runs. */
	private void flushChunk() throws IOException {
		if (filled == 0) return;
		crc.update(chunk, 0, filled);
		total += filled;
		int segmentStart = 0, i = 0;
		while (i < filled) {
			// eight bytes at a time over words with no zero byte (most of a brain's values)
			while (i + 8 <= filled && !hasZeroByte((long) WORDS.get(chunk, i)))
				i += 8;
			if (i == filled) break;
			if (chunk[i] != 0) {
				i++;
				continue;
			}
			int j = i;
			while (j + 8 <= filled && (long) WORDS.get(chunk, j) == 0)
				j += 8;
			while (j < filled && chunk[j] == 0)
				j++;
			if (j - i >= MIN_RUN) {
				stored(segmentStart, i);
				zeroRun(j - i);
				segmentStart = j;
			}
			i = j;
		}
		stored(segmentStart, filled);
		filled = 0;
		drain();
	}

	/** Eight bytes of the chunk as one long (the byte order does not matter for zero tests). */
	private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class,
		ByteOrder.LITTLE_ENDIAN);

	/** @return whether one of the eight bytes of x is 0 */
	private static boolean hasZeroByte(final long x) {
		return ((x - 0x0101010101010101L) & ~x & 0x8080808080808080L) != 0;
	}

	private void stored(int from, final int to) throws IOException {
		while (from < to) {
			final int n = Math.min(MAX_STORED, to - from);
			ensure(n + 8);
			bits(0, 1); // not final
			bits(0, 2); // stored
			alignToByte();
			putShortLE(n);
			putShortLE(~n & 0xffff);
			System.arraycopy(chunk, from, outBuffer, outFilled, n);
			outFilled += n;
			from += n;
		}
	}

	/** One fixed-Huffman block: literal 0, then matches at distance 1, then end of block. */
	private void zeroRun(final int run) throws IOException {
		ensure(run / 258 * 3 + 16);
		bits(0, 1); // not final
		bits(1, 2); // fixed Huffman
		literal(0);
		int m = run - 1;
		while (m >= 3) {
			int len = Math.min(258, m);
			if (m - len > 0 && m - len < 3) len = m - 3; // never leave 1 or 2 bytes for a match
			match(len);
			m -= len;
		}
		for (; m > 0; m--)
			literal(0);
		code(0, 7); // end of block (256)
	}

	private void literal(final int v) {
		// 0..143: 8-bit codes 0x30 + v (only literal 0 is used)
		code(0x30 + v, 8);
	}

	private void match(final int length) {
		int i = LENGTH_BASE.length - 1;
		while (LENGTH_BASE[i] > length)
			i--;
		final int symbol = 257 + i;
		if (symbol <= 279) code(symbol - 256, 7);
		else code(0xc0 + symbol - 280, 8);
		if (LENGTH_EXTRA[i] > 0) bits(length - LENGTH_BASE[i], LENGTH_EXTRA[i]);
		code(0, 5); // distance code 0: distance 1
	}

	/** A Huffman code, most significant bit first (RFC 1951 3.1.1). */
	private void code(final int code, final int length) {
		bits(Integer.reverse(code) >>> (32 - length), length);
	}

	private void bits(final int value, final int n) {
		bitBuffer |= (long) value << bitCount;
		bitCount += n;
		while (bitCount >= 8) {
			outBuffer[outFilled++] = (byte) bitBuffer;
			bitBuffer >>>= 8;
			bitCount -= 8;
		}
	}

	private void alignToByte() {
		if (bitCount > 0) {
			outBuffer[outFilled++] = (byte) bitBuffer;
			bitBuffer = 0;
			bitCount = 0;
		}
	}

	private void putShortLE(final int v) {
		outBuffer[outFilled++] = (byte) v;
		outBuffer[outFilled++] = (byte) (v >>> 8);
	}

	/** Makes room for {@code n} more bytes (plus headers) in the output buffer. */
	private void ensure(final int n) throws IOException {
		if (outFilled + n + 16 > outBuffer.length) drain();
	}

	/** Writes the whole bytes coded so far. */
	private void drain() throws IOException {
		out.write(outBuffer, 0, outFilled);
		outFilled = 0;
	}
}

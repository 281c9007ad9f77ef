// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Test;

/** The zero-run gzip coder writes streams that zlib (Java's GZIPInputStream) reads back exactly. */
class ZeroRunGzipOutputStreamTest {

	static byte[] roundTrip(final byte[] data, final int pieces) throws IOException {
		final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZeroRunGzipOutputStream out = new ZeroRunGzipOutputStream(bytes)) {
			// written in uneven pieces and single bytes, to cross the internal chunk edges
			int off = 0;
			for (int p = 0; p < pieces && off < data.length; p++) {
				final int n = Math.min(data.length - off, 1 + (p * 7919) % 300000);
				out.write(data, off, n);
				off += n;
			}
			for (; off < data.length; off++)
				out.write(data[off]);
		}
		try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes
			.toByteArray())))
		{
			return in.readAllBytes();
		}
	}

	@Test
	void everyRunLengthAndEdge() throws IOException {
		final Random r = new Random(1);
		final ByteArrayOutputStream b = new ByteArrayOutputStream();
		// runs of every length 0..700 between random non-zero bytes
		for (int run = 0; run <= 700; run++) {
			for (int k = 0; k < run; k++)
				b.write(0);
			b.write(1 + r.nextInt(255));
		}
		final byte[] data = b.toByteArray();
		assertArrayEquals(data, roundTrip(data, 1000));
		assertArrayEquals(data, roundTrip(data, 3));
	}

	@Test
	void emptyAllZerosAndIncompressible() throws IOException {
		assertArrayEquals(new byte[0], roundTrip(new byte[0], 1));
		final byte[] zeros = new byte[5_000_000];
		assertArrayEquals(zeros, roundTrip(zeros, 7));
		final byte[] noise = new byte[1_000_003];
		new Random(2).nextBytes(noise);
		assertArrayEquals(noise, roundTrip(noise, 5));
	}

	@Test
	void brainLikeVolumeIsSmall() throws IOException {
		// a float32 volume with a zero background around noisy "brain" values
		final int n = 91 * 109 * 91;
		final java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(4 * n);
		final Random r = new Random(3);
		for (int v = 0; v < n; v++)
			bb.putFloat(v % 91 > 20 && v % 91 < 70 && (v / 91) % 109 > 15 ? r.nextFloat() : 0f);
		final byte[] data = bb.array();
		final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZeroRunGzipOutputStream out = new ZeroRunGzipOutputStream(bytes)) {
			out.write(data);
		}
		assertArrayEquals(data, roundTrip(data, 2));
		final double brainFraction = 49.0 / 91 * 93 / 109;
		// stored brain rows plus a few bytes of block headers per row (rows of 49 floats here)
		assertTrue(bytes.size() < brainFraction * 1.1 * data.length, "size " + bytes.size() +
			" of " + data.length);
	}
}

// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompresses a gzip file (RFC 1952) and checks every member's CRC-32 and ISIZE when the member
 * ends, so damaged data are refused instead of being used. Members may be concatenated (as
 * {@code cat a.gz b.gz} or pigz/bgzip make them); zero bytes after the last member (tape or block
 * padding) are ignored, as gzip does. Anything else after a member is damage.
 * <p>
 * A reader that stops before the end of the stream has not been checked: call {@link #drain()}
 * (or read to -1) before trusting what was read. Every problem is a {@link DamagedException}
 * whose message names the file and says what to do; a stream that ends early is an
 * {@link EOFException}, which callers report as truncation with their own byte counts.
 * <p>
 * Not thread-safe. The CRC-32 is computed over the bytes as they are inflated, into the caller's
 * array, so checking costs one pass of {@link CRC32#update(byte[], int, int)} (an intrinsic).
 */
final class CheckedGzipInputStream extends InputStream {

	/** A damaged gzip stream; the message is complete and names the file. */
	static final class DamagedException extends IOException {

		private static final long serialVersionUID = 1L;

		DamagedException(final String message, final Throwable cause) {
			super(message, cause);
		}
	}

	private static final int FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16;

	private final InputStream in;
	private final String name;
	private final byte[] buf;
	private int pos, lim;
	private final Inflater inflater = new Inflater(true);
	private final CRC32 crc = new CRC32();
	/** Uncompressed bytes of the current member, mod 2^32 as ISIZE counts them. */
	private long memberBytes;
	private int member = 1;
	private boolean eof;
	private boolean closed;

	/**
	 * @param in the compressed bytes, at the first member's magic; closed with this stream
	 * @param file named in the messages
	 * @param bufferSize size of the compressed-input buffer
	 * @throws IOException if the first member's header is damaged or reading fails
	 */
	CheckedGzipInputStream(final InputStream in, final Path file, final int bufferSize)
		throws IOException
	{
		this.in = in;
		this.name = String.valueOf(file);
		this.buf = new byte[bufferSize];
		if (!readHeader(true)) throw new EOFException("empty gzip file");
	}

	@Override
	public int read() throws IOException {
		final byte[] one = new byte[1];
		final int r = read(one, 0, 1);
		return r < 0 ? -1 : one[0] & 0xFF;
	}

	@Override
	public int read(final byte[] b, final int off, final int len) throws IOException {
		if (closed) throw new IOException("stream closed");
		if (len == 0) return 0;
		while (!eof) {
			final int n;
			try {
				n = inflater.inflate(b, off, len);
			}
			catch (final DataFormatException e) {
				throw damaged("its compressed data cannot be decoded (" + e.getMessage() +
					" in gzip member " + member + ")", e);
			}
			if (n > 0) {
				crc.update(b, off, n);
				memberBytes += n;
				return n;
			}
			if (inflater.finished()) {
				endMember();
			}
			else if (inflater.needsDictionary()) {
				throw damaged("its compressed data ask for a preset dictionary, which gzip " +
					"never uses", null);
			}
			else if (inflater.needsInput()) {
				if (!fill()) throw new EOFException("Unexpected end of gzip data");
				inflater.setInput(buf, pos, lim - pos);
			}
		}
		return -1;
	}

	/**
	 * Reads and discards the rest of the stream, so that every member's checksum and length are
	 * checked.
	 *
	 * @return the number of bytes discarded
	 * @throws IOException as {@link #read(byte[], int, int)}
	 */
	long drain() throws IOException {
		final byte[] sink = new byte[buf.length];
		long n = 0;
		int r;
		while ((r = read(sink, 0, sink.length)) >= 0)
			n += r;
		return n;
	}

	@Override
	public long skip(final long n) throws IOException {
		// Skipped bytes are inflated and checked like read ones.
		final byte[] sink = new byte[(int) Math.min(buf.length, Math.max(n, 1))];
		long done = 0;
		while (done < n) {
			final int r = read(sink, 0, (int) Math.min(sink.length, n - done));
			if (r < 0) break;
			done += r;
		}
		return done;
	}

	@Override
	public int available() {
		return eof ? 0 : 1;
	}

	@Override
	public void close() throws IOException {
		if (closed) return;
		closed = true;
		inflater.end();
		in.close();
	}

	// -- Helper methods --

	/** Checks the trailer of the member that just ended and opens the next one, if any. */
	private void endMember() throws IOException {
		// Give back the bytes the inflater did not use: they start the trailer.
		pos = lim - inflater.getRemaining();
		final long storedCrc = readLe32();
		final long storedSize = readLe32();
		if (storedCrc != crc.getValue()) throw damaged("its gzip checksum does not match (CRC-32 " +
			hex(crc.getValue()) + " computed, " + hex(storedCrc) + " stored in member " + member +
			"; the data were corrupted in copying or on disk)", null);
		if (storedSize != (memberBytes & 0xFFFFFFFFL)) throw damaged("its gzip length does not " +
			"match (" + (memberBytes & 0xFFFFFFFFL) + " bytes decompressed, " + storedSize +
			" stored in member " + member + "; the data were corrupted in copying or on disk)",
			null);
		member++;
		if (readHeader(false)) {
			inflater.reset();
			crc.reset();
			memberBytes = 0;
			inflater.setInput(buf, pos, lim - pos);
		}
		else {
			eof = true;
		}
	}

	/**
	 * Reads a member header.
	 *
	 * @param first true for the first member, which must exist
	 * @return false at the end of the file (only zero bytes left)
	 */
	private boolean readHeader(final boolean first) throws IOException {
		final int id1 = next();
		if (id1 < 0) return false;
		if (id1 == 0 && !first) {
			int b;
			long zeros = 1;
			while ((b = next()) == 0)
				zeros++;
			if (b < 0) return false;
			throw damaged("after gzip member " + (member - 1) + " come " + zeros + " zero bytes " +
				"and then other data, which is not gzip", null);
		}
		final int id2 = next();
		if (id1 != 0x1f || id2 != 0x8b) throw damaged(first ? "it does not start with the gzip " +
			"signature" : "after gzip member " + (member - 1) + " come data that are not gzip " +
				"(no gzip signature)", null);
		final int method = require();
		if (method != 8) throw damaged("gzip member " + member + " uses compression method " +
			method + "; gzip has only method 8 (deflate)", null);
		final int flags = require();
		if ((flags & 0xE0) != 0) throw damaged("gzip member " + member + " has reserved flag " +
			"bits set (flags " + flags + ")", null);
		for (int i = 0; i < 6; i++)
			require(); // mtime, xfl, os
		if ((flags & FEXTRA) != 0) {
			final int xlen = require() | require() << 8;
			for (int i = 0; i < xlen; i++)
				require();
		}
		if ((flags & FNAME) != 0) while (require() != 0) {
			// skip the zero-terminated original file name
		}
		if ((flags & FCOMMENT) != 0) while (require() != 0) {
			// skip the zero-terminated comment
		}
		if ((flags & FHCRC) != 0) {
			require();
			require();
		}
		if (first) inflater.setInput(buf, pos, lim - pos);
		return true;
	}

	/** @return the next compressed byte, or -1 at the end of the file */
	private int next() throws IOException {
		if (pos >= lim && !fill()) return -1;
		return buf[pos++] & 0xFF;
	}

	/** @return the next compressed byte; the file must not end here */
	private int require() throws IOException {
		final int b = next();
		if (b < 0) throw new EOFException("Unexpected end of gzip data");
		return b;
	}

	private long readLe32() throws IOException {
		return require() | require() << 8 | require() << 16 | (long) require() << 24;
	}

	/** Refills the buffer after its bytes were all used; false at the end of the file. */
	private boolean fill() throws IOException {
		final int r = in.read(buf, 0, buf.length);
		if (r <= 0) {
			pos = lim = 0;
			return false;
		}
		pos = 0;
		lim = r;
		return true;
	}

	private DamagedException damaged(final String what, final Throwable cause) {
		return new DamagedException(name + " is damaged: " + what + ". Copy it again from its " +
			"source.", cause);
	}

	private static String hex(final long v) {
		return String.format("%08x", v);
	}
}

// SPDX-License-Identifier: MIT
package io.github.harmonij.cohort;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.github.harmonij.core.FeatureMatrix;
import io.github.harmonij.core.InputException;
import io.github.harmonij.core.VoxelBlocks;
import io.github.harmonij.io.OutputFolder;
import io.github.harmonij.io.WriteFailures;

/**
 * An out-of-core float32 subjects-by-voxels matrix, written once and then read: the data live in
 * one temporary file, laid
 * out as the engine walks them, block after block of {@link VoxelBlocks#BLOCK} voxels and, inside
 * a block, subject after subject:
 * <pre>
 * offset(subject j, voxel v in block b) = 4 * (nSubjects * b * BLOCK + j * len(b) + v - b * BLOCK)
 * </pre>
 * where {@code len(b)} is {@code BLOCK} except for a shorter last block. One block of all subjects
 * (the unit a {@code VoxelBlocks.forEachBlock} body works on) is one contiguous run of the file.
 * <p>
 * {@link #writeRows} fills the file (pass 1). {@link #get} then goes through a per-thread cache of
 * one whole block (off-heap, a direct buffer of {@code 4 * nSubjects * BLOCK} bytes): the first
 * call for a block reads it with one positional read, later calls for that block hit memory. A
 * block held by a thread at the end of one engine pass is taken over by whichever thread asks for
 * it in the next. Values are read as {@code double} from {@code float}, the conversion of
 * {@link FeatureMatrix.FloatRows}: the engine gives the same bits over either. The harmonised
 * values are never written back ({@link #set} is not supported): the outputs are written from
 * each row as it is harmonised.
 * <p>
 * Thread-safety: as {@link FeatureMatrix}, different threads may work on different blocks at
 * once; two threads must not use one block at the same time (the engine never does). The bulk
 * methods {@link #writeRows} and {@link #readRow} use positional reads and writes and may run in
 * parallel with each other and with get.
 * <p>
 * {@link #close} deletes the file. Put it in the work area of an {@link OutputFolder}, so that it
 * is gone after a failure or a cancel too.
 */
public final class SpilledMatrix implements FeatureMatrix, AutoCloseable {

	private static final int BLOCK = VoxelBlocks.BLOCK;

	private final Path file;

	private final FileChannel channel;

	private final int nSubjects;

	private final int nFeatures;

	private final int nBlocks;

	/** Blocks ever stored: the others read as zeros without touching the disk. */
	private final boolean[] written;

	/** The slot holding each block, or null. */
	private final AtomicReferenceArray<Slot> resident;

	/** Buffers of dropped slots, for reuse. */
	private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();

	private final ThreadLocal<Slot> current = new ThreadLocal<>();

	private final ThreadLocal<ByteBuffer> runBuffer = ThreadLocal.withInitial(() -> ByteBuffer
		.allocateDirect(4 * BLOCK).order(ByteOrder.LITTLE_ENDIAN));

	/** One lock per block: loading and storing different blocks run in parallel. */
	private final Object[] locks;


	/** One cached block. */
	private static final class Slot {

		final int block;

		final int len;

		final ByteBuffer data;

		/** {@link #data} as floats, and a run of them on the heap: bulk copies, not one per value */
		final FloatBuffer floats;

		final float[] run;

		volatile Thread owner;


		Slot(final int block, final int len, final ByteBuffer data) {
			this.block = block;
			this.len = len;
			this.data = data;
			// the whole buffer, whatever position and limit a transfer left in data
			this.floats = ((ByteBuffer) data.duplicate().clear()).order(ByteOrder.LITTLE_ENDIAN)
				.asFloatBuffer();
			this.run = new float[len];
		}
	}

	private SpilledMatrix(final Path file, final FileChannel channel, final int nSubjects,
		final int nFeatures)
	{
		this.file = file;
		this.channel = channel;
		this.nSubjects = nSubjects;
		this.nFeatures = nFeatures;
		this.nBlocks = VoxelBlocks.nBlocks(nFeatures);
		this.written = new boolean[nBlocks];
		this.resident = new AtomicReferenceArray<>(nBlocks);
		this.locks = new Object[nBlocks];
		for (int b = 0; b < nBlocks; b++)
			locks[b] = new Object();
	}

	/**
	 * Creates the file (which must not exist) for a matrix of zeros.
	 *
	 * @param file a new file, e.g. in {@link OutputFolder#path()}
	 * @throws InputException if the file cannot be created
	 */
	public static SpilledMatrix create(final Path file, final int nSubjects,
		final int nFeatures)
	{
		try {
			final FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
				StandardOpenOption.READ, StandardOpenOption.WRITE);
			return new SpilledMatrix(file, ch, nSubjects, nFeatures);
		}
		catch (final IOException e) {
			throw new InputException("Cannot create the temporary file " + file + ": " + e +
				". Choose an output folder on a disk with room for " + bytes(nSubjects, nFeatures) /
					(1 << 20) + " MB.");
		}
	}

	/** @return the size of the file when full, {@code 4 * nSubjects * nFeatures} bytes */
	public static long bytes(final int nSubjects, final int nFeatures) {
		return 4L * nSubjects * nFeatures;
	}

	/** @return the off-heap bytes one thread's block cache takes */
	public static long blockCacheBytes(final int nSubjects) {
		return 4L * nSubjects * BLOCK;
	}

	@Override
	public int nSubjects() {
		return nSubjects;
	}

	@Override
	public int nFeatures() {
		return nFeatures;
	}

	/** @return the temporary file */
	public Path file() {
		return file;
	}

	@Override
	public void get(final int subject, final int from, final int to, final double[] dst,
		final int offset)
	{
		final Slot s = slot(from, to);
		final int n = to - from;
		final float[] run = s.run;
		s.floats.position(subject * s.len + from - s.block * BLOCK);
		s.floats.get(run, 0, n);
		for (int i = 0; i < n; i++)
			dst[offset + i] = run[i];
	}

	/** Not supported: the matrix is written once, by {@link #writeRows}. */
	@Override
	public void set(final int subject, final int from, final int to, final double[] src,
		final int offset)
	{
		throw new UnsupportedOperationException("the spilled matrix is read-only after pass 1");
	}

	/**
	 * Stores whole rows of consecutive subjects, the way pass 1 fills the file: for each block,
	 * one positional write of {@code rows.length} runs (contiguous in the file).
	 *
	 * @param first the subject of {@code rows[0]}
	 * @param count how many of {@code rows} to store, each of {@code nFeatures} values
	 */
	public void writeRows(final int first, final float[][] rows, final int count) {
		if (count == 0) return;
		final ByteBuffer bb = ByteBuffer.allocateDirect(4 * count * Math.min(BLOCK, nFeatures))
			.order(ByteOrder.LITTLE_ENDIAN);
		final FloatBuffer fb = bb.asFloatBuffer();
		for (int b = 0; b < nBlocks; b++) {
			final int from = b * BLOCK, len = Math.min(BLOCK, nFeatures - from);
			fb.clear();
			for (int i = 0; i < count; i++)
				fb.put(rows[i], from, len);
			bb.clear().limit(4 * count * len);
			writeFully(bb, offset(b) + 4L * first * len);
			synchronized (locks[b]) {
				written[b] = true;
			}
		}
	}

	/** Copies subject's row, all {@code nFeatures} values, into {@code dst}. */
	public void readRow(final int subject, final float[] dst) {
		final ByteBuffer bb = runBuffer.get();
		final FloatBuffer fb = bb.clear().asFloatBuffer();
		for (int b = 0; b < nBlocks; b++) {
			final int from = b * BLOCK, len = Math.min(BLOCK, nFeatures - from);
			if (!isWritten(b)) {
				java.util.Arrays.fill(dst, from, from + len, 0f);
				continue;
			}
			bb.clear().limit(4 * len);
			readFully(bb, offset(b) + 4L * subject * len);
			fb.clear();
			fb.get(dst, from, len);
		}
	}

	/** Closes and deletes the file; the matrix cannot be used afterwards. */
	@Override
	public void close() {
		try {
			channel.close();
		}
		catch (final IOException e) {
			// Deleting below is what matters.
		}
		try {
			Files.deleteIfExists(file);
		}
		catch (final IOException e) {
			// The OutputFolder's work area goes as a whole.
		}
		synchronized (free) {
			free.clear();
		}
		for (int b = 0; b < nBlocks; b++)
			resident.set(b, null);
	}

	// -- Helper methods --

	private long offset(final int block) {
		return 4L * nSubjects * block * BLOCK;
	}

	private boolean isWritten(final int block) {
		synchronized (locks[block]) {
			return written[block];
		}
	}

	/** The calling thread's slot for the block of {@code [from, to)}, loading it if needed. */
	private Slot slot(final int from, final int to) {
		final int b = from / BLOCK;
		final Slot s = current.get();
		if (s != null && s.block == b && s.owner == Thread.currentThread()) return s;
		if (to > Math.min(nFeatures, (b + 1) * BLOCK) || from < 0) throw new IllegalArgumentException(
			"features [" + from + ", " + to + ") cross a block boundary or the matrix end");
		return acquire(b, s);
	}

	private Slot acquire(final int b, final Slot old) {
		final Thread me = Thread.currentThread();
		if (old != null) synchronized (locks[old.block]) {
			if (old.owner == me) {
				// Done with the old block: give its buffer to the next one.
				old.owner = null;
				resident.set(old.block, null);
				synchronized (free) {
					free.push(old.data);
				}
			}
		}
		Slot s;
		synchronized (locks[b]) {
			s = resident.get(b);
			if (s != null) {
				s.owner = me; // left behind by another thread in an earlier pass
			}
			else {
				final int len = Math.min(BLOCK, nFeatures - b * BLOCK);
				ByteBuffer data;
				synchronized (free) {
					data = free.poll();
				}
				if (data == null) data = ByteBuffer.allocateDirect(4 * nSubjects * Math.min(BLOCK,
					nFeatures)).order(ByteOrder.LITTLE_ENDIAN);
				s = new Slot(b, len, data);
				s.owner = me;
				load(s);
				resident.set(b, s);
			}
		}
		current.set(s);
		return s;
	}

	private void load(final Slot s) {
		final ByteBuffer bb = s.data;
		bb.clear().limit(4 * nSubjects * s.len);
		if (!written[s.block]) {
			for (int i = 0; i < bb.limit(); i += 4)
				bb.putInt(i, 0);
			return;
		}
		readFully(bb, offset(s.block));
	}

	private void writeFully(final ByteBuffer bb, final long position) {
		try {
			long p = position;
			while (bb.hasRemaining())
				p += channel.write(bb, p);
		}
		catch (final IOException e) {
			throw new InputException("Could not write the temporary file " + file + ": " +
				WriteFailures.explain(e), e);
		}
	}

	private void readFully(final ByteBuffer bb, final long position) {
		try {
			long p = position;
			while (bb.hasRemaining()) {
				final int r = channel.read(bb, p);
				if (r < 0) {
					// Past the end: a region never written, zeros.
					while (bb.hasRemaining())
						bb.put((byte) 0);
					break;
				}
				p += r;
			}
		}
		catch (final IOException e) {
			throw new InputException("Could not read the temporary file " + file + " (" + e
				.getMessage() + ").", e);
		}
	}
}

// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import net.imglib2.parallel.Parallelization;
import net.imglib2.parallel.TaskExecutor;

/**
 * Runs work over fixed-size blocks of features (voxels or table columns) in parallel.
 * <p>
 * Block boundaries depend only on the number of features and {@link #BLOCK}, never on the number
 * of threads, so any computation that is per feature, or that combines per-block partial results in
 * block order, gives the same bits on 1 or 64 threads. The thread count is the caller's choice
 * through imglib2's {@link Parallelization} ({@code runSingleThreaded}, {@code runWithNumThreads});
 * nothing here builds a thread pool.
 */
public final class VoxelBlocks {

	/** Features per block: large enough to amortise scheduling, small enough to balance load. */
	public static final int BLOCK = 4096;

	private VoxelBlocks() {}

	/** Work on the features {@code [from, to)} of block number {@code block}. */
	@FunctionalInterface
	public interface BlockBody {
		void run(int block, int from, int to);
	}

	/** @return the number of blocks covering {@code nFeatures} features */
	public static int nBlocks(final long nFeatures) {
		return (int) ((nFeatures + BLOCK - 1) / BLOCK);
	}

	/**
	 * Runs {@code body} on every block of {@code [0, nFeatures)}, in parallel with the executor of
	 * the current {@link Parallelization} context.
	 *
	 * @param progress told after each block (done, nBlocks)
	 * @param canceled polled before each block; when it returns true the run stops with a
	 *          {@link CancellationException}
	 * @throws CancellationException if canceled
	 */
	public static void forEachBlock(final int nFeatures, final Progress progress,
		final BooleanSupplier canceled, final BlockBody body)
	{
		final int nBlocks = nBlocks(nFeatures);
		if (nBlocks == 0) return;
		final List<Integer> blocks = new ArrayList<>(nBlocks);
		for (int b = 0; b < nBlocks; b++)
			blocks.add(b);
		final AtomicLong done = new AtomicLong();
		final TaskExecutor executor = Parallelization.getTaskExecutor();
		try {
			executor.forEach(blocks, b -> {
				if (canceled.getAsBoolean()) throw new CancellationException();
				final int from = b * BLOCK;
				body.run(b, from, Math.min(nFeatures, from + BLOCK));
				progress.update(done.incrementAndGet(), nBlocks);
			});
		}
		catch (final RuntimeException e) {
			throw unwrap(e);
		}
	}

	/** Executors may wrap a task's exception; give the caller back the original one. */
	private static RuntimeException unwrap(final RuntimeException e) {
		Throwable t = e;
		while (t.getCause() != null && !(t instanceof CancellationException) &&
			!(t instanceof InputException) && t.getCause() != t)
		{
			if (t.getCause() instanceof RuntimeException) t = t.getCause();
			else break;
		}
		return t instanceof RuntimeException ? (RuntimeException) t : e;
	}
}

// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import io.github.harmonij.core.FeatureMatrix;
import io.github.harmonij.core.VoxelBlocks;

/**
 * The input and output matrix of an in-place adjustment that also records the difference, so the
 * original need not be kept twice: {@code get} reads from {@code data} and keeps a copy of what
 * it returned; {@code set} takes that copy as the original (reading {@code data} again only if
 * the engine did not read the range through this matrix), stores the float32 difference
 * {@code harmonised - original} in {@code difference} (0 where the bits are equal, e.g. voxels
 * left unchanged), then stores the harmonised value in {@code data}. The difference is exactly
 * the one computed from the two float32 images.
 * <p>
 * Relies on what every adjustment of the engine does: each (subject, feature range) is set
 * once, by the thread that read it, after it was read and before anything else overwrites it,
 * with at most {@link #SLOTS} ranges read and not yet written per thread. Thread-safe as the two
 * matrices are (disjoint feature ranges per thread).
 */
final class DifferenceRecorder implements FeatureMatrix {

	/** Ranges a thread may have read and not yet written (the engine holds four). */
	static final int SLOTS = 8;

	private final FeatureMatrix data;

	private final FeatureMatrix difference;

	private final ThreadLocal<Slots> slots = ThreadLocal.withInitial(Slots::new);

	DifferenceRecorder(final FeatureMatrix data, final FeatureMatrix difference) {
		this.data = data;
		this.difference = difference;
	}

	@Override
	public int nSubjects() {
		return data.nSubjects();
	}

	@Override
	public int nFeatures() {
		return data.nFeatures();
	}

	@Override
	public void get(final int subject, final int from, final int to, final double[] dst,
		final int offset)
	{
		data.get(subject, from, to, dst, offset);
		slots.get().keep(subject, from, to, dst, offset);
	}

	@Override
	public void get(final int s0, final int s1, final int s2, final int s3, final int from,
		final int to, final double[] d0, final double[] d1, final double[] d2, final double[] d3)
	{
		data.get(s0, s1, s2, s3, from, to, d0, d1, d2, d3);
		final Slots k = slots.get();
		k.keep(s0, from, to, d0, 0);
		k.keep(s1, from, to, d1, 0);
		k.keep(s2, from, to, d2, 0);
		k.keep(s3, from, to, d3, 0);
	}

	@Override
	public void set(final int subject, final int from, final int to, final double[] src,
		final int offset)
	{
		final int len = to - from;
		final Slots k = slots.get();
		double[] original = k.take(subject, from, to);
		if (original == null) {
			original = k.spare(len);
			data.get(subject, from, to, original, 0);
		}
		final double[] d = k.diff(len);
		for (int i = 0; i < len; i++) {
			final float h = (float) src[offset + i], o = (float) original[i];
			d[i] = Float.floatToIntBits(h) == Float.floatToIntBits(o) ? 0f : h - o;
		}
		difference.set(subject, from, to, d, 0);
		data.set(subject, from, to, src, offset);
	}

	/** Per-thread copies of the ranges read and not yet written, and work arrays. */
	private static final class Slots {

		final int[] subject = new int[SLOTS], from = new int[SLOTS], to = new int[SLOTS];

		final double[][] values = new double[SLOTS][];

		final boolean[] used = new boolean[SLOTS];

		double[] spare, diff;

		void keep(final int s, final int f, final int t, final double[] src, final int offset) {
			int i = 0;
			while (i < SLOTS && used[i] && !(subject[i] == s && from[i] == f))
				i++;
			if (i == SLOTS) throw new IllegalStateException("More than " + SLOTS +
				" ranges read and not written by one thread");
			if (values[i] == null || values[i].length < t - f) values[i] = new double[Math.max(t -
				f, VoxelBlocks.BLOCK)];
			System.arraycopy(src, offset, values[i], 0, t - f);
			subject[i] = s;
			from[i] = f;
			to[i] = t;
			used[i] = true;
		}

		/** @return the kept copy of exactly this range (released), or null */
		double[] take(final int s, final int f, final int t) {
			for (int i = 0; i < SLOTS; i++)
				if (used[i] && subject[i] == s && from[i] == f && to[i] == t) {
					used[i] = false;
					return values[i];
				}
			return null;
		}

		double[] spare(final int len) {
			if (spare == null || spare.length < len) spare = new double[Math.max(len,
				VoxelBlocks.BLOCK)];
			return spare;
		}

		double[] diff(final int len) {
			if (diff == null || diff.length < len) diff = new double[Math.max(len, VoxelBlocks.BLOCK)];
			return diff;
		}
	}
}

// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import io.github.harmonij.core.FeatureMatrix;
import io.github.harmonij.core.VoxelBlocks;

/**
 * The output matrix of an in-place adjustment that also records the difference, so the original
 * need not be kept twice: {@code set} reads the original from {@code data} (the engine's input),
 * stores the float32 difference {@code harmonised - original} in {@code difference} (0 where the
 * bits are equal, e.g. voxels left unchanged), then stores the harmonised value in {@code data}.
 * The difference is exactly the one computed from the two float32 images.
 * <p>
 * Relies on what every adjustment of the engine does: each (subject, feature) is set once, after
 * it was read from the input and before anything else overwrites it. Thread-safe as the two
 * matrices are (disjoint feature ranges per thread).
 */
final class DifferenceRecorder implements FeatureMatrix {

	private final FeatureMatrix data;

	private final FeatureMatrix difference;

	private final ThreadLocal<double[][]> work = ThreadLocal.withInitial(() -> new double[2][]);

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
	}

	@Override
	public void set(final int subject, final int from, final int to, final double[] src,
		final int offset)
	{
		final int len = to - from;
		final double[][] w = work.get();
		if (w[0] == null || w[0].length < len) {
			w[0] = new double[Math.max(len, VoxelBlocks.BLOCK)];
			w[1] = new double[w[0].length];
		}
		final double[] original = w[0], d = w[1];
		data.get(subject, from, to, original, 0);
		for (int i = 0; i < len; i++) {
			final float h = (float) src[offset + i], o = (float) original[i];
			d[i] = Float.floatToIntBits(h) == Float.floatToIntBits(o) ? 0f : h - o;
		}
		difference.set(subject, from, to, d, 0);
		data.set(subject, from, to, src, offset);
	}
}

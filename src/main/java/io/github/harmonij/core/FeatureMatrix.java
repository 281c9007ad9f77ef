// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

/**
 * Subjects by features data (features are masked voxels or table columns), read and written in
 * runs of consecutive features of one subject.
 * <p>
 * Values travel as {@code double}; storage may be float32 (voxels, see {@link FloatRows}) or
 * float64 (tables, see {@link DoubleRows}). Different threads may read and write disjoint
 * feature ranges concurrently.
 */
public interface FeatureMatrix {

	int nSubjects();

	int nFeatures();

	/** Copies features {@code [from, to)} of {@code subject} into {@code dst[offset ...]}. */
	void get(int subject, int from, int to, double[] dst, int offset);

	/** Stores {@code src[offset ...]} as features {@code [from, to)} of {@code subject}. */
	void set(int subject, int from, int to, double[] src, int offset);

	/**
	 * {@link #get} of four subjects' features {@code [from, to)} into {@code d0 .. d3} (offset 0);
	 * storage may read the four rows side by side (more memory streams in flight).
	 */
	default void get(final int s0, final int s1, final int s2, final int s3, final int from,
		final int to, final double[] d0, final double[] d1, final double[] d2, final double[] d3)
	{
		get(s0, from, to, d0, 0);
		get(s1, from, to, d1, 0);
		get(s2, from, to, d2, 0);
		get(s3, from, to, d3, 0);
	}

	/** {@link #set} of four subjects' features {@code [from, to)} from {@code d0 .. d3}. */
	default void set(final int s0, final int s1, final int s2, final int s3, final int from,
		final int to, final double[] d0, final double[] d1, final double[] d2, final double[] d3)
	{
		set(s0, from, to, d0, 0);
		set(s1, from, to, d1, 0);
		set(s2, from, to, d2, 0);
		set(s3, from, to, d3, 0);
	}

	/** float32 rows, one array per subject; the voxelwise layout (no copy is made). */
	final class FloatRows implements FeatureMatrix {

		private final float[][] rows;

		private final int nFeatures;

		/** @param rows {@code rows[subject][feature]}, all of one length */
		public FloatRows(final float[][] rows) {
			this.rows = rows;
			this.nFeatures = rows.length == 0 ? 0 : rows[0].length;
			for (final float[] r : rows)
				if (r.length != nFeatures) throw new IllegalArgumentException("ragged rows");
		}

		public float[][] rows() {
			return rows;
		}

		@Override
		public int nSubjects() {
			return rows.length;
		}

		@Override
		public int nFeatures() {
			return nFeatures;
		}

		@Override
		public void get(final int subject, final int from, final int to, final double[] dst,
			final int offset)
		{
			final float[] r = rows[subject];
			for (int v = from; v < to; v++)
				dst[offset + v - from] = r[v];
		}

		@Override
		public void set(final int subject, final int from, final int to, final double[] src,
			final int offset)
		{
			final float[] r = rows[subject];
			for (int v = from; v < to; v++)
				r[v] = (float) src[offset + v - from];
		}

		@Override
		public void get(final int s0, final int s1, final int s2, final int s3, final int from,
			final int to, final double[] d0, final double[] d1, final double[] d2, final double[] d3)
		{
			final float[] r0 = rows[s0], r1 = rows[s1], r2 = rows[s2], r3 = rows[s3];
			for (int i = 0, len = to - from; i < len; i++) {
				d0[i] = r0[from + i];
				d1[i] = r1[from + i];
				d2[i] = r2[from + i];
				d3[i] = r3[from + i];
			}
		}

		@Override
		public void set(final int s0, final int s1, final int s2, final int s3, final int from,
			final int to, final double[] d0, final double[] d1, final double[] d2, final double[] d3)
		{
			final float[] r0 = rows[s0], r1 = rows[s1], r2 = rows[s2], r3 = rows[s3];
			for (int i = 0, len = to - from; i < len; i++) {
				r0[from + i] = (float) d0[i];
				r1[from + i] = (float) d1[i];
				r2[from + i] = (float) d2[i];
				r3[from + i] = (float) d3[i];
			}
		}
	}

	/** float64 rows, one array per subject; the table layout (no copy is made). */
	final class DoubleRows implements FeatureMatrix {

		private final double[][] rows;

		private final int nFeatures;

		/** @param rows {@code rows[subject][feature]}, all of one length */
		public DoubleRows(final double[][] rows) {
			this.rows = rows;
			this.nFeatures = rows.length == 0 ? 0 : rows[0].length;
			for (final double[] r : rows)
				if (r.length != nFeatures) throw new IllegalArgumentException("ragged rows");
		}

		public double[][] rows() {
			return rows;
		}

		@Override
		public int nSubjects() {
			return rows.length;
		}

		@Override
		public int nFeatures() {
			return nFeatures;
		}

		@Override
		public void get(final int subject, final int from, final int to, final double[] dst,
			final int offset)
		{
			System.arraycopy(rows[subject], from, dst, offset, to - from);
		}

		@Override
		public void set(final int subject, final int from, final int to, final double[] src,
			final int offset)
		{
			System.arraycopy(src, offset, rows[subject], from, to - from);
		}
	}
}

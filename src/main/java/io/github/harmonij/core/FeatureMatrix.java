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

// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

/**
 * sva's {@code var.pooled}: per feature, the mean squared residual of the mean model over all
 * subjects (denominator N, not N - p, as sva), or, with a reference site, over the reference
 * site's subjects only (denominator n_ref), so that the reference site's spread is the target.
 */
final class PooledVariance implements ScaleModel {

	static final PooledVariance INSTANCE = new PooledVariance();

	private PooledVariance() {}

	@Override
	public String name() {
		return "pooled";
	}

	@Override
	public Fitter fitter(final Design design, final int ref) {
		return fitter(design.batches(), design.batchSizes(), ref);
	}

	/** @param batch each subject's site index */
	Fitter fitter(final int[] batch, final int[] batchSize, final int ref) {
		final int n = batch.length;
		final double nVar = ref >= 0 ? batchSize[ref] : n;
		return c -> {
			final int len = c.len;
			for (int v = 0; v < len; v++)
				c.var[v] = 0;
			for (int j = 0; j < n; j++) {
				if (ref >= 0 && batch[j] != ref) continue;
				final int row = j * len;
				for (int v = 0; v < len; v++)
					c.var[v] += c.residual[row + v] * c.residual[row + v];
			}
			for (int v = 0; v < len; v++)
				c.var[v] /= nVar;
		};
	}
}

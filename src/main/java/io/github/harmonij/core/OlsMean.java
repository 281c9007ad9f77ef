// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

/**
 * Ordinary least squares on the site columns and the coded covariates, per feature (sva's
 * {@code B.hat}): the coefficients are the projection {@code (X'X)^-1 X' y} of
 * {@link FactoredDesign}, the same for every feature, so a chunk is one matrix product.
 * Natural-spline terms arrive as coded columns, so this is also the spline mean model. With
 * {@link #onNonMissing}, a feature with non-finite cells is fitted again on its finite subjects
 * ({@link MissingValues#fitFeature}) instead of being copied through.
 * <p>
 * The one-pass ComBat fit ({@link SiteSums}) computes the same estimates from per-site sums
 * without this class; this is its exact path, and the model of every other fit.
 */
final class OlsMean implements MeanModel {

	/** Features with non-finite cells are copied through (ComBat's default). */
	static final OlsMean COMPLETE = new OlsMean(0);

	/** 0: no refit; else the non-missing subjects a site needs in a refit. */
	private final int minPerSite;

	private OlsMean(final int minPerSite) {
		this.minPerSite = minPerSite;
	}

	/**
	 * @param minPerSite the non-missing subjects each site needs for a feature to be fitted
	 * @return OLS that fits features with missing cells on their non-missing subjects
	 */
	static OlsMean onNonMissing(final int minPerSite) {
		return new OlsMean(minPerSite);
	}

	@Override
	public String name() {
		return "ols";
	}

	@Override
	public Fitter fitter(final Design design, final int ref) {
		return fitter(FactoredDesign.of(design, ref));
	}

	/** The fitter for a design already factored (a fit that holds one uses it). */
	Fitter fitter(final FactoredDesign x) {
		return new Fitter() {

			@Override
			public int nColumns() {
				return x.p;
			}

			@Override
			public void fit(final FeatureChunk c) {
				final int len = c.len, k = x.nBatches;
				x.screen(c.y, len, c.status, c.from);
				x.solve(c.y, len, c.coef);
				if (minPerSite > 0) refitMissing(c);
				for (int v = 0; v < len; v++) {
					double g = 0;
					for (int q = 0; q < k; q++)
						g += x.grandWeights[q] * c.coef[q * len + v];
					c.location[v] = g;
				}
			}

			@Override
			public void residuals(final FeatureChunk c) {
				x.residuals(c);
			}

			@Override
			public void means(final FeatureChunk c) {
				x.means(c);
			}

			/** Fits the features that have non-finite cells again, on their finite subjects. */
			private void refitMissing(final FeatureChunk c) {
				final int len = c.len, n = x.n, p = x.p;
				final double[] yv = new double[n], bv = new double[p];
				final int[] m = new int[x.nBatches];
				for (int v = 0; v < len; v++) {
					if (c.status[c.from + v] != FeatureStatus.NON_FINITE.ordinal()) continue;
					for (int j = 0; j < n; j++)
						yv[j] = c.y[j * len + v];
					final FeatureStatus s = MissingValues.fitFeature(x, yv, minPerSite, m, bv);
					c.status[c.from + v] = (byte) s.ordinal();
					for (int q = 0; q < p; q++)
						c.coef[q * len + v] = bv[q];
				}
			}
		};
	}
}

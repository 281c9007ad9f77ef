// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Linear site adjustment ("site as a covariate"): per feature, ordinary least squares on site
 * one-hot columns and covariates, then each subject's site level is replaced by the common level
 * (see {@link SiteRegressionFit}). Unlike ComBat it removes site means only and needs no second
 * subject per site. Features that are not finite, constant, or constant within a site of at least
 * 2 subjects are copied through, as in {@link ComBat}. Same-bits-for-any-thread-count, like ComBat.
 */
public final class SiteRegression {

	private SiteRegression() {}

	/**
	 * Checks a design before any data are read.
	 *
	 * @throws InputException listing every problem (see {@link ComBat#validate}; one subject per
	 *           site is allowed here)
	 */
	public static void validate(final Design design, final String refBatch) {
		final List<String> problems = FactoredDesign.problems(design, refBatch, 1, "");
		InputException.throwIfAny("The site-regression design has " + problems.size() +
			" problems:", problems);
	}

	/**
	 * @param refBatch a site level whose subjects stay unchanged and whose level is the target,
	 *          or null to move every site to the subject-weighted mean level
	 * @throws InputException for a bad design or data of the wrong shape
	 * @throws CancellationException if canceled
	 */
	public static SiteRegressionFit fit(final FeatureMatrix data, final Design design,
		final String refBatch, final Progress progress, final BooleanSupplier canceled)
	{
		return fit(data, design, refBatch, false, progress, canceled);
	}

	/**
	 * As {@link #fit(FeatureMatrix, Design, String, Progress, BooleanSupplier)}; with
	 * {@code missingValues}, non-finite cells are missing: each feature is fitted on its
	 * non-missing subjects (as {@link ComBatOptions#missingValues()}), alpha still weighs the site
	 * levels by the full site sizes, and missing cells stay missing.
	 */
	public static SiteRegressionFit fit(final FeatureMatrix data, final Design design,
		final String refBatch, final boolean missingValues, final Progress progress,
		final BooleanSupplier canceled)
	{
		return fit(data, design, refBatch, missingValues ? OlsMean.onNonMissing(1)
			: OlsMean.COMPLETE, progress, canceled);
	}

	/**
	 * The site adjustment on any mean model: its site columns (one-hot, no reference coding) are
	 * the site levels gamma, and alpha is the model's site-size weighting of them or the
	 * reference site's level.
	 */
	static SiteRegressionFit fit(final FeatureMatrix data, final Design design,
		final String refBatch, final MeanModel model, final Progress progress,
		final BooleanSupplier canceled)
	{
		validate(design, refBatch);
		FactoredDesign.checkShape(data, "input", design.nSubjects(), -1);
		if ((long) design.nBatches() * data.nFeatures() > Integer.MAX_VALUE - 8)
			throw new InputException("Too many features (" + data.nFeatures() + ") for " +
				design.nBatches() + " sites in one run; split the mask.");
		// one-hot coding (no reference column of ones): gamma_i is site i's own level
		final FactoredDesign x = FactoredDesign.of(design, -1);
		final int ref = refBatch == null ? -1 : design.batchIndex(refBatch);
		final SiteRegressionFit f = new SiteRegressionFit(design, x, ref, data.nFeatures());
		final int n = x.n, k = x.nBatches, c = x.nCov, nf = f.nFeatures;
		final MeanModel.Fitter mean = model instanceof OlsMean ? ((OlsMean) model).fitter(x) : model
			.fitter(design, -1);
		VoxelBlocks.forEachBlock(nf, progress, canceled, (block, from, to) -> {
			final int chunk = Math.min(ComBat.CHUNK, to - from);
			final FeatureChunk w = new FeatureChunk(n, mean.nColumns(), k, f.status, chunk,
				false);
			for (int v0 = from; v0 < to; v0 += chunk) {
				final int len = Math.min(chunk, to - v0);
				mean.fit(w.read(data, v0, len));
				// alpha: the mean model's site-size weighting, or the reference site's level
				for (int v = 0; v < len; v++) {
					final boolean ok = w.ok(v);
					for (int q = 0; q < k; q++)
						f.gamma[q * nf + v0 + v] = ok ? w.coef[q * len + v] : Double.NaN;
					f.alpha[v0 + v] = !ok ? Double.NaN : ref >= 0 ? w.coef[ref * len + v]
						: w.location[v];
					for (int q = 0; q < c; q++)
						f.betaHat[q * nf + v0 + v] = ok ? w.coef[(k + q) * len + v] : Double.NaN;
				}
			}
		});
		for (final byte s : f.status)
			f.counts[s]++;
		return f;
	}
}

// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * ComBat harmonisation (Johnson, Li and Rabinovic 2007; Fortin et al. 2017/2018 for imaging),
 * numerically the algorithm of R's sva::ComBat 3.46, with neuroCombat's {@code eb = False}
 * option ({@link EmpiricalBayes#NONE}).
 * <p>
 * Differences from sva, all deliberate: features that are not finite in some subject are left
 * unchanged, unless {@link ComBatOptions#missingValues()} asks for sva's missing-value path
 * ({@link MissingValues}: each feature fitted on its non-missing subjects, missing cells left
 * missing); a site with one subject is an error unless
 * mean-only is asked for (sva silently switches every site to mean-only); non-parametric
 * likelihoods are combined in log space, so large sites give finite values where sva returns NaN.
 * <p>
 * Fitting reads the data once, in blocks of {@link VoxelBlocks#BLOCK} features, forming per-site
 * sufficient statistics ({@link SiteSums}; the rare degenerate features are re-read by a two-pass
 * path); the empirical-Bayes steps then work on per-site estimates only, O(V K) per iteration
 * (parametric) and O(V^2 K) with O(1) per pair (non-parametric). Per-feature work is independent
 * and cross-feature sums are combined in block order, so the result has the same bits for any
 * thread count. Memory: about (2 + C + 4 K) doubles per feature for K sites and C covariate
 * columns, besides the data.
 */
public final class ComBat {

	/** Features per scratch chunk inside a block: N x CHUNK doubles stay cache-friendly. */
	static final int CHUNK = 256;

	private ComBat() {}

	/**
	 * Checks a design and options before any data are read.
	 *
	 * @throws InputException listing every problem: fewer than 2 sites, a site without subjects,
	 *           a site with 1 subject (unless mean-only), a reference site that is not a level, a
	 *           constant or non-finite covariate, covariates confounded with site or with each
	 *           other (naming the columns involved)
	 */
	public static void validate(final Design design, final ComBatOptions o) {
		final List<String> problems = FactoredDesign.problems(design, o.refBatch(), o.meanOnly() ? 1
			: 2, "ComBat needs at least 2 per site for a variance. Merge or exclude that site, " +
				"or use mean-only.");
		InputException.throwIfAny("The ComBat design has " + problems.size() + " problems:",
			problems);
	}

	/**
	 * Fits ComBat to {@code data}; {@link ComBatFit#apply} then harmonises it.
	 *
	 * @param data subjects in the design's order, by features
	 * @param progress told about once per block of each stage
	 * @param canceled polled once per block
	 * @throws InputException for a bad design (see {@link #validate}), data of the wrong shape, or
	 *           empirical Bayes with fewer than 2 usable features
	 * @throws CancellationException if canceled
	 */
	public static ComBatFit fit(final FeatureMatrix data, final Design design, final ComBatOptions o,
		final Progress progress, final BooleanSupplier canceled)
	{
		return fit(data, design, o, progress, canceled, true);
	}

	/**
	 * As {@link #fit(FeatureMatrix, Design, ComBatOptions, Progress, BooleanSupplier)}; with
	 * {@code onePass} false every feature takes the two-pass path (for tests).
	 */
	static ComBatFit fit(final FeatureMatrix data, final Design design, final ComBatOptions o,
		final Progress progress, final BooleanSupplier canceled, final boolean onePass)
	{
		return fit(data, design, o, OlsMean.COMPLETE, PooledVariance.INSTANCE, progress, canceled,
			onePass);
	}

	/**
	 * ComBat with the given mean and scale models: the first pass fits them feature by feature
	 * and gives the standardised site means and variances; the empirical-Bayes steps and the
	 * adjustment are the same for every model. OLS with the pooled variance, today's models,
	 * take the one-pass path ({@link SiteSums}) unless {@code onePass} is false, and the
	 * missing-value path when the options ask for it.
	 *
	 * @throws IllegalArgumentException if missing values are asked for with other models
	 */
	static ComBatFit fit(final FeatureMatrix data, final Design design, final ComBatOptions o,
		final MeanModel meanModel, final ScaleModel scaleModel, final Progress progress,
		final BooleanSupplier canceled, final boolean onePass)
	{
		validate(design, o);
		FactoredDesign.checkShape(data, "input", design.nSubjects(), -1);
		if ((long) design.nBatches() * data.nFeatures() > Integer.MAX_VALUE - 8)
			throw new InputException("Too many features (" + data.nFeatures() + ") for " +
				design.nBatches() + " sites in one run; split the mask.");
		final int ref = o.refBatch() == null ? -1 : design.batchIndex(o.refBatch());
		final FactoredDesign x = FactoredDesign.of(design, ref);
		final boolean linear = meanModel == OlsMean.COMPLETE &&
			scaleModel == PooledVariance.INSTANCE;
		if (o.missingValues() && !linear) throw new IllegalArgumentException(
			"missing values are fitted only with OLS and the pooled variance, not " + meanModel
				.name() + " and " + scaleModel.name());
		final ComBatFit f = new ComBatFit(design, o, x, linear ? OlsMean.COMPLETE.fitter(x)
			: meanModel.fitter(design, ref), linear ? PooledVariance.INSTANCE.fitter(x.batch,
				x.batchSize, ref) : scaleModel.fitter(design, ref), data.nFeatures());
		final int nb = VoxelBlocks.nBlocks(f.nFeatures);
		final int stages = 1 + x.nBatches;
		if (o.missingValues()) MissingValues.firstPass(data, f, stage(progress, 0, stages, nb),
			canceled);
		else if (onePass && linear) SiteSums.firstPass(data, f, stage(progress, 0, stages, nb), canceled);
		else exactFirstPass(data, f, stage(progress, 0, stages, nb), canceled);
		for (final byte s : f.status)
			f.counts[s]++;
		final long kept = f.counts[0];
		if (o.eb() != EmpiricalBayes.NONE && kept == 1) throw new InputException(
			"Only 1 feature can be harmonised (the others are constant or not finite); " +
				"empirical Bayes needs at least 2. Use eb=none.");
		final boolean[] use = new boolean[f.nFeatures];
		for (int v = 0; v < f.nFeatures; v++)
			use[v] = f.status[v] == 0;
		// the priors of every site (reported whatever the mode), then gamma* and delta*
		final SiteEmpiricalBayes[] sites = new SiteEmpiricalBayes[x.nBatches];
		for (int k = 0; k < x.nBatches; k++) {
			sites[k] = new SiteEmpiricalBayes(f.nFeatures, f.gammaHat, f.sampleVar, k * f.nFeatures,
				use, x.batchSize[k], f.nonMissing);
			sites[k].priors(o.meanOnly(), canceled);
			f.gammaBar[k] = sites[k].gammaBar;
			f.tau2[k] = sites[k].tau2;
			f.aPrior[k] = sites[k].aPrior;
			f.bPrior[k] = sites[k].bPrior;
		}
		for (int k = 0; k < x.nBatches; k++) {
			final Progress p = stage(progress, 1 + k, stages, nb);
			if (kept == 0 || k == ref) fill(f, k, 0, 1);
			else {
				sites[k].estimate(o.eb(), o.meanOnly(), f.gammaStar, f.deltaStar, k * f.nFeatures, p,
					canceled);
				f.iterations[k] = sites[k].iterations;
			}
			p.update(nb, nb);
		}
		return f;
	}

	// -- Helper methods --

	private static Progress stage(final Progress p, final int stage, final int stages,
		final int nb)
	{
		return (done, total) -> p.update((long) stage * nb + done, (long) stages * nb);
	}

	/**
	 * The first pass through the fit's mean and scale models, for features [from, to): screening
	 * and the mean model's coefficients, the scale model's sigma^2 from the residuals, the
	 * standardised data z = (y - standardisation mean) / sigma and its site means and variances
	 * (two-pass). Used for every feature when the models have no one-pass form, and by
	 * {@link SiteSums} for the features whose sums are degenerate or lose too many bits.
	 */
	static void exactPass(final FeatureMatrix data, final ComBatFit f, final int from,
		final int to)
	{
		final FactoredDesign x = f.x;
		final int n = x.n, k = x.nBatches, c = x.nCov, nf = f.nFeatures;
		final int chunk = Math.min(CHUNK, to - from);
		final FeatureChunk w = new FeatureChunk(n, f.mean.nColumns(), k, f.status, chunk, true);
		final double[] sum = new double[k * chunk], ss = new double[k * chunk];
		for (int v0 = from; v0 < to; v0 += chunk) {
			final int len = Math.min(chunk, to - v0);
			w.read(data, v0, len);
			f.mean.fit(w);
			f.mean.residuals(w);
			f.scale.fit(w);
			f.mean.means(w);
			for (int v = 0; v < len; v++) {
				f.grandMean[v0 + v] = w.location[v];
				f.varPooled[v0 + v] = w.var[v];
			}
			for (int q = 0; q < c; q++)
				System.arraycopy(w.coef, (k + q) * len, f.betaHat, q * nf + v0, len);
			standardisedMoments(w, x, sum, ss);
			for (int v = 0; v < len; v++) {
				final boolean ok = w.ok(v);
				if (!ok) {
					f.grandMean[v0 + v] = Double.NaN;
					f.varPooled[v0 + v] = Double.NaN;
					for (int q = 0; q < c; q++)
						f.betaHat[q * nf + v0 + v] = Double.NaN;
				}
				for (int q = 0; q < k; q++) {
					final int i = q * nf + v0 + v;
					f.gammaHat[i] = ok ? sum[q * len + v] : Double.NaN;
					f.sampleVar[i] = !ok ? Double.NaN : x.batchSize[q] > 1 ? ss[q * len + v] /
						(x.batchSize[q] - 1) : 0;
				}
			}
		}
	}

	/**
	 * The standardised data z = (y - mean) / sqrt(var), in place of the chunk's y, and per site
	 * the mean of z into {@code sum[k * len + v]} and the sum of squared deviations from it
	 * (two-pass) into {@code ss[k * len + v]}.
	 */
	private static void standardisedMoments(final FeatureChunk w, final FactoredDesign x,
		final double[] sum, final double[] ss)
	{
		final int n = x.n, k = x.nBatches, len = w.len;
		final double[] sd = new double[len];
		for (int v = 0; v < len; v++)
			sd[v] = Math.sqrt(w.var[v]);
		Arrays.fill(sum, 0, k * len, 0);
		for (int j = 0; j < n; j++) {
			final int row = j * len, so = x.batch[j] * len;
			for (int v = 0; v < len; v++) {
				final double z = (w.y[row + v] - w.mean[row + v]) / sd[v];
				w.y[row + v] = z;
				sum[so + v] += z;
			}
		}
		for (int q = 0; q < k; q++)
			for (int v = 0; v < len; v++)
				sum[q * len + v] /= x.batchSize[q];
		Arrays.fill(ss, 0, k * len, 0);
		for (int j = 0; j < n; j++) {
			final int row = j * len, so = x.batch[j] * len;
			for (int v = 0; v < len; v++) {
				final double d = w.y[row + v] - sum[so + v];
				ss[so + v] += d * d;
			}
		}
	}

	/** The whole first pass on the exact path (tests compare it with {@link SiteSums}). */
	private static void exactFirstPass(final FeatureMatrix data, final ComBatFit f,
		final Progress progress, final BooleanSupplier canceled)
	{
		VoxelBlocks.forEachBlock(f.nFeatures, progress, canceled, (block, from, to) -> exactPass(
			data, f, from, to));
	}

	/** gamma* = g, delta* = d for every feature of batch k (skipped features get NaN). */
	private static void fill(final ComBatFit f, final int k, final double g, final double d) {
		for (int v = 0; v < f.nFeatures; v++) {
			final boolean ok = f.status[v] == 0;
			f.gammaStar[k * f.nFeatures + v] = ok ? g : Double.NaN;
			f.deltaStar[k * f.nFeatures + v] = ok ? d : Double.NaN;
		}
	}
}

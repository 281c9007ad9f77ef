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
		validate(design, o);
		FactoredDesign.checkShape(data, "input", design.nSubjects(), -1);
		if ((long) design.nBatches() * data.nFeatures() > Integer.MAX_VALUE - 8)
			throw new InputException("Too many features (" + data.nFeatures() + ") for " +
				design.nBatches() + " sites in one run; split the mask.");
		final int ref = o.refBatch() == null ? -1 : design.batchIndex(o.refBatch());
		final FactoredDesign x = FactoredDesign.of(design, ref);
		final ComBatFit f = new ComBatFit(design, o, x, data.nFeatures());
		final int nb = VoxelBlocks.nBlocks(f.nFeatures);
		final int stages = 1 + x.nBatches;
		if (o.missingValues()) MissingValues.firstPass(data, f, stage(progress, 0, stages, nb),
			canceled);
		else if (onePass) SiteSums.firstPass(data, f, stage(progress, 0, stages, nb), canceled);
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
	 * The first pass without sufficient statistics, for features [from, to): screening,
	 * B-hat = proj y, grand mean, pooled variance (two-pass), the standardised data
	 * z = (y - stand.mean) / sqrt(var.pooled) and its batch means and variances (two-pass). Used by
	 * {@link SiteSums} for the features whose sums are degenerate or lose too many bits.
	 */
	static void exactPass(final FeatureMatrix data, final ComBatFit f, final int from,
		final int to)
	{
		final FactoredDesign x = f.x;
		final int n = x.n, k = x.nBatches, c = x.nCov, p = x.p, ref = x.ref, nf = f.nFeatures;
		final double nVar = ref >= 0 ? x.batchSize[ref] : n;
		final int chunk = Math.min(CHUNK, to - from);
		final double[] y = new double[n * chunk];
		final double[] b = new double[p * chunk];
		final double[] acc = new double[chunk];
		final double[] sm = new double[chunk];
		final double[] sum = new double[k * chunk];
		for (int v0 = from; v0 < to; v0 += chunk) {
			final int len = Math.min(chunk, to - v0);
			x.gather(data, v0, len, y);
			x.screen(y, len, f.status, v0);
			x.solve(y, len, b);
			// var.pooled: mean squared residual (over the reference batch with one)
			Arrays.fill(acc, 0);
			for (int j = 0; j < n; j++) {
				if (ref >= 0 && x.batch[j] != ref) continue;
				System.arraycopy(y, j * len, sm, 0, len);
				for (int q = 0; q < p; q++) {
					final double xq = x.x[j * p + q];
					if (xq == 0) continue;
					for (int v = 0; v < len; v++)
						sm[v] -= xq * b[q * len + v];
				}
				for (int v = 0; v < len; v++)
					acc[v] += sm[v] * sm[v];
			}
			for (int v = 0; v < len; v++) {
				double g = 0;
				for (int q = 0; q < k; q++)
					g += x.grandWeights[q] * b[q * len + v];
				f.grandMean[v0 + v] = g;
				f.varPooled[v0 + v] = acc[v] / nVar;
				acc[v] = Math.sqrt(acc[v] / nVar);
			}
			for (int q = 0; q < c; q++)
				System.arraycopy(b, (k + q) * len, f.betaHat, q * nf + v0, len);
			// z in place of y, and the batch sums of z
			Arrays.fill(sum, 0);
			for (int j = 0; j < n; j++) {
				for (int v = 0; v < len; v++)
					sm[v] = f.grandMean[v0 + v];
				for (int q = 0; q < c; q++) {
					final double xq = x.x[j * p + k + q];
					for (int v = 0; v < len; v++)
						sm[v] += xq * b[(k + q) * len + v];
				}
				final int row = j * len, so = x.batch[j] * len;
				for (int v = 0; v < len; v++) {
					final double z = (y[row + v] - sm[v]) / acc[v];
					y[row + v] = z;
					sum[so + v] += z;
				}
			}
			for (int q = 0; q < k; q++)
				for (int v = 0; v < len; v++)
					sum[q * len + v] /= x.batchSize[q];
			// two-pass within-batch variance (ddof 1)
			Arrays.fill(b, 0, k * len, 0);
			for (int j = 0; j < n; j++) {
				final int row = j * len, so = x.batch[j] * len;
				for (int v = 0; v < len; v++) {
					final double d = y[row + v] - sum[so + v];
					b[so + v] += d * d;
				}
			}
			for (int v = 0; v < len; v++) {
				final boolean ok = f.status[v0 + v] == 0;
				if (!ok) {
					f.grandMean[v0 + v] = Double.NaN;
					f.varPooled[v0 + v] = Double.NaN;
					for (int q = 0; q < c; q++)
						f.betaHat[q * nf + v0 + v] = Double.NaN;
				}
				for (int q = 0; q < k; q++) {
					final int i = q * nf + v0 + v;
					f.gammaHat[i] = ok ? sum[q * len + v] : Double.NaN;
					f.sampleVar[i] = !ok ? Double.NaN : x.batchSize[q] > 1 ? b[q * len + v] /
						(x.batchSize[q] - 1) : 0;
				}
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

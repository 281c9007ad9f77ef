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

	/** sva {@code it.sol}'s convergence threshold {@code conv = .0001}. */
	static final double CONV = 1e-4;

	/** Safety stop for {@code it.sol}, which has no cap in sva; never reached in practice. */
	static final int MAX_ITERATIONS = 100_000;

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
		priors(f, canceled);
		for (int k = 0; k < x.nBatches; k++) {
			final Progress p = stage(progress, 1 + k, stages, nb);
			if (kept == 0 || k == ref) {
				fill(f, k, 0, 1);
				p.update(nb, nb);
				continue;
			}
			if (o.eb() == EmpiricalBayes.NONE) noEb(f, k);
			else if (o.eb() == EmpiricalBayes.PARAMETRIC) {
				if (o.meanOnly()) meanOnlyParametric(f, k);
				else iterate(f, k, canceled);
			}
			else nonParametric(f, k, p, canceled);
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

	/**
	 * Priors per batch over the harmonised features (sva {@code gamma.bar}, {@code t2},
	 * {@code aprior}, {@code bprior}): two passes (means, then squared deviations), with
	 * per-block partial sums added in block order.
	 */
	private static void priors(final ComBatFit f, final BooleanSupplier canceled) {
		final int k = f.x.nBatches, nf = f.nFeatures, nb = VoxelBlocks.nBlocks(nf);
		final boolean meanOnly = f.options.meanOnly();
		final long kept = f.counts[0];
		final double[] mg = new double[k], md = new double[k];
		final double[] part = new double[nb * 2 * k];
		for (int pass = 0; pass < 2; pass++) {
			final int ps = pass;
			Arrays.fill(part, 0);
			VoxelBlocks.forEachBlock(nf, Progress.NONE, canceled, (block, from, to) -> {
				for (int q = 0; q < k; q++) {
					double sg = 0, sd = 0;
					for (int v = from; v < to; v++) {
						if (f.status[v] != 0) continue;
						final double g = f.gammaHat[q * nf + v], d = f.sampleVar[q * nf + v];
						if (ps == 0) {
							sg += g;
							sd += d;
						}
						else {
							sg += (g - mg[q]) * (g - mg[q]);
							sd += (d - md[q]) * (d - md[q]);
						}
					}
					part[(block * k + q) * 2] = sg;
					part[(block * k + q) * 2 + 1] = sd;
				}
			});
			for (int q = 0; q < k; q++) {
				double sg = 0, sd = 0;
				for (int block = 0; block < nb; block++) {
					sg += part[(block * k + q) * 2];
					sd += part[(block * k + q) * 2 + 1];
				}
				if (ps == 0) {
					mg[q] = sg / kept;
					md[q] = sd / kept;
				}
				else {
					f.gammaBar[q] = mg[q];
					f.tau2[q] = sg / (kept - 1);
					final double m = md[q], s2 = sd / (kept - 1);
					f.aPrior[q] = meanOnly ? Double.NaN : (2 * s2 + m * m) / s2;
					f.bPrior[q] = meanOnly ? Double.NaN : (m * s2 + m * m * m) / s2;
				}
			}
		}
	}

	/** gamma* = g, delta* = d for every feature of batch k (skipped features get NaN). */
	private static void fill(final ComBatFit f, final int k, final double g, final double d) {
		for (int v = 0; v < f.nFeatures; v++) {
			final boolean ok = f.status[v] == 0;
			f.gammaStar[k * f.nFeatures + v] = ok ? g : Double.NaN;
			f.deltaStar[k * f.nFeatures + v] = ok ? d : Double.NaN;
		}
	}

	/** neuroCombat {@code eb = False}: gamma* = gamma-hat, delta* = delta-hat^2. */
	private static void noEb(final ComBatFit f, final int k) {
		for (int v = 0; v < f.nFeatures; v++) {
			final int i = k * f.nFeatures + v;
			f.gammaStar[i] = f.gammaHat[i];
			f.deltaStar[i] = f.status[v] != 0 ? Double.NaN : f.options.meanOnly() ? 1 : f.sampleVar[i];
		}
	}

	/** sva: {@code postmean(gamma.hat, gamma.bar, 1, 1, t2)}, delta* = 1. */
	private static void meanOnlyParametric(final ComBatFit f, final int k) {
		final double t2 = f.tau2[k], gb = f.gammaBar[k];
		for (int v = 0; v < f.nFeatures; v++) {
			final int i = k * f.nFeatures + v;
			f.gammaStar[i] = (t2 * f.gammaHat[i] + gb) / (t2 + 1);
			f.deltaStar[i] = f.status[v] != 0 ? Double.NaN : 1;
		}
	}

	/**
	 * sva {@code it.sol}: from (gamma-hat, delta-hat^2), repeat
	 * gamma_new = (n t2 gamma-hat + d_old gamma-bar) / (n t2 + d_old),
	 * d_new = (sum2 / 2 + b) / (n / 2 + a - 1) with sum2 = sum_j (z_j - gamma_new)^2, until
	 * max over all features of (|g_new - g_old| / g_old, |d_new - d_old| / d_old) <= 1e-4 (the
	 * ratio itself is not made absolute, as in sva). All features of the batch iterate in
	 * lockstep, so each runs exactly as many sweeps as in sva. sum2 comes from sufficient
	 * statistics: sum_j (z_j - g)^2 = (n - 1) s^2 + n (z-bar - g)^2.
	 */
	private static void iterate(final ComBatFit f, final int k, final BooleanSupplier canceled) {
		final int nf = f.nFeatures, nb = VoxelBlocks.nBlocks(nf), off = k * nf;
		final double nk = f.x.batchSize[k], t2 = f.tau2[k], gb = f.gammaBar[k];
		final double a = f.aPrior[k], b = f.bPrior[k];
		final double[] g = f.gammaStar, d = f.deltaStar;
		final int[] nm = f.nonMissing;
		for (int v = 0; v < nf; v++) {
			g[off + v] = f.gammaHat[off + v];
			d[off + v] = f.sampleVar[off + v];
		}
		final double[] change = new double[nb];
		int count = 0;
		double max;
		do {
			if (canceled.getAsBoolean()) throw new CancellationException();
			VoxelBlocks.forEachBlock(nf, Progress.NONE, canceled, (block, from, to) -> {
				double m = Double.NEGATIVE_INFINITY;
				for (int v = from; v < to; v++) {
					if (f.status[v] != 0) continue;
					final int i = off + v;
					final double n = nm == null ? nk : nm[i];
					final double gh = f.gammaHat[i], gOld = g[i], dOld = d[i];
					final double gNew = (t2 * n * gh + dOld * gb) / (t2 * n + dOld);
					final double dev = gh - gNew;
					final double sum2 = (n - 1) * f.sampleVar[i] + n * dev * dev;
					final double dNew = (0.5 * sum2 + b) / (n / 2 + a - 1);
					final double cg = Math.abs(gNew - gOld) / gOld;
					final double cd = Math.abs(dNew - dOld) / dOld;
					// 0/0 (no change at zero) would stop sva with an error; count it as converged
					if (cg > m) m = cg;
					if (cd > m) m = cd;
					g[i] = gNew;
					d[i] = dNew;
				}
				change[block] = m;
			});
			max = Double.NEGATIVE_INFINITY;
			for (final double c : change)
				max = Math.max(max, c);
			count++;
		}
		while (max > CONV && count < MAX_ITERATIONS);
		f.iterations[k] = count;
	}

	/**
	 * sva {@code int.eprior}: for each feature i, weights over every other harmonised feature j,
	 * LH_ij = (2 pi d_j)^(-n/2) exp(-sum_s (z_is - g_j)^2 / (2 d_j)); gamma*_i = sum g_j LH_ij /
	 * sum LH_ij, delta*_i = sum d_j LH_ij / sum LH_ij (leave-one-out, j != i, as sva).
	 * <p>
	 * O(1) per pair instead of sva's O(n): with the per-feature sums S1_i = sum_s z'_is = n g'_i
	 * and S2_i = sum_s z'_is^2 = (n - 1) s_i^2 + n g'_i^2 of the data shifted by a constant c
	 * (z' = z - c, g' = g - c; c = mean of gamma-hat, so that the expanded square does not
	 * cancel), log LH_ij = n P_j + S1_i B_j + S2_i C_j with P_j = -log(2 pi d_j) / 2 -
	 * g'_j^2 / (2 d_j), B_j = g'_j / d_j, C_j = -1 / (2 d_j): three multiply-adds, in a loop C2
	 * vectorises, which also finds the maximum M_i. The weights are exp(log LH_ij - M_i), so they
	 * never underflow to 0/0 (sva returns NaN for sites of about 550 subjects or more).
	 * <p>
	 * Differences log LH_ij - M_i below -T, T = 40 + ln(m) for m features, are raised to -T: the
	 * largest weight is 1, so the sum is at least 1, and the fewer than m clamped weights add at
	 * most m e^-T = e^-40 (4e-18) relative to it, below half an ulp; the same bound holds for the
	 * g- and d-weighted sums relative to max |g| and max d. Then every weight lies in
	 * [e^-64, 1] and comes from a vectorised exponential ({@link #expShifted}).
	 * <p>
	 * Parallel over i in fixed blocks (same bits for any thread count), progress once per block,
	 * cancel polled every 64 features. In mean-only mode d = 1 and delta* = 1.
	 */
	private static void nonParametric(final ComBatFit f, final int k, final Progress progress,
		final BooleanSupplier canceled)
	{
		final int nf = f.nFeatures, off = k * nf;
		final boolean meanOnly = f.options.meanOnly();
		final double nk = f.x.batchSize[k];
		final int m = (int) f.counts[0];
		final int[] idx = new int[m];
		final double[] g = new double[m], d = new double[m];
		int i0 = 0;
		double gSum = 0;
		for (int v = 0; v < nf; v++)
			if (f.status[v] == 0) {
				idx[i0] = v;
				g[i0] = f.gammaHat[off + v];
				d[i0] = meanOnly ? 1 : f.sampleVar[off + v];
				gSum += g[i0];
				i0++;
			}
		for (int v = 0; v < nf; v++)
			if (f.status[v] != 0) {
				f.gammaStar[off + v] = Double.NaN;
				f.deltaStar[off + v] = Double.NaN;
			}
		final double shift = gSum / m;
		final double[] pj = new double[m], bj = new double[m], cj = new double[m];
		for (int j = 0; j < m; j++) {
			final double gj = g[j] - shift, w = 1 / (2 * d[j]);
			pj[j] = -0.5 * Math.log(2 * Math.PI * d[j]) - gj * gj * w;
			bj[j] = gj / d[j];
			cj[j] = -w;
		}
		final double cut = 40 + Math.log(m);
		VoxelBlocks.forEachBlock(m, progress, canceled, (block, from, to) -> {
			final double[] l = new double[m], e = new double[m];
			for (int i = from; i < to; i++) {
				if ((i & 63) == 0 && canceled.getAsBoolean()) throw new CancellationException();
				// sva: n is the feature's own number of non-missing values
				final double n = f.nonMissing == null ? nk : f.nonMissing[off + idx[i]];
				final double gi = g[i] - shift;
				final double s1 = n * gi;
				final double s2 = (n - 1) * f.sampleVar[off + idx[i]] + n * gi * gi;
				for (int j = 0; j < m; j++)
					l[j] = n * pj[j] + s1 * bj[j] + s2 * cj[j];
				l[i] = Double.NEGATIVE_INFINITY;
				double max = Double.NEGATIVE_INFINITY;
				for (int j = 0; j < m; j++)
					max = Math.max(max, l[j]);
				expShifted(l, max, cut, e, m);
				e[i] = 0;
				// four partial sums per quantity: independent add chains, fixed order
				double s0 = 0, s1_ = 0, s2_ = 0, s3 = 0, g0 = 0, g1 = 0, g2 = 0, g3 = 0;
				double d0 = 0, d1 = 0, d2 = 0, d3 = 0;
				int j = 0;
				for (; j + 3 < m; j += 4) {
					final double w0 = e[j], w1 = e[j + 1], w2 = e[j + 2], w3 = e[j + 3];
					s0 += w0;
					s1_ += w1;
					s2_ += w2;
					s3 += w3;
					g0 += g[j] * w0;
					g1 += g[j + 1] * w1;
					g2 += g[j + 2] * w2;
					g3 += g[j + 3] * w3;
					d0 += d[j] * w0;
					d1 += d[j + 1] * w1;
					d2 += d[j + 2] * w2;
					d3 += d[j + 3] * w3;
				}
				for (; j < m; j++) {
					s0 += e[j];
					g0 += g[j] * e[j];
					d0 += d[j] * e[j];
				}
				final double s = (s0 + s1_) + (s2_ + s3);
				final double sg = (g0 + g1) + (g2 + g3);
				final double sd = (d0 + d1) + (d2 + d3);
				f.gammaStar[off + idx[i]] = sg / s;
				f.deltaStar[off + idx[i]] = meanOnly ? 1 : sd / s;
			}
		});
	}

	/** 1 / k! for k = 0..18 (18! < 2^53 is exact, so each is correctly rounded). */
	private static final double[] INV_FACTORIAL = new double[19];

	static {
		double f = 1;
		for (int k = 0; k <= 18; k++) {
			if (k > 0) f *= k;
			INV_FACTORIAL[k] = 1 / f;
		}
	}

	private static final double F0 = INV_FACTORIAL[0], F1 = INV_FACTORIAL[1],
		F2 = INV_FACTORIAL[2], F3 = INV_FACTORIAL[3], F4 = INV_FACTORIAL[4], F5 = INV_FACTORIAL[5],
		F6 = INV_FACTORIAL[6], F7 = INV_FACTORIAL[7], F8 = INV_FACTORIAL[8], F9 = INV_FACTORIAL[9],
		F10 = INV_FACTORIAL[10], F11 = INV_FACTORIAL[11], F12 = INV_FACTORIAL[12],
		F13 = INV_FACTORIAL[13], F14 = INV_FACTORIAL[14], F15 = INV_FACTORIAL[15],
		F16 = INV_FACTORIAL[16], F17 = INV_FACTORIAL[17], F18 = INV_FACTORIAL[18];

	/**
	 * {@code e[j] = exp(max(l[j] - max, -cut))} for j in [0, m), cut at most 64, with plain
	 * multiply-adds so that C2 vectorises it (Math.exp is a scalar call): u = x / 64 in [-1, 0]
	 * (exact), e^u by its Taylor polynomial of degree 18 (remainder below 1 / 19! = 8e-18), then
	 * six squarings. The relative error is at most about 64 times that of the polynomial plus 32
	 * ulp of the squarings: 3e-14 measured over [-61.5, 0]. That is below the rounding of the
	 * log-likelihoods themselves (absolute ~1e-13 for values around -1000, i.e. the same relative
	 * error in the weights), and changes gamma* by at most 3e-14 of the spread of gamma-hat.
	 * Two loops, because one would exceed C2's unrolling budget and stay scalar.
	 */
	static void expShifted(final double[] l, final double max, final double cut, final double[] e,
		final int m)
	{
		for (int j = 0; j < m; j++) {
			final double u = Math.max(l[j] - max, -cut) * 0x1p-6;
			double p = F18;
			p = p * u + F17;
			p = p * u + F16;
			p = p * u + F15;
			p = p * u + F14;
			p = p * u + F13;
			p = p * u + F12;
			p = p * u + F11;
			p = p * u + F10;
			p = p * u + F9;
			e[j] = p;
		}
		for (int j = 0; j < m; j++) {
			final double u = Math.max(l[j] - max, -cut) * 0x1p-6;
			double p = e[j];
			p = p * u + F8;
			p = p * u + F7;
			p = p * u + F6;
			p = p * u + F5;
			p = p * u + F4;
			p = p * u + F3;
			p = p * u + F2;
			p = p * u + F1;
			p = p * u + F0;
			p *= p;
			p *= p;
			p *= p;
			p *= p;
			p *= p;
			p *= p;
			e[j] = p;
		}
	}
}

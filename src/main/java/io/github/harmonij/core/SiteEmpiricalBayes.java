// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

import com.sun.management.HotSpotDiagnosticMXBean;

/**
 * Empirical Bayes for one site, as sva computes it: the priors over the site's usable features,
 * then gamma* and delta* by {@code it.sol} (parametric), {@code postmean} (mean-only) or
 * {@code int.eprior} (non-parametric). One implementation for {@link ComBat#fit} (each site in
 * turn) and {@link SiteAddition} (a new site against a frozen model). Package-private.
 * <p>
 * The inputs are a site's gamma-hat and delta-hat^2 ({@code gh}, {@code s2} at
 * {@code [off + v]} for feature v), which features are usable, and the number of subjects per
 * feature (the site size, or sva's per-feature count of non-missing values). Results are written
 * for the usable features only (except where said), so callers decide what the others get.
 * Deterministic: per-block partial sums are combined in block order.
 */
final class SiteEmpiricalBayes {

	/** sva {@code it.sol}'s convergence threshold {@code conv = .0001}. */
	static final double CONV = 1e-4;

	/** Safety stop for {@code it.sol}, which has no cap in sva; never reached in practice. */
	static final int MAX_ITERATIONS = 100_000;

	private final int nf, off;

	private final double[] gh, s2;

	private final boolean[] use;

	private final long kept;

	private final double n;

	private final int[] nonMissing;

	/** sva {@code gamma.bar}, {@code t2}, {@code a.prior}, {@code b.prior} (after {@link #priors}) */
	double gammaBar, tau2, aPrior, bPrior;

	/** sweeps of {@code it.sol} (after {@link #parametric}) */
	int iterations;

	/**
	 * @param use which of the {@code nf} features take part (at least 2 for the priors)
	 * @param n the site's size
	 * @param nonMissing per-feature counts at {@code [off + v]} used instead of n, or null
	 */
	SiteEmpiricalBayes(final int nf, final double[] gh, final double[] s2, final int off,
		final boolean[] use, final double n, final int[] nonMissing)
	{
		this.nf = nf;
		this.gh = gh;
		this.s2 = s2;
		this.off = off;
		this.use = use;
		this.n = n;
		this.nonMissing = nonMissing;
		long k = 0;
		for (int v = 0; v < nf; v++)
			if (use[v]) k++;
		kept = k;
	}

	/**
	 * sva's priors over the usable features: gamma-bar and tau^2 (mean and variance of
	 * gamma-hat), and from the mean m and variance s^2 of delta-hat^2,
	 * a = (2 s^2 + m^2) / s^2, b = (m s^2 + m^3) / s^2 (NaN in mean-only mode). Two passes
	 * (means, then squared deviations).
	 */
	void priors(final boolean meanOnly, final BooleanSupplier canceled) {
		final int nb = VoxelBlocks.nBlocks(nf);
		final double[] part = new double[2 * nb];
		double mg = 0, md = 0;
		for (int pass = 0; pass < 2; pass++) {
			final boolean deviations = pass == 1;
			final double cg = mg, cd = md;
			VoxelBlocks.forEachBlock(nf, Progress.NONE, canceled, (block, from, to) -> {
				double sg = 0, sd = 0;
				for (int v = from; v < to; v++) {
					if (!use[v]) continue;
					final double g = gh[off + v], d = s2[off + v];
					if (!deviations) {
						sg += g;
						sd += d;
					}
					else {
						sg += (g - cg) * (g - cg);
						sd += (d - cd) * (d - cd);
					}
				}
				part[2 * block] = sg;
				part[2 * block + 1] = sd;
			});
			double sg = 0, sd = 0;
			for (int block = 0; block < nb; block++) {
				sg += part[2 * block];
				sd += part[2 * block + 1];
			}
			if (!deviations) {
				mg = sg / kept;
				md = sd / kept;
			}
			else {
				gammaBar = mg;
				tau2 = sg / (kept - 1);
				final double m = md, v2 = sd / (kept - 1);
				aPrior = meanOnly ? Double.NaN : (2 * v2 + m * m) / v2;
				bPrior = meanOnly ? Double.NaN : (m * v2 + m * m * m) / v2;
			}
		}
	}

	/**
	 * gamma* and delta* at {@code [gdOff + v]} in the given mode, after {@link #priors} (except
	 * for NONE): the estimates themselves (NONE: gamma-hat, and delta-hat^2 or 1 in mean-only
	 * mode), {@code postmean} (mean-only), {@code int.eprior} (non-parametric) or {@code it.sol}
	 * (parametric, which sets {@link #iterations}). Features that are not usable get NaN.
	 */
	void estimate(final EmpiricalBayes mode, final boolean meanOnly, final double[] g,
		final double[] d, final int gdOff, final Progress progress, final BooleanSupplier canceled)
	{
		if (mode == EmpiricalBayes.PARAMETRIC && !meanOnly) {
			parametric(g, d, gdOff, canceled);
			return;
		}
		for (int v = 0; v < nf; v++) {
			g[gdOff + v] = Double.NaN;
			d[gdOff + v] = Double.NaN;
		}
		if (mode == EmpiricalBayes.NONPARAMETRIC) {
			nonParametric(meanOnly, g, d, gdOff, progress, canceled);
			return;
		}
		for (int v = 0; v < nf; v++)
			if (use[v]) {
				final double gh1 = gh[off + v];
				g[gdOff + v] = mode == EmpiricalBayes.NONE ? gh1 : postMean(gh1);
				d[gdOff + v] = meanOnly ? 1 : s2[off + v];
			}
	}

	/** sva {@code postmean(gamma.hat, gamma.bar, 1, 1, t2)}: the mean-only gamma* of a gamma-hat. */
	double postMean(final double gammaHat) {
		return (tau2 * gammaHat + gammaBar) / (tau2 + 1);
	}

	/**
	 * sva {@code it.sol}: from (gamma-hat, delta-hat^2), repeat
	 * gamma_new = (n t2 gamma-hat + d_old gamma-bar) / (n t2 + d_old),
	 * d_new = (sum2 / 2 + b) / (n / 2 + a - 1) with sum2 = sum_j (z_j - gamma_new)^2, until
	 * max over all usable features of (|g_new - g_old| / g_old, |d_new - d_old| / d_old) <= 1e-4
	 * (the ratio itself is not made absolute, as in sva). All features iterate in lockstep, so
	 * each runs exactly as many sweeps as in sva. sum2 comes from sufficient statistics:
	 * sum_j (z_j - g)^2 = (n - 1) s^2 + n (z-bar - g)^2. {@code g} and {@code d} at
	 * {@code [gdOff + v]} start as (gamma-hat, delta-hat^2) for every feature.
	 */
	void parametric(final double[] g, final double[] d, final int gdOff,
		final BooleanSupplier canceled)
	{
		final int nb = VoxelBlocks.nBlocks(nf);
		final double t2 = tau2, gb = gammaBar, a = aPrior, b = bPrior;
		for (int v = 0; v < nf; v++) {
			g[gdOff + v] = gh[off + v];
			d[gdOff + v] = s2[off + v];
		}
		final boolean[] changed = new boolean[nb];
		int count = 0;
		boolean again;
		do {
			if (canceled.getAsBoolean()) throw new CancellationException();
			VoxelBlocks.forEachBlock(nf, Progress.NONE, canceled, (block, from, to) -> {
				// whether some feature of the block changed by more than CONV: once one has, the
				// changes of the others (two divisions each) are not needed
				boolean moved = false;
				for (int v = from; v < to; v++) {
					if (!use[v]) continue;
					final int i = off + v, o = gdOff + v;
					final double nv = nonMissing == null ? n : nonMissing[i];
					final double ghv = gh[i], gOld = g[o], dOld = d[o];
					final double gNew = (t2 * nv * ghv + dOld * gb) / (t2 * nv + dOld);
					final double dev = ghv - gNew;
					final double sum2 = (nv - 1) * s2[i] + nv * dev * dev;
					final double dNew = (0.5 * sum2 + b) / (nv / 2 + a - 1);
					// 0/0 (no change at zero) would stop sva with an error; count it as converged
					if (!moved) moved = Math.abs(gNew - gOld) / gOld > CONV || Math.abs(dNew - dOld) /
						dOld > CONV;
					g[o] = gNew;
					d[o] = dNew;
				}
				changed[block] = moved;
			});
			again = false;
			for (final boolean c : changed)
				again |= c;
			count++;
		}
		while (again && count < MAX_ITERATIONS);
		iterations = count;
	}

	/**
	 * sva {@code int.eprior}: for each usable feature i, weights over every other usable feature
	 * j, LH_ij = (2 pi d_j)^(-n/2) exp(-sum_s (z_is - g_j)^2 / (2 d_j)); gamma*_i = sum g_j LH_ij
	 * / sum LH_ij, delta*_i = sum d_j LH_ij / sum LH_ij (leave-one-out, j != i, as sva).
	 * <p>
	 * O(1) per pair instead of sva's O(n): with the per-feature sums S1_i = sum_s z'_is = n g'_i
	 * and S2_i = sum_s z'_is^2 = (n - 1) s_i^2 + n g'_i^2 of the data shifted by a constant c
	 * (z' = z - c, g' = g - c; c = mean of gamma-hat, so that the expanded square does not
	 * cancel), log LH_ij = n P_j + S1_i B_j + S2_i C_j with P_j = -log(2 pi d_j) / 2 -
	 * g'_j^2 / (2 d_j), B_j = g'_j / d_j, C_j = -1 / (2 d_j): three multiply-adds, in a loop C2
	 * vectorises, then the maximum M_i in a second one. The weights are exp(log LH_ij - M_i), so they
	 * never underflow to 0/0 (sva returns NaN for sites of about 550 subjects or more).
	 * <p>
	 * Differences log LH_ij - M_i below -T, T = 40 + ln(m) for m features, are raised to -T: the
	 * largest weight is 1, so the sum is at least 1, and the fewer than m clamped weights add at
	 * most m e^-T = e^-40 (4e-18) relative to it, below half an ulp; the same bound holds for the
	 * g- and d-weighted sums relative to max |g| and max d. Then every weight lies in
	 * [e^-64, 1] and comes from a vectorised exponential ({@link #expShifted}).
	 * <p>
	 * Parallel over i in fixed blocks (same bits for any thread count), progress once per block,
	 * cancel polled every 64 features. In mean-only mode d = 1 and delta* = 1. Writes gamma* and
	 * delta* of the usable features at {@code [gdOff + v]}.
	 */
	void nonParametric(final boolean meanOnly, final double[] gs, final double[] ds,
		final int gdOff, final Progress progress, final BooleanSupplier canceled)
	{
		final int m = (int) kept;
		final int[] idx = new int[m];
		final double[] g = new double[m], d = new double[m];
		int i0 = 0;
		double gSum = 0;
		for (int v = 0; v < nf; v++)
			if (use[v]) {
				idx[i0] = v;
				g[i0] = gh[off + v];
				d[i0] = meanOnly ? 1 : s2[off + v];
				gSum += g[i0];
				i0++;
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
				final double ni = nonMissing == null ? n : nonMissing[off + idx[i]];
				final double gi = g[i] - shift;
				final double s1 = ni * gi;
				final double s2i = (ni - 1) * s2[off + idx[i]] + ni * gi * gi;
				for (int j = 0; j < m; j++)
					l[j] = madd(s2i, cj[j], madd(s1, bj[j], ni * pj[j], FMA), FMA);
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
				gs[gdOff + idx[i]] = sg / s;
				ds[gdOff + idx[i]] = meanOnly ? 1 : sd / s;
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
	 * Two loops, because one would exceed C2's unrolling budget and stay scalar. Where the machine
	 * has fused multiply-adds ({@link #FMA}) the polynomial uses them: about 20% faster, and one
	 * rounding a step instead of two (the results differ from the plain version by about 1e-14
	 * relative; both are checked against Math.exp).
	 */
	static void expShifted(final double[] l, final double max, final double cut, final double[] e,
		final int m)
	{
		expShiftedFor(l, max, cut, e, m, FMA);
	}

	/** {@link #expShifted} with fused multiply-adds or with a multiply and an add a step. */
	static void expShiftedFor(final double[] l, final double max, final double cut,
		final double[] e, final int m, final boolean fma)
	{
		for (int j = 0; j < m; j++) {
			final double u = Math.max(l[j] - max, -cut) * 0x1p-6;
			double p = F18;
			p = madd(p, u, F17, fma);
			p = madd(p, u, F16, fma);
			p = madd(p, u, F15, fma);
			p = madd(p, u, F14, fma);
			p = madd(p, u, F13, fma);
			p = madd(p, u, F12, fma);
			p = madd(p, u, F11, fma);
			p = madd(p, u, F10, fma);
			p = madd(p, u, F9, fma);
			e[j] = p;
		}
		for (int j = 0; j < m; j++) {
			final double u = Math.max(l[j] - max, -cut) * 0x1p-6;
			double p = e[j];
			p = madd(p, u, F8, fma);
			p = madd(p, u, F7, fma);
			p = madd(p, u, F6, fma);
			p = madd(p, u, F5, fma);
			p = madd(p, u, F4, fma);
			p = madd(p, u, F3, fma);
			p = madd(p, u, F2, fma);
			p = madd(p, u, F1, fma);
			p = madd(p, u, F0, fma);
			p *= p;
			p *= p;
			p *= p;
			p *= p;
			p *= p;
			p *= p;
			e[j] = p;
		}
	}

	/** a b + c, in one rounding with {@code fma} (the test is loop-invariant: C2 unswitches it). */
	private static double madd(final double a, final double b, final double c, final boolean fma) {
		return fma ? Math.fma(a, b, c) : a * b + c;
	}

	/**
	 * Whether {@link Math#fma} is a machine instruction here (HotSpot's {@code UseFMA}). Where it
	 * is not, it is a software routine a hundred times slower than a multiply and an add, so the
	 * kernels use those instead. On a JVM that does not say, false.
	 */
	static final boolean FMA = fmaInHardware();

	private static boolean fmaInHardware() {
		try {
			final HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(
				HotSpotDiagnosticMXBean.class);
			return vm != null && "true".equals(vm.getVMOption("UseFMA").getValue());
		}
		catch (final RuntimeException | LinkageError e) {
			return false;
		}
	}
}

// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * The first pass of {@link ComBat#fit} (no missing values) from per-site sufficient statistics,
 * reading every value once. Package-private.
 * <p>
 * For feature v and site k with subjects j in k, values are shifted by the site's first value
 * {@code r_k} ({@code d_j = y_j - r_k}), and accumulated in double, subject-outer and
 * feature-inner over contiguous runs of {@link #CHUNK} features:
 * {@code S_k = sum d_j}, {@code Q_k = sum d_j^2}, {@code G_kc = sum xc_jc d_j}, where
 * {@code xc_jc = x_jc - xbar_kc} are the covariates centred within their site. Shifting by a
 * per-site constant leaves the fit exact in exact arithmetic, because the site one-hot columns
 * (or, with a reference, the column of ones and the other sites' columns) span every per-site
 * constant: the covariate coefficients and residuals are unchanged and each site level moves by
 * {@code r_k}. It also removes the cancellation of {@code Q - S^2 / n} for features with a large
 * mean (volumes 3000 +- 400, T1 intensities 1000 +- 5), and makes screening exact: a site is
 * constant if and only if {@code Q_k = 0}.
 * <p>
 * From the sums (the least-squares normal equations of X = [sites | covariates], eliminated for
 * the site columns):
 * <ul>
 * <li>beta = W^-1 sum_k G_k, the pooled within-site regression with W = sum_k W_k,
 * {@code W_k = sum_(j in k) xc_j xc_j'} (formed once, {@link FactoredDesign#gramSite});</li>
 * <li>site level {@code B_k = r_k + S_k / n_k - xbar_k beta}, grand mean
 * {@code alpha = sum_k w_k B_k} (w_k = n_k / N, or 1 at the reference);</li>
 * <li>residual sum of squares of site k (residuals have zero mean in every site)
 * {@code R_k = (Q_k - S_k^2 / n_k) - 2 beta' G_k + beta' W_k beta}; sigma^2 = sum_k R_k / N, or
 * R_ref / n_ref with a reference (sva {@code var.pooled});</li>
 * <li>gamma-hat_k = (B_k - alpha) / sigma, delta-hat^2_k = R_k / (sigma^2 (n_k - 1)).</li>
 * </ul>
 * A feature whose sums are not finite, that has a site with {@code Q_k = 0}, or where either
 * subtraction loses more than {@link #MAX_CANCELLATION} bits (a site's first value far from its
 * mean, or covariates explaining nearly all of a site's variance) is recomputed by the exact
 * two-pass path ({@link ComBat#exactPass}), which also screens it. Such features are rare
 * (constant or non-finite voxels outside the brain); the rest cost O(K (2 + C)) per value.
 */
final class SiteSums {

	/**
	 * Features per run inside a block: four rows and the site's 3 + C runs of doubles stay in L2 (1024:
	 * about 8% faster than 2048 or 512 on one core here).
	 */
	static final int CHUNK = 1024;

	/**
	 * A subtraction {@code a - b} keeping less than 2^-10 of {@code a} is redone exactly: the
	 * relative rounding error of the result stays below 1024 ulp of the inputs (about 2e-13),
	 * and in practice no feature with non-degenerate data comes near it.
	 */
	static final double MAX_CANCELLATION = 0x1p-10;

	private SiteSums() {}

	static void firstPass(final FeatureMatrix data, final ComBatFit f, final Progress progress,
		final BooleanSupplier canceled)
	{
		final FactoredDesign x = f.x;
		final int k = x.nBatches, c = x.nCov, nf = f.nFeatures;
		final int[][] members = HarmonisationModel.members(x.batch, k);
		final double[] xc = x.xc;
		VoxelBlocks.forEachBlock(nf, progress, canceled, (block, from, to) -> {
			final int chunk = Math.min(CHUNK, to - from);
			final double[][] y = new double[GROUP][chunk];
			// one array per site (and covariate): C2 vectorises the fused loop over them
			final double[][] r = new double[k][chunk], s = new double[k][chunk];
			final double[][] q = new double[k][chunk], g = new double[k * c][chunk];
			final Scratch w = new Scratch(k, c);
			final int[] redo = new int[to - from];
			int nRedo = 0;
			for (int v0 = from; v0 < to; v0 += chunk) {
				final int len = Math.min(chunk, to - v0);
				for (int b = 0; b < k; b++) {
					Arrays.fill(s[b], 0);
					Arrays.fill(q[b], 0);
				}
				for (final double[] gb : g)
					Arrays.fill(gb, 0);
				for (int b = 0; b < k; b++) {
					final int[] js = members[b];
					data.get(js[0], v0, v0 + len, r[b], 0); // the shift; its d = 0
					for (int i = 1; i < js.length; i += GROUP) {
						final int m = Math.min(GROUP, js.length - i);
						// the reads the adjustment makes too (so that they are compiled by then)
						if (m == GROUP) data.get(js[i], js[i + 1], js[i + 2], js[i + 3], v0, v0 + len,
							y[0], y[1], y[2], y[3]);
						else for (int u = 0; u < m; u++)
							data.get(js[i + u], v0, v0 + len, y[u], 0);
						for (int u = 0; u < m; u++)
							shift(y[u], r[b], len);
						accumulate(y, m, js, i, len, s[b], q[b], g, b * c, c, xc);
					}
				}
				for (int v = 0; v < len; v++)
					if (!finish(f, v0 + v, v, r, s, q, g, w)) redo[nRedo++] = v0 + v;
			}
			// runs of consecutive features (constant voxels outside the brain come in runs)
			for (int i = 0; i < nRedo;) {
				int e = i + 1;
				while (e < nRedo && redo[e] == redo[e - 1] + 1)
					e++;
				ComBat.exactPass(data, f, redo[i], redo[e - 1] + 1);
				i = e;
			}
		});
	}

	/** Subjects per call of {@link #accumulate}: their sums are added in registers. */
	static final int GROUP = 4;

	/**
	 * For the {@code m <= GROUP} subjects {@code js[i ...]} of one site, with differences
	 * d = y - r in {@code y[0 .. m)}: s += d; q += d^2; g_c += xc_c d over [0, len). Each
	 * accumulator is loaded and stored once per group of four and its terms are added one subject
	 * after the other ({@code s = ((s + d0) + d1) + ...}), so the sums are those of the
	 * subject-by-subject loop, bit for bit, whatever the grouping. One small loop per sum, so that
	 * C2 unrolls (and so vectorises) each: it does not unroll a loop beyond a few dozen nodes.
	 */
	private static void accumulate(final double[][] y, final int m, final int[] js, final int i,
		final int len, final double[] s, final double[] q, final double[][] g, final int go,
		final int c, final double[] xc)
	{
		if (m == GROUP) {
			final double[] y0 = y[0], y1 = y[1], y2 = y[2], y3 = y[3];
			for (int v = 0; v < len; v++)
				s[v] = s[v] + y0[v] + y1[v] + y2[v] + y3[v];
			for (int v = 0; v < len; v++)
				q[v] = q[v] + y0[v] * y0[v] + y1[v] * y1[v] + y2[v] * y2[v] + y3[v] * y3[v];
			final int j0 = js[i] * c, j1 = js[i + 1] * c, j2 = js[i + 2] * c, j3 = js[i + 3] * c;
			for (int cc = 0; cc < c; cc++)
				cross4(y0, y1, y2, y3, g[go + cc], len, xc[j0 + cc], xc[j1 + cc], xc[j2 + cc], xc[j3 +
					cc]);
			return;
		}
		for (int u = 0; u < m; u++) {
			final double[] d = y[u];
			for (int v = 0; v < len; v++)
				s[v] += d[v];
			for (int v = 0; v < len; v++)
				q[v] += d[v] * d[v];
			final int j = js[i + u] * c;
			for (int cc = 0; cc < c; cc++) {
				final double a = xc[j + cc];
				final double[] gc = g[go + cc];
				for (int v = 0; v < len; v++)
					gc[v] += a * d[v];
			}
		}
	}

	/** d = y - r over [0, len), in place. */
	private static void shift(final double[] y, final double[] r, final int len) {
		for (int v = 0; v < len; v++)
			y[v] -= r[v];
	}

	private static void cross4(final double[] d0, final double[] d1, final double[] d2,
		final double[] d3, final double[] g, final int len, final double a0, final double a1,
		final double a2, final double a3)
	{
		for (int v = 0; v < len; v++)
			g[v] = g[v] + a0 * d0[v] + a1 * d1[v] + a2 * d2[v] + a3 * d3[v];
	}

	// -- Helper methods --

	/** Per-thread scratch for {@link #finish}. */
	private static final class Scratch {

		final double[] ss, rs, m, gt, beta;

		Scratch(final int k, final int c) {
			ss = new double[k];
			rs = new double[k];
			m = new double[k];
			gt = new double[c];
			beta = new double[c];
		}
	}

	/**
	 * Estimates of feature {@code fv} (run offset {@code v}) from its sums.
	 *
	 * @return false if the feature needs the exact path
	 */
	private static boolean finish(final ComBatFit f, final int fv, final int v,
		final double[][] r, final double[][] s, final double[][] q, final double[][] g,
		final Scratch w)
	{
		final FactoredDesign x = f.x;
		final int k = x.nBatches, c = x.nCov, nf = f.nFeatures, ref = x.ref;
		final int[] size = x.batchSize;
		boolean varies = false;
		for (int b = 0; b < k; b++) {
			final double qb = q[b][v], sb = s[b][v];
			if (!Double.isFinite(qb) || !Double.isFinite(sb) || !Double.isFinite(r[b][v]))
				return false;
			if (size[b] < 2) {
				w.ss[b] = 0;
				continue;
			}
			if (qb == 0) return false; // constant in this site (or an underflowed square)
			varies = true;
			w.ss[b] = qb - sb * sb / size[b];
			if (!(w.ss[b] > MAX_CANCELLATION * qb)) return false;
		}
		if (!varies) return false;
		// beta = W^-1 sum_k G_k
		for (int cc = 0; cc < c; cc++) {
			double t = 0;
			for (int b = 0; b < k; b++)
				t += g[b * c + cc][v];
			w.gt[cc] = t;
		}
		for (int cc = 0; cc < c; cc++) {
			double t = 0;
			for (int e = 0; e < c; e++)
				t += x.gramInv[cc * c + e] * w.gt[e];
			w.beta[cc] = t;
		}
		// R_k = SS_k - 2 beta' G_k + beta' W_k beta
		double rss = 0, alphaR = 0, alphaM = 0;
		for (int b = 0; b < k; b++) {
			double bg = 0, bwb = 0, xb = 0;
			for (int cc = 0; cc < c; cc++) {
				bg += w.beta[cc] * g[b * c + cc][v];
				double wb = 0;
				for (int e = 0; e < c; e++)
					wb += x.gramSite[(b * c + cc) * c + e] * w.beta[e];
				bwb += w.beta[cc] * wb;
				xb += x.covMean[b * c + cc] * w.beta[cc];
			}
			final double cov = 2 * bg - bwb;
			final double rb = size[b] < 2 ? 0 : w.ss[b] - cov;
			if (size[b] >= 2 && !(rb > MAX_CANCELLATION * w.ss[b])) return false;
			w.rs[b] = rb;
			rss += rb;
			w.m[b] = s[b][v] / size[b] - xb;
			alphaR += x.grandWeights[b] * r[b][v];
			alphaM += x.grandWeights[b] * w.m[b];
		}
		final double var = ref >= 0 ? w.rs[ref] / size[ref] : rss / x.n;
		final double sd = Math.sqrt(var);
		if (!(sd > 0) || !Double.isFinite(var)) return false;
		f.status[fv] = 0;
		f.grandMean[fv] = alphaR + alphaM;
		f.varPooled[fv] = var;
		for (int cc = 0; cc < c; cc++)
			f.betaHat[cc * nf + fv] = w.beta[cc];
		for (int b = 0; b < k; b++) {
			final int i = b * nf + fv;
			f.gammaHat[i] = ((r[b][v] - alphaR) + (w.m[b] - alphaM)) / sd;
			f.sampleVar[i] = size[b] > 1 ? w.rs[b] / var / (size[b] - 1) : 0;
		}
		return true;
	}
}

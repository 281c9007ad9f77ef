// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * The part of a fitted harmonisation that is needed to harmonise subjects, the training subjects
 * or new ones: per feature v the location {@code alpha_v} (ComBat's grand mean, or the common site
 * level of the linear adjustment), the covariate coefficients {@code beta_cv}, per site k the
 * shift {@code gamma_kv} and, for ComBat, the pooled variance {@code sigma^2_v} and the scale
 * {@code delta_kv}.
 * <p>
 * For a subject j of site k with coded covariates {@code X_j} and value {@code y}:
 * <ul>
 * <li>ComBat (sva's adjustment step, with the subject's own covariates):
 * {@code m = alpha + X_j beta}, {@code z = (y - m) / sigma},
 * {@code y* = (z - gamma*_k) / sqrt(delta*_k) sigma + m};</li>
 * <li>linear site adjustment: {@code y* = y - (gamma_k - alpha)}.</li>
 * </ul>
 * Subjects of the reference site, features whose {@link #status} is not HARMONISED, and values
 * that are not finite (missing) are copied unchanged. Because the covariate effect
 * {@code X_j beta} is added back, a new subject keeps its own covariate effects (neuroHarmonize
 * before 2.5.0 and neuroCombatFromTraining drop them). Applying a model to the subjects it was
 * fitted on gives exactly the one-shot result: {@link HarmonisationFit#apply} runs this code.
 * <p>
 * Arrays are taken over, not copied: a caller must not change them afterwards. Immutable once
 * built and thread-safe.
 */
public final class HarmonisationModel {

	/** Which adjustment the parameters describe. */
	public enum Kind {
		/** ComBat location and scale (or location only with delta = 1). */
		COMBAT,
		/** Linear site adjustment: site levels only. */
		SITE_REGRESSION
	}

	/** Features per run inside a block: the per-site coefficients of a run stay in L2. */
	static final int CHUNK = 4096;

	private final Kind kind;

	private final String[] batchLevels;

	private final int ref;

	private final String[] covariateNames;

	private final int nFeatures;

	private final byte[] status;

	private final double[] location;

	private final double[] varPooled;

	private final double[] betaHat;

	private final double[] gamma;

	private final double[] delta;

	/**
	 * @param kind the adjustment
	 * @param batchLevels the sites the model knows, in model order
	 * @param ref index of the reference site in {@code batchLevels}, or -1
	 * @param covariateNames the coded covariate columns, in model order
	 * @param status a {@link FeatureStatus} ordinal per feature
	 * @param location {@code alpha[v]}
	 * @param varPooled {@code sigma^2[v]} (ComBat), or null
	 * @param betaHat {@code beta[c * V + v]}
	 * @param gamma {@code gamma*[k * V + v]} (ComBat) or the site level {@code gamma[k * V + v]}
	 * @param delta {@code delta*[k * V + v]} (ComBat), or null
	 * @throws IllegalArgumentException if the array lengths do not fit together
	 */
	public HarmonisationModel(final Kind kind, final String[] batchLevels, final int ref,
		final String[] covariateNames, final byte[] status, final double[] location,
		final double[] varPooled, final double[] betaHat, final double[] gamma,
		final double[] delta)
	{
		final int nf = status.length, k = batchLevels.length;
		final boolean combat = kind == Kind.COMBAT;
		if (location.length != nf || betaHat.length != (long) covariateNames.length * nf ||
			gamma.length != (long) k * nf || combat && (varPooled == null ||
				varPooled.length != nf || delta == null || delta.length != (long) k * nf) ||
			ref < -1 || ref >= k)
			throw new IllegalArgumentException("model arrays do not fit " + nf + " features, " + k +
				" sites and " + covariateNames.length + " covariate columns");
		this.kind = kind;
		this.batchLevels = batchLevels.clone();
		this.ref = ref;
		this.covariateNames = covariateNames.clone();
		this.nFeatures = nf;
		this.status = status;
		this.location = location;
		this.varPooled = combat ? varPooled : null;
		this.betaHat = betaHat;
		this.gamma = gamma;
		this.delta = combat ? delta : null;
	}

	public Kind kind() {
		return kind;
	}

	/** @return the sites the model knows, in model order */
	public String[] batchLevels() {
		return batchLevels.clone();
	}

	/** @return the reference site's index, or -1 */
	public int refBatch() {
		return ref;
	}

	/** @return the coded covariate columns ("age", "sex[M]", "age[ns1]"), in model order */
	public String[] covariateNames() {
		return covariateNames.clone();
	}

	public int nFeatures() {
		return nFeatures;
	}

	public int nBatches() {
		return batchLevels.length;
	}

	public FeatureStatus status(final int v) {
		return FeatureStatus.of(status[v]);
	}

	/** @return alpha_v (grand mean, or the common level); NaN if not harmonised */
	public double location(final int v) {
		return location[v];
	}

	/** @return sigma^2_v for ComBat; NaN for the linear adjustment */
	public double varPooled(final int v) {
		return varPooled == null ? Double.NaN : varPooled[v];
	}

	/** @return beta_cv of coded covariate column {@code c} */
	public double betaHat(final int c, final int v) {
		return betaHat[c * nFeatures + v];
	}

	/** @return gamma*_kv (ComBat) or the site level gamma_kv (linear adjustment) */
	public double gamma(final int k, final int v) {
		return gamma[k * nFeatures + v];
	}

	/** @return delta*_kv for ComBat; NaN for the linear adjustment */
	public double delta(final int k, final int v) {
		return delta == null ? Double.NaN : delta[k * nFeatures + v];
	}

	/**
	 * Harmonises subjects with their own design: each subject's site must be one of the model's
	 * (matched by name) and its covariate columns must be the model's, in the same order.
	 * Works block by block over features ({@link VoxelBlocks}); {@code out} may be {@code in}.
	 *
	 * @param design the subjects' sites and coded covariates (its level order does not matter)
	 * @throws InputException naming the subjects of sites the model was not fitted with, or if the
	 *           covariate columns or data shapes differ from the model's
	 * @throws CancellationException if canceled; {@code out} is then partly written
	 */
	public void apply(final Design design, final FeatureMatrix in, final FeatureMatrix out,
		final Progress progress, final BooleanSupplier canceled)
	{
		final int n = design.nSubjects();
		final int[] site = siteIndex(design);
		final double[] x = covariates(design);
		FactoredDesign.checkShape(in, "input", n, nFeatures);
		FactoredDesign.checkShape(out, "output", n, nFeatures);
		final int nb = batchLevels.length;
		final int[][] members = members(site, nb);
		VoxelBlocks.forEachBlock(nFeatures, progress, canceled, (block, from, to) -> {
			final int len = to - from;
			final double[][] y = new double[GROUP][len];
			final double[] y0 = new double[len];
			// per site: y* = y s + t + sum_c x_c e_c (see the derivation in coefficients())
			final double[] s = new double[len], t = new double[len];
			final int c = covariateNames.length, ce = kind == Kind.COMBAT ? c : 0;
			final double[][] e = new double[ce][len];
			final int[] skipped = new int[len];
			int nSkipped = 0;
			for (int v = 0; v < len; v++)
				if (status[from + v] != 0) skipped[nSkipped++] = v;
			// the subjects of each site in groups of four (read and written side by side)
			for (int b = 0; b < nb; b++) {
				final int[] js = members[b];
				if (js.length == 0) continue;
				final boolean adjusted = b != ref;
				if (adjusted) {
					coefficients(b, from, len, s, t, 0);
					if (ce > 0) slopes(from, len, s, 0, e, 0);
				}
				for (int i = 0; i < js.length; i += GROUP) {
					final int m = Math.min(GROUP, js.length - i);
					if (m == GROUP) in.get(js[i], js[i + 1], js[i + 2], js[i + 3], from, to, y[0], y[1],
						y[2], y[3]);
					else for (int u = 0; u < m; u++)
						in.get(js[i + u], from, to, y[u], 0);
					for (int u = 0; adjusted && u < m; u++)
						adjust(y[u], y0, len, s, t, 0, e, 0, x, js[i + u], skipped, nSkipped);
					if (m == GROUP) out.set(js[i], js[i + 1], js[i + 2], js[i + 3], from, to, y[0], y[1],
						y[2], y[3]);
					else for (int u = 0; u < m; u++)
						out.set(js[i + u], from, to, y[u], 0);
				}
			}
		});
	}

	/**
	 * The adjustment of the subjects of {@code design}, prepared for every feature at once
	 * ({@code 2 V} doubles per site used: half of what a ComBat fit holds per site; forming them
	 * again for every subject instead made the voxelwise adjustment 1.7 times slower): for
	 * harmonising whole rows one subject at a time, as the voxelwise commands do while they write
	 * each subject's images, and for a view of the harmonised data that is never stored. Gives
	 * the bits of {@link #apply}.
	 *
	 * @throws InputException as {@link #apply}
	 */
	public Adjustment adjustment(final Design design) {
		return new Adjustment(design);
	}

	/** See {@link HarmonisationModel#adjustment}. Immutable and thread-safe. */
	public final class Adjustment {

		private final int n;

		private final int[] site;

		private final double[] x;

		/** per model site: s and t for every feature, or null for sites not adjusted */
		private final double[][] s, t;

		private final int[] skipped;

		private final ThreadLocal<Work> work = ThreadLocal.withInitial(Work::new);

		private Adjustment(final Design design) {
			n = design.nSubjects();
			site = siteIndex(design);
			x = covariates(design);
			final boolean[] used = used(site);
			s = new double[batchLevels.length][];
			t = new double[batchLevels.length][];
			for (int b = 0; b < used.length; b++)
				if (used[b]) {
					s[b] = kind == Kind.COMBAT ? new double[nFeatures] : null;
					t[b] = new double[nFeatures];
					coefficients(b, 0, nFeatures, s[b], t[b], 0);
				}
			int k = 0;
			for (final byte st : status)
				if (st != 0) k++;
			skipped = new int[k];
			for (int v = 0, i = 0; v < nFeatures; v++)
				if (status[v] != 0) skipped[i++] = v;
		}

		public int nSubjects() {
			return n;
		}

		/**
		 * Harmonises subject {@code j}'s features {@code [from, from + len)}, held in {@code y},
		 * in place (as {@link HarmonisationModel#apply} computes them in double).
		 */
		public void adjust(final int j, final int from, final int len, final double[] y) {
			final int b = site[j];
			if (b == ref) return;
			final Work w = work.get().fit(len);
			final int lo = lowerBound(skipped, from), hi = lowerBound(skipped, from + len);
			for (int i = lo; i < hi; i++)
				w.skipped[i - lo] = skipped[i] - from;
			if (kind == Kind.COMBAT) slopes(from, len, s[b], from, w.e, 0);
			HarmonisationModel.this.adjust(y, w.y0, len, s[b], t[b], from, w.e, 0, x, j, w.skipped,
				hi - lo);
		}

		/**
		 * Subject {@code j}'s harmonised float32 row: {@code out[v]} is what {@link #apply} stores
		 * for the features of {@code in} (all {@link #nFeatures} of them). {@code out} may be
		 * {@code in}.
		 */
		public void adjustRow(final int j, final float[] in, final float[] out) {
			final double[] y = work.get().fit(CHUNK).y;
			for (int v0 = 0; v0 < nFeatures; v0 += CHUNK) {
				final int len = Math.min(CHUNK, nFeatures - v0);
				for (int v = 0; v < len; v++)
					y[v] = in[v0 + v];
				adjust(j, v0, len, y);
				for (int v = 0; v < len; v++)
					out[v0 + v] = (float) y[v];
			}
		}

		/**
		 * A read-only view of {@code in} harmonised on the fly, with the values a float32 matrix
		 * harmonised by {@link #apply} would hold (rounded to float32): for statistics on the
		 * harmonised data without storing it. {@code set} is refused.
		 */
		public FeatureMatrix view(final FeatureMatrix in) {
			FactoredDesign.checkShape(in, "input", n, nFeatures);
			return new FeatureMatrix() {

				@Override
				public int nSubjects() {
					return n;
				}

				@Override
				public int nFeatures() {
					return nFeatures;
				}

				@Override
				public void get(final int j, final int from, final int to, final double[] dst,
					final int offset)
				{
					// the thread's scratch row (adjust uses the others)
					final double[] y = offset == 0 ? dst : work.get().fit(to - from).y;
					in.get(j, from, to, y, 0);
					adjust(j, from, to - from, y);
					for (int v = 0; v < to - from; v++)
						dst[offset + v] = (float) y[v];
				}

				@Override
				public void set(final int j, final int from, final int to, final double[] src,
					final int offset)
				{
					throw new UnsupportedOperationException("a harmonised view is read-only");
				}
			};
		}

		/** Per-thread work arrays, grown to the longest run asked for. */
		private final class Work {

			double[] y = new double[0], y0 = new double[0];

			double[][] e = new double[covariateNames.length][0];

			int[] skipped = new int[0];

			Work fit(final int len) {
				if (y.length < len) {
					y = new double[len];
					y0 = new double[len];
					for (int q = 0; q < e.length; q++)
						e[q] = new double[len];
					skipped = new int[len];
				}
				return this;
			}
		}
	}

	// -- Helper methods --

	/** @return the first index i with {@code a[i] >= key} ({@code a} sorted) */
	private static int lowerBound(final int[] a, final int key) {
		int lo = 0, hi = a.length;
		while (lo < hi) {
			final int mid = (lo + hi) >>> 1;
			if (a[mid] < key) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	}

	/**
	 * One subject's run of {@code len} features in {@code y}: y* = y s + t + sum_c x_c e_c for
	 * ComBat, y + t for the linear adjustment, with s and t at {@code [so ...]} and e_c at
	 * {@code e[eo + c]}; the features at {@code y}-offsets {@code skipped[0 .. nSkipped)} keep
	 * their value.
	 */
	private void adjust(final double[] y, final double[] y0, final int len, final double[] s,
		final double[] t, final int so, final double[][] e, final int eo, final double[] x,
		final int j, final int[] skipped, final int nSkipped)
	{
		if (nSkipped > 0) System.arraycopy(y, 0, y0, 0, len);
		final int c = covariateNames.length;
		if (kind == Kind.COMBAT) combat(y, len, s, t, so, e, eo, c, x, j * c);
		else for (int v = 0; v < len; v++)
			y[v] += t[so + v];
		// not harmonised: copied (their parameters are NaN)
		for (int k = 0; k < nSkipped; k++)
			y[skipped[k]] = y0[skipped[k]];
	}

	/** @throws InputException naming both if the design's covariate columns are not the model's */
	void checkCovariates(final Design design) {
		if (!Arrays.equals(design.covariateNames(), covariateNames)) throw new InputException(
			"The subjects have covariate columns " + Arrays.toString(design.covariateNames()) +
				" but the model has " + Arrays.toString(covariateNames) + ". Give the covariates " +
				"the model was fitted with.");
	}

	/** The coded covariates, {@code x[j * C + c]}, after checking the columns are the model's. */
	double[] covariates(final Design design) {
		checkCovariates(design);
		final int n = design.nSubjects(), c = covariateNames.length;
		final double[] x = new double[n * c];
		for (int j = 0; j < n; j++)
			for (int q = 0; q < c; q++)
				x[j * c + q] = design.covariate(j, q);
		return x;
	}

	/** @return for each model site, whether a subject of it is adjusted (not the reference) */
	private boolean[] used(final int[] site) {
		final boolean[] used = new boolean[batchLevels.length];
		for (final int b : site)
			used[b] |= b != ref;
		return used;
	}

	/** Subjects read and written side by side. */
	private static final int GROUP = 4;

	/** The subjects of each site (site index per subject), in subject order. */
	static int[][] members(final int[] site, final int nb) {
		final int[] size = new int[nb];
		for (final int b : site)
			size[b]++;
		final int[][] m = new int[nb][];
		for (int b = 0; b < nb; b++)
			m[b] = new int[size[b]];
		final int[] fill = new int[nb];
		for (int j = 0; j < site.length; j++)
			m[site[j]][fill[site[j]]++] = j;
		return m;
	}

	/**
	 * y = ((y s + t) + x_0 e_0) + x_1 e_1 + ... over [0, len): one loop for up to two covariates
	 * (C2 vectorises it), the same order of operations for any number of covariates. s and t are
	 * at {@code [so ...]}, e_c at {@code e[eo + c][0 ...]}.
	 */
	private static void combat(final double[] y, final int len, final double[] s,
		final double[] t, final int so, final double[][] e, final int eo, final int c,
		final double[] x, final int xo)
	{
		if (c == 0) for (int v = 0; v < len; v++)
			y[v] = y[v] * s[so + v] + t[so + v];
		else if (c == 1) {
			final double x0 = x[xo];
			final double[] e0 = e[eo];
			for (int v = 0; v < len; v++)
				y[v] = y[v] * s[so + v] + t[so + v] + x0 * e0[v];
		}
		else {
			final double x0 = x[xo], x1 = x[xo + 1];
			final double[] e0 = e[eo], e1 = e[eo + 1];
			for (int v = 0; v < len; v++)
				y[v] = y[v] * s[so + v] + t[so + v] + x0 * e0[v] + x1 * e1[v];
			for (int q = 2; q < c; q++) {
				final double xq = x[xo + q];
				final double[] eq = e[eo + q];
				for (int v = 0; v < len; v++)
					y[v] += xq * eq[v];
			}
		}
	}

	/**
	 * e_c = beta_c (1 - s) for features [v0, v0 + len), s at {@code [so ...]}, into
	 * {@code e[eo + c][0 ...]}.
	 */
	private void slopes(final int v0, final int len, final double[] s, final int so,
		final double[][] e, final int eo)
	{
		for (int q = 0; q < covariateNames.length; q++) {
			final double[] eq = e[eo + q];
			final int bo = q * nFeatures + v0;
			for (int v = 0; v < len; v++)
				eq[v] = betaHat[bo + v] * (1 - s[so + v]);
		}
	}

	/**
	 * The per-feature coefficients of site {@code b} for features [v0, v0 + len), into
	 * {@code sb[off ...]} and {@code tb[off ...]}. For ComBat, with {@code m = alpha + X beta} and
	 * {@code s = 1 / sqrt(delta*)},
	 * {@code y* = ((y - m) / sigma - gamma*) s sigma + m = y s + m (1 - s) - gamma* sigma s}, so
	 * {@code t = alpha (1 - s) - gamma* sigma s} and {@code e_c = beta_c (1 - s)}; in mean-only
	 * mode s = 1, t = -gamma* sigma and e = 0. For the linear adjustment, s = 1 and
	 * {@code t = alpha - gamma} (s unused). Rounding differs from the unfused form by a few ulp of
	 * y, far below the float32 resolution of voxel data.
	 */
	private void coefficients(final int b, final int v0, final int len, final double[] sb,
		final double[] tb, final int off)
	{
		final int go = b * nFeatures + v0;
		if (kind != Kind.COMBAT) {
			for (int v = 0; v < len; v++)
				tb[off + v] = location[v0 + v] - gamma[go + v];
			return;
		}
		for (int v = 0; v < len; v++) {
			final double sv = 1 / Math.sqrt(delta[go + v]);
			sb[off + v] = sv;
			tb[off + v] = location[v0 + v] * (1 - sv) - gamma[go + v] * Math.sqrt(varPooled[v0 + v]) *
				sv;
		}
	}

	/** Model site index of each subject; every unknown site is reported with its subjects. */
	private int[] siteIndex(final Design design) {
		final int n = design.nSubjects();
		final int[] map = new int[design.nBatches()];
		for (int b = 0; b < map.length; b++)
			map[b] = Arrays.asList(batchLevels).indexOf(design.batchLevel(b));
		final List<String> problems = new ArrayList<>();
		for (int b = 0; b < map.length; b++) {
			if (map[b] >= 0) continue;
			final List<String> who = new ArrayList<>();
			for (int j = 0; j < n; j++)
				if (design.batch(j) == b) who.add(design.subjectId(j));
			if (!who.isEmpty()) problems.add("Site \"" + design.batchLevel(b) + "\" (" + (who
				.size() > 5 ? who.size() + " subjects, " + String.join(", ", who.subList(0, 5)) +
					", ..." : "subject" + (who.size() > 1 ? "s " : " ") + String.join(", ", who)) +
				") is not one of the sites the model was fitted with (" + FactoredDesign.quoteAll(
					batchLevels) + "). Harmonise only subjects of those sites, or add the site to " +
				"the model (see docs/models.md).");
		}
		InputException.throwIfAny(problems.size() + " sites are unknown to the model:", problems);
		final int[] site = new int[n];
		for (int j = 0; j < n; j++)
			site[j] = map[design.batch(j)];
		return site;
	}
}

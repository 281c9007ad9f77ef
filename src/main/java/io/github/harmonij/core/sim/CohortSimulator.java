// SPDX-License-Identifier: MIT
package io.github.harmonij.core.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A synthetic multi-site cohort of grey-matter maps built on a template's tissue probability map,
 * with known biology and known site effects.
 * <p>
 * Subject j (site i, age a, sex, group) has the site-free ("truth") image
 * <pre>
 * t_j(x) = gm(x) * (1 + AGE_SLOPE * (a - 70) + SEX_EFFECT * [male] + GROUP_EFFECT * [AD] * h(x))
 *          + NOISE_SD * sqrt(gm(x)) * e_j(x)
 * </pre>
 * where {@code h(x)} is a smooth weight centred on both hippocampi and {@code e_j(x)} is white
 * Gaussian noise. The scanner adds a site effect that varies smoothly in space,
 * {@code y_j(x) = t_j(x) * scale_i(x) + shift_i(x) * gm(x)}: an additive part (ComBat's gamma)
 * and a multiplicative part that also scales the variance (ComBat's delta). Voxels outside the
 * mask are 0. Everything is determined by the seed; subjects can be simulated in any order and on
 * any thread.
 */
public final class CohortSimulator {

	/** Relative grey-matter change per year of age (atrophy). */
	public static final double AGE_SLOPE = -0.004;

	/** Relative grey-matter difference of men (larger heads, unmodulated maps). */
	public static final double SEX_EFFECT = 0.02;

	/** Relative grey-matter loss of the AD group where {@code h(x) = 1}. */
	public static final double GROUP_EFFECT = -0.15;

	/** Noise standard deviation, times sqrt(gm). */
	public static final double NOISE_SD = 0.03;

	/** MNI coordinates (mm) of the left and right hippocampus, centres of the group effect. */
	private static final double[][] HIPPOCAMPI = { { -26, -22, -14 }, { 26, -22, -14 } };

	private static final double HIPPOCAMPUS_SIGMA_MM = 14;

	/** The template the cohort is built on: a GM probability map and a brain mask, one grid. */
	public static final class Template {

		final int nx, ny, nz;

		final float[] gm;

		final boolean[] mask;

		final double[][] affine;

		/**
		 * @param dims {nx, ny, nz}
		 * @param gm grey-matter probability (0..1), x fastest
		 * @param mask brain voxels
		 * @param affine 3x4 voxel-to-world (mm)
		 */
		public Template(final int[] dims, final float[] gm, final boolean[] mask,
			final double[][] affine)
		{
			this.nx = dims[0];
			this.ny = dims[1];
			this.nz = dims[2];
			if (gm.length != (long) nx * ny * nz || mask.length != gm.length)
				throw new IllegalArgumentException("template arrays do not match " + nx + "x" + ny + "x" +
					nz);
			this.gm = gm;
			this.mask = mask;
			this.affine = affine;
		}

		public int nVoxels() {
			return gm.length;
		}
	}

	/** One simulated subject's record (one row of cohort.csv). */
	public static final class Subject {

		public final String id;

		public final int site;

		public final String siteName;

		public final double age;

		public final String sex;

		public final String group;

		final long seed;

		Subject(final String id, final int site, final String siteName, final double age,
			final String sex, final String group, final long seed)
		{
			this.id = id;
			this.site = site;
			this.siteName = siteName;
			this.age = age;
			this.sex = sex;
			this.group = group;
			this.seed = seed;
		}
	}

	private final Template template;

	private final List<Subject> subjects;

	private final String[] siteNames;

	/** Site effects: shift_i(x) and scale_i(x), smooth in space. */
	private final SiteEffect[] siteEffects;

	/** Group-effect weight h(x), 0..1. */
	private final float[] hippocampalWeight;

	/**
	 * @param nSubjects at least 2 per site
	 * @param nSites 2 to 26 (named SiteA, SiteB, ...)
	 * @param seed everything follows from it
	 */
	public CohortSimulator(final Template template, final int nSubjects, final int nSites,
		final long seed)
	{
		if (nSites < 2 || nSites > 26) throw new IllegalArgumentException(
			"sites must be between 2 and 26, got " + nSites);
		if (nSubjects < 2 * nSites) throw new IllegalArgumentException("subjects (" + nSubjects +
			") must be at least 2 per site (" + 2 * nSites + ")");
		this.template = template;
		final SplittableRandom random = new SplittableRandom(seed);
		siteNames = new String[nSites];
		siteEffects = new SiteEffect[nSites];
		for (int i = 0; i < nSites; i++) {
			siteNames[i] = "Site" + (char) ('A' + i);
			siteEffects[i] = new SiteEffect(random.split());
		}
		subjects = Collections.unmodifiableList(makeSubjects(random.split(), nSubjects, nSites));
		hippocampalWeight = hippocampalWeight(template);
	}

	public List<Subject> subjects() {
		return subjects;
	}

	public String[] siteNames() {
		return siteNames.clone();
	}

	public Template template() {
		return template;
	}

	/**
	 * Simulates one subject.
	 *
	 * @param truth receives the site-free image (length = template voxels)
	 * @param observed receives the image with the site effect
	 */
	public void simulate(final int subject, final float[] truth, final float[] observed) {
		final Subject s = subjects.get(subject);
		final SplittableRandom noise = new SplittableRandom(s.seed);
		final double global = 1 + AGE_SLOPE * (s.age - 70) + (s.sex.equals("M") ? SEX_EFFECT : 0);
		final boolean ad = s.group.equals("AD");
		final SiteEffect site = siteEffects[s.site];
		final int nx = template.nx, ny = template.ny;
		final double[][] a = template.affine;
		for (int z = 0, v = 0; z < template.nz; z++)
			for (int y = 0; y < ny; y++)
				for (int x = 0; x < nx; x++, v++) {
					if (!template.mask[v]) {
						truth[v] = 0;
						observed[v] = 0;
						continue;
					}
					final double gm = template.gm[v];
					final double relative = global + (ad ? GROUP_EFFECT * hippocampalWeight[v] : 0);
					final double t = gm * relative + NOISE_SD * Math.sqrt(gm) * gaussian(noise);
					final double wx = a[0][0] * x + a[0][1] * y + a[0][2] * z + a[0][3];
					final double wy = a[1][0] * x + a[1][1] * y + a[1][2] * z + a[1][3];
					final double wz = a[2][0] * x + a[2][1] * y + a[2][2] * z + a[2][3];
					truth[v] = (float) t;
					observed[v] = (float) (t * site.scale(wx, wy, wz) + site.shift(wx, wy, wz) * gm);
				}
	}

	// -- Helper methods --

	private static float[] hippocampalWeight(final Template t) {
		final float[] h = new float[t.nVoxels()];
		final double s2 = 2 * HIPPOCAMPUS_SIGMA_MM * HIPPOCAMPUS_SIGMA_MM;
		final double[][] a = t.affine;
		for (int z = 0, v = 0; z < t.nz; z++)
			for (int y = 0; y < t.ny; y++)
				for (int x = 0; x < t.nx; x++, v++) {
					if (!t.mask[v]) continue;
					final double wx = a[0][0] * x + a[0][1] * y + a[0][2] * z + a[0][3];
					final double wy = a[1][0] * x + a[1][1] * y + a[1][2] * z + a[1][3];
					final double wz = a[2][0] * x + a[2][1] * y + a[2][2] * z + a[2][3];
					double w = 0;
					for (final double[] c : HIPPOCAMPI) {
						final double d2 = (wx - c[0]) * (wx - c[0]) + (wy - c[1]) * (wy - c[1]) + (wz -
							c[2]) * (wz - c[2]);
						w = Math.max(w, Math.exp(-d2 / s2));
					}
					h[v] = (float) w;
				}
		return h;
	}

	/**
	 * Ages, sexes and groups, with sites that differ in their age mix (as real sites do) but are
	 * never confounded with a covariate: every site has both sexes and both groups.
	 */
	private List<Subject> makeSubjects(final SplittableRandom random, final int n,
		final int nSites)
	{
		final List<Subject> list = new ArrayList<>(n);
		final double[] siteMeanAge = new double[nSites];
		for (int i = 0; i < nSites; i++)
			siteMeanAge[i] = 62 + 16.0 * i / Math.max(1, nSites - 1);
		final int width = String.valueOf(n).length() < 3 ? 3 : String.valueOf(n).length();
		for (int j = 0; j < n; j++) {
			final int site = j % nSites; // balanced, interleaved
			final int k = j / nSites; // index within the site
			final String sex = k % 2 == 0 ? "F" : "M";
			final String group = (k / 2) % 2 == 0 ? "CN" : "AD";
			double age = siteMeanAge[site] + 6 * gaussian(random);
			age = Math.max(45, Math.min(95, age));
			age = Math.round(age * 10) / 10.0;
			final String id = String.format("sub-%0" + width + "d", j + 1);
			list.add(new Subject(id, site, siteNames[site], age, sex, group, random.nextLong()));
		}
		return list;
	}

	/** Standard normal by Box-Muller (no caching, so the stream is simple to reproduce). */
	static double gaussian(final SplittableRandom r) {
		double u;
		do
			u = r.nextDouble();
		while (u == 0);
		return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
	}

	/**
	 * One site's smooth spatial effect: shift(x) = a0 + a . x / 100 mm, scale(x) = exp(b0 + b . x /
	 * 100 mm) with a few tenths of change across the brain.
	 */
	private static final class SiteEffect {

		private final double a0, b0;

		private final double[] a = new double[3], b = new double[3];

		SiteEffect(final SplittableRandom r) {
			a0 = 0.08 * gaussian(r);
			b0 = 0.3 * gaussian(r);
			for (int d = 0; d < 3; d++) {
				a[d] = 0.03 * gaussian(r);
				b[d] = 0.05 * gaussian(r);
			}
		}

		double shift(final double x, final double y, final double z) {
			return a0 + (a[0] * x + a[1] * y + a[2] * z) / 100;
		}

		double scale(final double x, final double y, final double z) {
			return Math.exp(b0 + (b[0] * x + b[1] * y + b[2] * z) / 100);
		}
	}
}

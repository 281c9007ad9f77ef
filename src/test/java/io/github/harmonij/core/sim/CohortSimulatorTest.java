// SPDX-License-Identifier: MIT
package io.github.harmonij.core.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class CohortSimulatorTest {

	/**
	 * The planted site effect must spread the site means at least this many times as much as the
	 * truth's own spread (sampling and the sites' age mix): measured 0.054 against 0.028.
	 */
	static final double SITE_EFFECT_OVER_TRUTH = 1.5;

	/** A 20x24x18 grid at 4 mm around the MNI origin, GM a smooth blob inside an ellipsoid mask. */
	static CohortSimulator.Template blobTemplate() {
		final int nx = 20, ny = 24, nz = 18;
		final float[] gm = new float[nx * ny * nz];
		final boolean[] mask = new boolean[gm.length];
		for (int z = 0, v = 0; z < nz; z++)
			for (int y = 0; y < ny; y++)
				for (int x = 0; x < nx; x++, v++) {
					final double dx = (x - nx / 2.0) / (nx / 2.0), dy = (y - ny / 2.0) / (ny / 2.0),
						dz = (z - nz / 2.0) / (nz / 2.0);
					final double r2 = dx * dx + dy * dy + dz * dz;
					mask[v] = r2 < 0.8;
					gm[v] = mask[v] ? (float) (0.2 + 0.6 * Math.exp(-r2 * 2)) : 0;
				}
		final double[][] affine = { { 4, 0, 0, -40 }, { 0, 4, 0, -48 }, { 0, 0, 4, -36 } };
		return new CohortSimulator.Template(new int[] { nx, ny, nz }, gm, mask, affine);
	}

	@Test
	void sameSeedSameCohortInAnyOrder() {
		final CohortSimulator a = new CohortSimulator(blobTemplate(), 12, 3, 7);
		final CohortSimulator b = new CohortSimulator(blobTemplate(), 12, 3, 7);
		final int n = a.template().nVoxels();
		final float[] ta = new float[n], oa = new float[n], tb = new float[n], ob = new float[n];
		b.simulate(3, tb, ob); // b simulates another subject first
		for (int j = 11; j >= 0; j--) {
			a.simulate(j, ta, oa);
			b.simulate(j, tb, ob);
			assertArrayEquals(ta, tb, "truth, subject " + j);
			assertArrayEquals(oa, ob, "observed, subject " + j);
		}
		final CohortSimulator c = new CohortSimulator(blobTemplate(), 12, 3, 8);
		c.simulate(0, tb, ob);
		a.simulate(0, ta, oa);
		final int centre = 10 + 20 * (12 + 24 * 9);
		assertTrue(ta[centre] > 0, "centre voxel is in the brain");
		assertNotEquals(ta[centre], tb[centre], "another seed gives other noise");
	}

	@Test
	void subjectsAreBalancedAndNotConfounded() {
		final CohortSimulator s = new CohortSimulator(blobTemplate(), 60, 3, 1);
		final List<CohortSimulator.Subject> subjects = s.subjects();
		assertEquals(60, subjects.size());
		final int[][] counts = new int[3][4]; // site x (F/M, CN/AD)
		for (final CohortSimulator.Subject sub : subjects) {
			counts[sub.site][sub.sex.equals("F") ? 0 : 1]++;
			counts[sub.site][sub.group.equals("CN") ? 2 : 3]++;
			assertTrue(sub.age >= 45 && sub.age <= 95, "age " + sub.age);
		}
		for (int i = 0; i < 3; i++)
			for (int k = 0; k < 4; k++)
				assertTrue(counts[i][k] >= 5, "site " + i + " category " + k + ": " + counts[i][k]);
	}

	@Test
	void truthHasNoSiteEffectAndObservedHasOne() {
		final CohortSimulator s = new CohortSimulator(blobTemplate(), 60, 3, 3);
		final int n = s.template().nVoxels();
		final float[] t = new float[n], o = new float[n];
		// per voxel and site: sums of the truth and of the site effect (observed minus truth)
		final double[][] truth = new double[3][n], effect = new double[3][n];
		final int[] count = new int[3];
		for (int j = 0; j < 60; j++) {
			s.simulate(j, t, o);
			final int site = s.subjects().get(j).site;
			for (int v = 0; v < n; v++)
				if (s.template().mask[v]) {
					truth[site][v] += t[v];
					effect[site][v] += o[v] - t[v];
				}
				else {
					assertEquals(0f, t[v]);
					assertEquals(0f, o[v]);
				}
			count[site]++;
		}
		// Mean over the mask of the spread (max - min) of the site means, voxel by voxel: the site
		// effect's is that of the planted shifts and scales; the truth's comes only from the
		// sites' age mix and the variation of 20 subjects a site (0.028 here, against 0.054).
		double truthSpread = 0, effectSpread = 0;
		int m = 0;
		for (int v = 0; v < n; v++) {
			if (!s.template().mask[v]) continue;
			truthSpread += spread(truth, count, v);
			effectSpread += spread(effect, count, v);
			m++;
		}
		truthSpread /= m;
		effectSpread /= m;
		assertTrue(effectSpread > SITE_EFFECT_OVER_TRUTH * truthSpread, "mean spread of the site " +
			"means over the mask: site effect " + effectSpread + ", truth " + truthSpread);
	}

	private static double spread(final double[][] sums, final int[] count, final int v) {
		double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
		for (int i = 0; i < sums.length; i++) {
			final double mean = sums[i][v] / count[i];
			lo = Math.min(lo, mean);
			hi = Math.max(hi, mean);
		}
		return hi - lo;
	}
}

// SPDX-License-Identifier: MIT
package io.github.harmonij.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the report says, from hand-written result folders: voxels for images, units, one rounding
 * rule, the command that adds missing site-effect tests, and box plot points that do not line up.
 */
class ReportTest {

	@TempDir
	Path tmp;

	@Test
	void voxelRunSaysVoxelsAndUnitsAndRoundsOneWay() throws IOException {
		final Path run = Files.createDirectories(tmp.resolve("run"));
		final Path evidence = Files.createDirectories(run.resolve("site_effects"));
		write(run.resolve("run.json"), "{\"method\": \"ComBat\"}");
		write(evidence.resolve("summary.csv"), "measure,before,after\n" +
			"site_percent_fdr_significant,95.44,0\nsite_median_F,177.5,0.02553\n" +
			"interest_percent_fdr_significant,77.33,78.83\ninterest_map_correlation,,0.99687\n" +
			"features,232219,232219\nq,0.05,0.05\ninterest,age,age\n");
		write(evidence.resolve("cohort.csv"), "site,n,age mean,age SD,sex=F\nA,10,62.32,7.4,5\n" +
			"B,12,60,19,6\n");
		write(run.resolve("summary.csv"), "site,n,mean_before,sd_before,mean_after,sd_after\n" +
			"A,10,0.59,0.3332,0.6192,0.35\n");
		final String html = Report.build(run);
		assertTrue(html.contains("95.4&nbsp;% of voxels before, 0.0&nbsp;% after"), html);
		assertTrue(html.contains("correlate at r = 0.997."), "r as in the table");
		for (final String cell : new String[] { ">95.4<", ">0.0<", ">178<", ">0.0255<", ">0.997<",
			">232219<", ">0.05<", ">62.3<", ">7.40<", ">60.0<", ">19.0<", ">12<", ">6<", ">0.590<",
			">0.333<" })
			assertTrue(html.contains(cell), cell + " in\n" + html);
		for (final String text : new String[] { "Voxels with a site effect", "Voxels tested",
			"age mean (years)", "age SD (years)", "mean before (a.u.)", "sd after (a.u.)" })
			assertTrue(html.contains(text), text);
		for (final String text : new String[] { "features", "Features", "95.44", "0.5900" })
			assertFalse(html.contains(text), text + " in\n" + html);
	}

	@Test
	void runWithoutSiteEffectsSaysWhatIsMissingAndTheCommandThatAddsIt() throws IOException {
		final Path run = Files.createDirectories(tmp.resolve("my run"));
		write(run.resolve("run.json"), "{\"method\": \"ComBat\", \"invocation\": {\"command\": " +
			"\"combat\", \"manifest\": \"/d/my cohort.csv\", \"mask\": \"\", \"out\": \"/d/r\", " +
			"\"options\": \"batch=site covariates=age,sex categorical=sex smooth= smooth_df=4 " +
			"eb=parametric mean_only=true ref_batch= interest=[a b]\", \"site_effects\": false}}");
		write(run.resolve("summary.csv"), "site,n,mean_before,sd_before,mean_after,sd_after\n" +
			"A,10,0.59,0.3332,0.6192,0.35\n");
		final String html = Report.build(run);
		final String glance = html.substring(html.indexOf("id=\"glance\""), html.indexOf(
			"id=\"per-site\""));
		assertTrue(glance.contains("without site-effect maps (--site-effects)"), glance);
		assertEquals("harmonij combat --manifest '/d/my cohort.csv' --batch site --covariates " +
			"age,sex --categorical sex --smooth-df 4 --eb parametric --mean-only --interest 'a b' " +
			"--report --out '" + run.toAbsolutePath() + "_site_effects'", Report.siteEffectsCommand(
				Report.readRecord(run.resolve("run.json")), run));
		assertTrue(glance.contains("<pre class=\"cmd\">harmonij combat --manifest '/d/my cohort.csv'"),
			glance);
		assertFalse(glance.contains("<li>"), "no empty list");
	}

	@Test
	void roundsToThreeSignificantDigits() {
		final String[][] cases = { { "19", "19.0" }, { "0.59", "0.590" }, { "177.5", "178" }, {
			"0.0002553", "2.55e-04" }, { "600123.4", "600123" }, { "-0.04449", "-0.0445" }, { "0",
				"0" }, { "9.996", "10.0" }, { "99.96", "100" }, { "0.0009996", "1.00e-03" } };
		for (final String[] c : cases)
			assertEquals(c[1], Report.rounded(Double.parseDouble(c[0])), c[0]);
	}

	@Test
	void boxPlotPointsAreSpreadAtRandomNotByRank() {
		final double[] dx = EvidenceFigures.jitter(40, 0);
		assertArrayEquals(dx, EvidenceFigures.jitter(40, 0), 0, "seeded");
		int ups = 0;
		for (int i = 0; i < dx.length; i++) {
			assertTrue(Math.abs(dx[i]) <= EvidenceFigures.JITTER, "inside the box: " + dx[i]);
			if (i > 0 && dx[i] > dx[i - 1]) ups++;
		}
		// shifts by rank rose at every step (a streak); random ones rise about half the time
		assertTrue(ups > 10 && ups < 29, ups + " rises of 39");
		assertFalse(java.util.Arrays.equals(dx, EvidenceFigures.jitter(40, 1)), "groups differ");
	}

	private static void write(final Path p, final String text) throws IOException {
		Files.write(p, text.getBytes(StandardCharsets.UTF_8));
	}
}

// SPDX-License-Identifier: MIT
package io.github.harmonij.cli;

import static io.github.harmonij.cli.HarmonijCliTest.harmonij;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.cli.HarmonijCliTest.Run;
import io.github.harmonij.io.Csv;
import io.github.harmonij.io.CsvTable;
import io.github.harmonij.io.NiftiHeader;
import io.github.harmonij.io.NiftiIO;

/**
 * The evidence of issue 5 end to end: a simulated cohort (30 subjects, 3 sites, 2 mm) with planted
 * site effects, harmonised by ComBat with site-effect maps and a report; the standalone
 * site-effects, table-effects and report commands; bad options.
 */
class EvidenceCliTest {

	/**
	 * After ComBat at most about q of the mask voxels may keep an FDR-significant site effect;
	 * before, most do. The measured values are in docs/evidence.md, written by
	 * {@link #evidenceDocQuotesWhatThisTestMeasures}.
	 */
	static final double AFTER_MAX_PERCENT = 5.0, BEFORE_MIN_PERCENT = 50.0;

	/**
	 * ComBat keeps the age effect: the age maps before and after must correlate at least this well
	 * (measured 0.990), and the share of the mask where age is FDR-significant must keep at least
	 * this fraction of its size before (measured 48.1 % against 52.4 %, 0.92: removing the site
	 * scales changes each voxel's residual variance a little).
	 */
	static final double AGE_MAP_MIN_CORRELATION = 0.9, AGE_KEPT_MIN_FRACTION = 0.8;

	@TempDir
	static Path dir;

	static Path sim, combat;

	static Run combatRun;

	@BeforeAll
	static void simulateAndHarmonise() {
		sim = dir.resolve("sim");
		assertEquals(0, harmonij("simulate", "--out", sim.toString(), "--subjects", "30", "--sites",
			"3", "--seed", "11").status);
		combat = dir.resolve("combat");
		combatRun = harmonij("combat", "--manifest", sim.resolve("cohort.csv").toString(),
			"--batch", "site", "--covariates", "age,sex,group", "--categorical", "sex,group", "--mask",
			sim.resolve("mask.nii.gz").toString(), "--interest", "age", "--report", "--out", combat
				.toString());
		assertEquals(0, combatRun.status, combatRun.err);
	}

	@Test
	void combatRemovesPlantedSiteEffectsAndKeepsAge() {
		final CsvTable s = Csv.read(combat.resolve("site_effects/summary.csv"));
		final double before = value(s, "site_percent_fdr_significant", 1);
		final double after = value(s, "site_percent_fdr_significant", 2);
		assertTrue(before > BEFORE_MIN_PERCENT, "% of mask voxels with an FDR-significant site " +
			"effect before: " + before);
		assertTrue(after <= AFTER_MAX_PERCENT, "% of mask voxels with an FDR-significant site " +
			"effect after: " + after);
		assertTrue(value(s, "site_median_F", 2) < value(s, "site_median_F", 1));
		final double correlation = value(s, "interest_map_correlation", 2);
		assertTrue(correlation > AGE_MAP_MIN_CORRELATION, "age maps should agree: " + correlation);
		final double ageBefore = value(s, "interest_percent_fdr_significant", 1), ageAfter = value(s,
			"interest_percent_fdr_significant", 2);
		assertTrue(ageAfter >= AGE_KEPT_MIN_FRACTION * ageBefore, "% of mask voxels where age is " +
			"FDR-significant: before " + ageBefore + ", after " + ageAfter);
		for (final String when : new String[] { "before", "after" })
			for (final String f : new String[] { "site_F", "site_neglog10p", "site_fdr", "levene_F",
				"levene_fdr", "interest_t", "interest_neglog10p", "summary.csv", "subjects.csv" })
				assertTrue(Files.exists(combat.resolve("site_effects").resolve(when).resolve(f
					.endsWith(".csv") ? f : f + ".nii.gz")), when + "/" + f);
	}

	/** Where docs/evidence.md quotes this test's numbers (the lines between the markers). */
	static final String BEGIN = "<!-- BEGIN numbers of cli.EvidenceCliTest: generated, do not " +
		"edit -->", END = "<!-- END numbers of cli.EvidenceCliTest -->";

	/**
	 * docs/evidence.md quotes the numbers this test measures, as the code gives them now: it fails
	 * when they drift. {@code mvn -q -o test -Dtest=EvidenceCliTest -Dharmonij.writeDocs=true}
	 * rewrites the block.
	 */
	@Test
	void evidenceDocQuotesWhatThisTestMeasures() throws IOException {
		final CsvTable s = Csv.read(combat.resolve("site_effects/summary.csv"));
		final String block = String.format(Locale.ROOT, String.join("\n",
			"- `cli.EvidenceCliTest` simulates 30 subjects at 3 sites (2 mm, seed 11) with planted site",
			"  effects and harmonises them with ComBat: before, %.2f %% of the mask voxels have an",
			"  FDR-significant site effect, after, %.2f %% (the test requires more than %.0f %% and at",
			"  most %.0f %%). The age maps before and after correlate at r = %.4f; age is FDR-significant",
			"  in %.1f %% of the voxels before and %.1f %% after. The test writes these lines and fails",
			"  when they differ from what the code gives; to rewrite them:",
			"  `mvn -q -o test -Dtest=EvidenceCliTest -Dharmonij.writeDocs=true`."), value(s,
				"site_percent_fdr_significant", 1), value(s, "site_percent_fdr_significant", 2),
			BEFORE_MIN_PERCENT, AFTER_MAX_PERCENT, value(s, "interest_map_correlation", 2), value(s,
				"interest_percent_fdr_significant", 1), value(s, "interest_percent_fdr_significant", 2));
		final Path doc = Paths.get("docs/evidence.md");
		final String text = new String(Files.readAllBytes(doc), StandardCharsets.UTF_8);
		final int b = text.indexOf(BEGIN), e = text.indexOf(END);
		assertTrue(b >= 0 && e > b, "docs/evidence.md has the markers " + BEGIN + " and " + END);
		final String want = text.substring(0, b + BEGIN.length()) + "\n" + block + "\n" + text
			.substring(e);
		if (Boolean.getBoolean("harmonij.writeDocs")) Files.write(doc, want.getBytes(
			StandardCharsets.UTF_8));
		assertEquals(want, new String(Files.readAllBytes(doc), StandardCharsets.UTF_8),
			"docs/evidence.md quotes other numbers than EvidenceCliTest measures; rewrite them " +
				"with mvn -q -o test -Dtest=EvidenceCliTest -Dharmonij.writeDocs=true");
	}

	@Test
	void mapsHaveTheCohortsGrid() {
		final NiftiHeader image = NiftiIO.readHeader(sim.resolve("mask.nii.gz"));
		final NiftiHeader map = NiftiIO.readHeader(combat.resolve(
			"site_effects/before/site_F.nii.gz"));
		assertEquals(null, image.gridDifference(map));
		final float[] fdr = NiftiIO.readVolume(combat.resolve("site_effects/before/site_fdr.nii.gz"),
			0);
		for (final float v : fdr)
			assertTrue(v == 0 || v == 1);
	}

	@Test
	void reportIsSelfContainedAndHasItsSections() throws IOException {
		final String html = new String(Files.readAllBytes(combat.resolve("report.html")),
			StandardCharsets.UTF_8);
		assertSelfContained(html);
		for (final String id : new String[] { "glance", "cohort", "numbers", "maps", "residuals",
			"per-site", "options" })
			assertTrue(html.contains("id=\"" + id + "\""), "section " + id);
		assertTrue(html.contains("Site effect") && html.contains("SiteA"), "cohort and numbers");
	}

	@Test
	void standaloneSiteEffectsAndReportCommand() throws IOException {
		final Path out = dir.resolve("effects");
		final Run r = harmonij("site-effects", "--manifest", sim.resolve("cohort.csv").toString(),
			"--batch", "site", "--covariates", "age,sex", "--categorical", "sex", "--mask", sim.resolve(
				"mask.nii.gz").toString(), "--interest", "sex", "--out", out.toString());
		assertEquals(0, r.status, r.err);
		assertTrue(r.out.contains("of mask voxels have a site effect"), r.out);
		for (final String f : new String[] { "site_F.nii.gz", "site_neglog10p.nii.gz",
			"site_fdr.nii.gz", "summary.csv", "cohort.csv", "run.json" })
			assertTrue(Files.exists(out.resolve(f)), f);
		final CsvTable s = Csv.read(out.resolve("summary.csv"));
		assertEquals("interest:sex", s.cell(3, 0));
		assertEquals("t", s.cell(3, 1));
		final Path html = dir.resolve("effects-report.html");
		assertEquals(0, harmonij("report", "--run", out.toString(), "--out", html.toString()).status);
		assertSelfContained(new String(Files.readAllBytes(html), StandardCharsets.UTF_8));
		final Run again = harmonij("report", "--run", out.toString(), "--out", html.toString());
		assertEquals(Harmonij.BAD_INPUT, again.status);
		assertTrue(again.err.contains("already exists"), again.err);
	}

	@Test
	void tableEffectsBeforeAndAfter() throws IOException {
		final Path table = Paths.get("src/test/resources/reference/stats/dataset.csv");
		final Path h = dir.resolve("dataset_harmonised.csv");
		assertEquals(0, harmonij("combat-table", "--table", table.toString(), "--batch", "site",
			"--covariates", "age,sex,group", "--categorical", "sex,group", "--out", h.toString())
			.status);
		final Path out = dir.resolve("table-effects");
		final Run r = harmonij("table-effects", "--table", table.toString(), "--harmonised", h
			.toString(), "--batch", "site", "--covariates", "age,sex,group", "--categorical",
			"sex,group", "--report", "--out", out.toString());
		assertEquals(0, r.status, r.err);
		final CsvTable e = Csv.read(out.resolve("effects.csv"));
		assertEquals(6, e.nRows());
		// f4 has a huge planted shift: p about 4e-35 before (R: 3.8902738273451635e-35), none after
		assertEquals(3.8902738273451635e-35, Double.parseDouble(e.cell(3, e.column("site_p_before"))),
			1e-8 * 3.89e-35);
		assertTrue(Double.parseDouble(e.cell(3, e.column("site_p_after"))) > 0.05);
		assertTrue(Files.list(out.resolve("plots")).count() == 6);
		final String html = new String(Files.readAllBytes(out.resolve("report.html")),
			StandardCharsets.UTF_8);
		assertSelfContained(html);
		assertTrue(html.contains("id=\"features\""));
	}

	@Test
	void badOptionsAreNamed() {
		final String manifest = sim.resolve("cohort.csv").toString();
		final Run q = harmonij("site-effects", "--manifest", manifest, "--batch", "site", "--q",
			"1.5", "--out", dir.resolve("bad1").toString());
		assertEquals(Harmonij.BAD_INPUT, q.status);
		assertTrue(q.err.contains("--q 1.5") && q.err.contains("between 0 and 1"), q.err);
		final Run i = harmonij("site-effects", "--manifest", manifest, "--batch", "site",
			"--covariates", "age", "--interest", "height", "--out", dir.resolve("bad2").toString());
		assertEquals(Harmonij.BAD_INPUT, i.status);
		assertTrue(i.err.contains("--interest height") && i.err.contains("cohort.csv") && i.err
			.contains("age"), i.err);
		final Run c = harmonij("combat", "--manifest", manifest, "--batch", "site", "--report",
			"--q", "0", "--out", dir.resolve("bad3").toString());
		assertEquals(Harmonij.BAD_INPUT, c.status);
		assertFalse(Files.exists(dir.resolve("bad1")) || Files.exists(dir.resolve("bad2")) || Files
			.exists(dir.resolve("bad3")), "nothing is written on bad input");
	}

	// -- Helper methods --

	static void assertSelfContained(final String html) {
		assertFalse(html.contains("<script"), "no scripts");
		assertFalse(html.contains("<link"), "no linked files");
		final Matcher m = Pattern.compile("(src|href)\\s*=\\s*\"([^\"]*)\"").matcher(html);
		int images = 0;
		while (m.find()) {
			assertTrue(m.group(2).startsWith("data:image/png;base64,"), "external reference: " + m
				.group(2).substring(0, Math.min(60, m.group(2).length())));
			images++;
		}
		assertTrue(images > 0, "figures are embedded");
	}

	private static double value(final CsvTable t, final String measure, final int col) {
		for (int i = 0; i < t.nRows(); i++)
			if (t.cell(i, 0).equals(measure)) return Double.parseDouble(t.cell(i, col));
		throw new AssertionError("no row " + measure);
	}
}

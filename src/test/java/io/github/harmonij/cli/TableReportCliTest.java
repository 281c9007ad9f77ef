// SPDX-License-Identifier: MIT
package io.github.harmonij.cli;

import static io.github.harmonij.cli.EvidenceCliTest.assertSelfContained;
import static io.github.harmonij.cli.HarmonijCliTest.harmonij;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.cli.HarmonijCliTest.Run;
import io.github.harmonij.io.Csv;
import io.github.harmonij.io.CsvTable;
import io.github.harmonij.io.Json;

/**
 * {@code combat-table} and {@code regress-table} with {@code --report}: the report folder beside
 * the output table holds what {@code table-effects} writes for the same tables and options (the
 * same files), an existing non-empty report folder is refused before anything is written, and a
 * run that fails leaves neither the table nor the report.
 */
class TableReportCliTest {

	/**
	 * 30 subjects at 3 sites; f2 has a planted shift, f3 a scale effect, f4 a huge shift (site p
	 * about 4e-35, see the PROVENANCE.md beside it).
	 */
	static final Path TABLE = Paths.get("src/test/resources/reference/stats/dataset.csv");

	/** Site p of f4 before harmonisation, from R (expected.csv beside the table). */
	static final double R_F4_SITE_P = 3.8902738273451635e-35;

	/** SiteTestsReferenceTest's tolerance against R. */
	static final double R_REL_TOL = 1e-8;

	/** The files table-effects writes, compared byte for byte. */
	static final String[] SAME = { "effects.csv", "summary.csv", "cohort.csv" };

	@TempDir
	Path dir;

	@Test
	void combatTableReportHasWhatTableEffectsWrites() throws IOException {
		final Path out = dir.resolve("volumes_harmonised.csv");
		final String[] model = { "--batch", "site", "--covariates", "age,sex,group",
			"--categorical", "sex,group" };
		final Run r = harmonij(concat(new String[] { "combat-table", "--table", TABLE.toString(),
			"--report", "--out", out.toString() }, model));
		assertEquals(0, r.status, r.err);
		final Path report = dir.resolve("volumes_harmonised_report");
		assertTrue(r.out.contains(report.resolve("report.html").toString()), "the summary names " +
			"the report: " + r.out);
		assertTrue(r.out.contains("50.0 % of features before, 0.0 % after"), r.out);
		assertTrue(Files.isRegularFile(out));

		// the planted site effects are there before (f4: R's p) and gone after
		final CsvTable e = Csv.read(report.resolve("effects.csv"));
		assertEquals("f4", e.cell(3, 0));
		assertEquals(R_F4_SITE_P, Double.parseDouble(e.cell(3, e.column("site_p_before"))),
			R_REL_TOL * R_F4_SITE_P);
		for (int f = 0; f < e.nRows(); f++)
			assertTrue(Double.parseDouble(e.cell(f, e.column("site_p_bh_after"))) > 0.05, e.cell(f,
				0));

		final String html = new String(Files.readAllBytes(report.resolve("report.html")),
			StandardCharsets.UTF_8);
		assertSelfContained(html);
		for (final String id : new String[] { "glance", "cohort", "numbers", "residuals",
			"features", "options" })
			assertTrue(html.contains("id=\"" + id + "\""), "section " + id);
		assertTrue(html.contains("Harmonisation of a table (ComBat)"), "the header says what ran");

		final Path effects = dir.resolve("table-effects");
		final Run t = harmonij(concat(new String[] { "table-effects", "--table", TABLE.toString(),
			"--harmonised", out.toString(), "--report", "--out", effects.toString() }, model));
		assertEquals(0, t.status, t.err);
		assertSameResults(effects, report);
	}

	/** Linear adjustment with spline age: the report's models have the same splines. */
	@Test
	void regressTableReportWithSmoothAge() throws IOException {
		final Path out = dir.resolve("adjusted.csv");
		final String[] model = { "--batch", "site", "--covariates", "sex", "--categorical", "sex",
			"--smooth", "age", "--smooth-df", "3", "--features", "f1,f2,f4" };
		final Run r = harmonij(concat(new String[] { "regress-table", "--table", TABLE.toString(),
			"--report", "--q", "0.1", "--out", out.toString() }, model));
		assertEquals(0, r.status, r.err);
		final Path report = dir.resolve("adjusted_report");
		final CsvTable cohort = Csv.read(report.resolve("cohort.csv"));
		assertEquals(Arrays.asList("site", "n", "sex=F", "sex=M", "age mean", "age SD"), cohort
			.header());
		final CsvTable s = Csv.read(report.resolve("summary.csv"));
		assertEquals("0.1", s.cell(s.nRows() - 2, 1), "q");
		assertEquals("3", s.cell(s.nRows() - 3, 1), "features tested");
		assertEquals(List.of("age"), ((Map<?, ?>) Json.read(new String(Files.readAllBytes(report
			.resolve("run.json")), StandardCharsets.UTF_8))).get("smooth"));

		final Path effects = dir.resolve("table-effects");
		final Run t = harmonij(concat(new String[] { "table-effects", "--table", TABLE.toString(),
			"--harmonised", out.toString(), "--q", "0.1", "--out", effects.toString() }, model));
		assertEquals(0, t.status, t.err);
		assertSameResults(effects, report);
		// and age as a straight line gives other tests
		final Path linear = dir.resolve("linear-age");
		final Run l = harmonij("table-effects", "--table", TABLE.toString(), "--harmonised", out
			.toString(), "--batch", "site", "--covariates", "sex,age", "--categorical", "sex",
			"--features", "f1,f2,f4", "--q", "0.1", "--out", linear.toString());
		assertEquals(0, l.status, l.err);
		assertFalse(Arrays.equals(Files.readAllBytes(linear.resolve("effects.csv")), Files
			.readAllBytes(report.resolve("effects.csv"))), "splines change the tests");
	}

	@Test
	void nonEmptyReportFolderIsRefusedBeforeAnythingIsWritten() throws IOException {
		final Path out = dir.resolve("volumes_harmonised.csv");
		final Path report = dir.resolve("volumes_harmonised_report");
		Files.createDirectories(report);
		Files.write(report.resolve("notes.txt"), "mine".getBytes(StandardCharsets.UTF_8));
		final Run r = harmonij("combat-table", "--table", TABLE.toString(), "--batch", "site",
			"--covariates", "age", "--report", "--out", out.toString());
		assertEquals(Harmonij.BAD_INPUT, r.status);
		assertTrue(r.err.contains(report.toString()) && r.err.contains("not an empty folder") && r
			.err.contains("Move or rename it"), r.err);
		assertFalse(Files.exists(out), "no output table");
		assertEquals(List.of("notes.txt"), names(report), "the folder is untouched");
		assertEquals(List.of("volumes_harmonised_report"), names(dir));

		// an empty folder of that name is fine, as for every output folder
		Files.delete(report.resolve("notes.txt"));
		final Run ok = harmonij("combat-table", "--table", TABLE.toString(), "--batch", "site",
			"--covariates", "age", "--report", "--out", out.toString());
		assertEquals(0, ok.status, ok.err);
		assertTrue(Files.exists(report.resolve("report.html")));
	}

	@Test
	void failedRunLeavesNeitherTableNorReport() throws IOException {
		final Path out = dir.resolve("h.csv");
		// unknown covariate: found when the table is read
		final Run a = harmonij("combat-table", "--table", TABLE.toString(), "--batch", "site",
			"--covariates", "age,height", "--report", "--out", out.toString());
		assertEquals(Harmonij.BAD_INPUT, a.status);
		assertTrue(a.err.contains("height"), a.err);
		// a bad q is refused before the table is read
		final Run b = harmonij("regress-table", "--table", TABLE.toString(), "--batch", "site",
			"--report", "--q", "2", "--out", out.toString());
		assertEquals(Harmonij.BAD_INPUT, b.status);
		assertTrue(b.err.contains("--q 2"), b.err);
		// missing cells: harmonisation accepts them, the report's tests do not
		final Path holes = dir.resolve("holes.csv");
		final CsvTable t = Csv.read(TABLE);
		final List<String[]> rows = new ArrayList<>();
		for (int j = 0; j < t.nRows(); j++)
			rows.add(t.row(j).clone());
		rows.get(4)[t.column("f3")] = "NA";
		Csv.write(holes, t.header(), rows);
		final Run c = harmonij("combat-table", "--table", holes.toString(), "--batch", "site",
			"--report", "--out", out.toString());
		assertEquals(Harmonij.BAD_INPUT, c.status);
		assertTrue(c.err.contains("1 missing feature cells (in f3)") && c.err.contains(
			"without report"), c.err);
		assertEquals(List.of("holes.csv"), names(dir), "nothing was written");
	}

	@Test
	void reportWhoseTestsCannotRunIsRefusedBeforeTheFit() throws IOException {
		// 2 sites x 2 subjects with age and sex: enough to harmonise, too few for the site test
		final CsvTable t = Csv.read(TABLE);
		final List<String[]> rows = new ArrayList<>();
		final Set<String> taken = new HashSet<>(), sites = new HashSet<>();
		for (int j = 0; j < t.nRows(); j++) {
			// one F and one M at each of the first two sites
			final String site = t.cell(j, t.column("site")), sex = t.cell(j, t.column("sex"));
			if (sites.size() == 2 && !sites.contains(site)) continue;
			sites.add(site);
			if (taken.add(site + sex)) rows.add(t.row(j).clone());
		}
		assertEquals(4, rows.size());
		final Path small = dir.resolve("small.csv"), out = dir.resolve("h.csv");
		Csv.write(small, t.header(), rows);
		final Run r = harmonij("regress-table", "--table", small.toString(), "--batch", "site",
			"--covariates", "age,sex", "--categorical", "sex", "--report", "--out", out.toString());
		assertEquals(Harmonij.BAD_INPUT, r.status, r.out);
		assertTrue(r.err.contains("report's site tests") && r.err.contains("without report"), r.err);
		assertFalse(r.err.contains("100 %") || r.out.contains("100 %"), "refused before the fit");
		assertEquals(List.of("small.csv"), names(dir), "nothing was written");
		assertEquals(0, harmonij("regress-table", "--table", small.toString(), "--batch", "site",
			"--covariates", "age,sex", "--categorical", "sex", "--out", out.toString()).status,
			"without the report it runs");
	}

	// -- Helper methods --

	private static void assertSameResults(final Path expected, final Path actual)
		throws IOException
	{
		for (final String f : SAME)
			assertArrayEquals(Files.readAllBytes(expected.resolve(f)), Files.readAllBytes(actual
				.resolve(f)), f);
		final List<String> plots = names(expected.resolve("plots"));
		assertFalse(plots.isEmpty());
		assertEquals(plots, names(actual.resolve("plots")));
		for (final String p : plots)
			assertArrayEquals(Files.readAllBytes(expected.resolve("plots").resolve(p)), Files
				.readAllBytes(actual.resolve("plots").resolve(p)), p);
	}

	private static List<String> names(final Path folder) throws IOException {
		try (Stream<Path> s = Files.list(folder)) {
			return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
		}
	}

	private static String[] concat(final String[] a, final String[] b) {
		final String[] c = Arrays.copyOf(a, a.length + b.length);
		System.arraycopy(b, 0, c, a.length, b.length);
		return c;
	}
}

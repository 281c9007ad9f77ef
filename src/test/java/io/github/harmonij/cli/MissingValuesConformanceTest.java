// SPDX-License-Identifier: MIT
package io.github.harmonij.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.io.Csv;
import io.github.harmonij.io.CsvTable;

/**
 * {@code harmonij combat-table} on tables with about 1 % missing feature cells against R
 * {@code sva::ComBat}'s missing-value path (reference/sva/missing, made by make_missing.R): the
 * missing cells stay missing, written back verbatim ("NA"), and every other cell agrees with sva
 * to 1e-6 of the feature's SD (the bound of {@link TableConformanceTest}).
 */
class MissingValuesConformanceTest {

	/** |ours - sva| / SD(input feature), as for the complete-data cases. */
	private static final double MAX_ERROR_IN_SD = 1e-6;

	private static final Path DIR = Paths.get("src/test/resources/reference/sva/missing");

	@TempDir
	Path tmp;

	@TestFactory
	Stream<DynamicTest> everyMissingValueCase() {
		final CsvTable cases = Csv.read(DIR.resolve("cases.csv"));
		final List<DynamicTest> tests = new ArrayList<>();
		for (int i = 0; i < cases.nRows(); i++) {
			final int row = i;
			final String name = cases.cell(row, cases.column("case"));
			tests.add(DynamicTest.dynamicTest(name, () -> check(cases, row, name)));
		}
		assertEquals(7, tests.size());
		return tests.stream();
	}

	private void check(final CsvTable cases, final int row, final String name) {
		final Path input = DIR.resolve("dataset_" + cases.cell(row, cases.column("dataset")) +
			"_na.csv");
		final Path out = tmp.resolve(name + ".csv");
		final CsvTable in = Csv.read(input);
		final List<String> features = new ArrayList<>();
		for (final String column : in.header())
			if (column.matches("f\\d+")) features.add(column);
		final List<String> args = new ArrayList<>(List.of("combat-table", "--table", input
			.toString(), "--batch", "batch", "--id", "subject", "--features", String.join(",",
				features), "--eb", cases.cell(row, cases.column("eb")), "--covariates", cases.cell(
					row, cases.column("covariates")).replace(';', ','), "--categorical", cases.cell(row,
						cases.column("categorical")).replace(';', ','), "--out", out.toString()));
		final String ref = cases.cell(row, cases.column("ref_batch"));
		if (!ref.isEmpty()) {
			args.add("--ref-batch");
			args.add(ref);
		}
		if (cases.cell(row, cases.column("mean_only")).equals("TRUE")) args.add("--mean-only");
		final ByteArrayOutputStream err = new ByteArrayOutputStream();
		final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
		final int status = new Harmonij(new PrintStream(stdout), new PrintStream(err)).execute(args
			.toArray(new String[0]));
		assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
		assertTrue(stdout.toString(StandardCharsets.UTF_8).contains("missing cells were left " +
			"missing"), stdout.toString(StandardCharsets.UTF_8));

		final CsvTable ours = Csv.read(out), sva = Csv.read(DIR.resolve(name + ".csv"));
		double worst = 0;
		int missing = 0;
		for (int c = 0; c < sva.nColumns(); c++) {
			final String feature = sva.header().get(c);
			if (!feature.matches("f\\d+")) continue;
			final int ci = in.column(feature), co = ours.column(feature);
			final double sd = sd(in, ci);
			for (int j = 0; j < sva.nRows(); j++) {
				if (sva.cell(j, c).equals("NA")) {
					assertEquals("NA", ours.cell(j, co), name + " " + feature + " row " + j);
					missing++;
					continue;
				}
				final double a = Double.parseDouble(ours.cell(j, co));
				final double b = Double.parseDouble(sva.cell(j, c));
				worst = Math.max(worst, Math.abs(a - b) / sd);
			}
		}
		assertTrue(missing > 0, "the case has missing cells");
		assertTrue(worst <= MAX_ERROR_IN_SD, name + ": max |ours - sva| / SD = " + worst + " (" +
			missing + " missing cells)");
	}

	private static double sd(final CsvTable t, final int column) {
		double s = 0, s2 = 0;
		int n = 0;
		for (int j = 0; j < t.nRows(); j++) {
			if (t.cell(j, column).equals("NA")) continue;
			final double x = Double.parseDouble(t.cell(j, column));
			s += x;
			s2 += x * x;
			n++;
		}
		final double mean = s / n;
		return Math.sqrt((s2 - n * mean * mean) / (n - 1));
	}
}

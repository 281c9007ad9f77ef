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
 * {@code harmonij combat-table} against R {@code sva::ComBat} on every reference case in
 * {@code src/test/resources/reference/sva} (see PROVENANCE.md there): the whole user path, CSV in,
 * covariate coding, engine, CSV out, must agree with sva to 1e-6 of each feature's SD.
 */
class TableConformanceTest {

	/** The bound: |ours - sva| / SD(input feature). */
	private static final double MAX_ERROR_IN_SD = 1e-6;

	private static final Path SVA = Paths.get("src/test/resources/reference/sva");

	@TempDir
	Path tmp;

	@TestFactory
	Stream<DynamicTest> everySvaCaseThroughTheCommandLine() {
		final CsvTable cases = Csv.read(SVA.resolve("cases.csv"));
		final List<DynamicTest> tests = new ArrayList<>();
		for (int i = 0; i < cases.nRows(); i++) {
			final int row = i;
			final String name = cases.cell(row, cases.column("case"));
			tests.add(DynamicTest.dynamicTest(name, () -> check(cases, row, name)));
		}
		assertTrue(tests.size() >= 30, "cases: " + tests.size());
		return tests.stream();
	}

	private void check(final CsvTable cases, final int row, final String name) {
		final String dataset = cases.cell(row, cases.column("dataset"));
		final Path input = SVA.resolve("dataset_" + dataset + ".csv");
		final Path out = tmp.resolve(name + ".csv");
		final CsvTable in = Csv.read(input);
		final List<String> features = new ArrayList<>();
		for (final String column : in.header())
			if (column.matches("f\\d+")) features.add(column);
		// The features sva saw; by default every other numeric column (age, icv) would be one too.
		final List<String> args = new ArrayList<>(List.of("combat-table", "--table", input
			.toString(), "--batch", "batch", "--id", "subject", "--features", String.join(",",
				features), "--eb", cases.cell(row, cases.column("eb")), "--out", out.toString()));
		final String cov = cases.cell(row, cases.column("covariates")).replace(';', ',');
		final String cat = cases.cell(row, cases.column("categorical")).replace(';', ',');
		final String ref = cases.cell(row, cases.column("ref_batch"));
		args.add("--covariates");
		args.add(cov);
		args.add("--categorical");
		args.add(cat);
		if (!ref.isEmpty()) {
			args.add("--ref-batch");
			args.add(ref);
		}
		if (cases.cell(row, cases.column("mean_only")).equals("TRUE")) args.add("--mean-only");
		final ByteArrayOutputStream err = new ByteArrayOutputStream();
		final int status = new Harmonij(new PrintStream(new ByteArrayOutputStream()),
			new PrintStream(err)).execute(args.toArray(new String[0]));
		assertEquals(0, status, err.toString(StandardCharsets.UTF_8));

		final CsvTable ours = Csv.read(out), sva = Csv.read(reference(name));
		assertEquals(in.header(), ours.header(), "same columns in the same order");
		double worst = 0;
		for (int c = 0; c < sva.nColumns(); c++) {
			final String feature = sva.header().get(c);
			if (!feature.matches("f\\d+")) continue;
			final int ci = in.column(feature), co = ours.column(feature);
			final double sd = sd(in, ci);
			for (int j = 0; j < sva.nRows(); j++) {
				assertEquals(sva.cell(j, 0), ours.cell(j, ours.column("subject")), "subject order");
				final double a = Double.parseDouble(ours.cell(j, co));
				final double b = Double.parseDouble(sva.cell(j, c));
				worst = Math.max(worst, Math.abs(a - b) / sd);
			}
		}
		assertTrue(worst <= MAX_ERROR_IN_SD, name + ": max |ours - sva| / SD = " + worst);
	}

	/**
	 * sva's answer, except where sva's linear-space likelihoods underflow: there the reference is
	 * sva re-run with a log-space int.eprior (reference/sva/logspace/PROVENANCE.md).
	 */
	private static Path reference(final String name) {
		final Path logspace = SVA.resolve("logspace").resolve(name + ".csv");
		return java.nio.file.Files.exists(logspace) ? logspace : SVA.resolve(name + ".csv");
	}

	private static double sd(final CsvTable t, final int column) {
		double s = 0, s2 = 0;
		final int n = t.nRows();
		for (int j = 0; j < n; j++) {
			final double x = Double.parseDouble(t.cell(j, column));
			s += x;
			s2 += x * x;
		}
		final double mean = s / n;
		return Math.sqrt((s2 - n * mean * mean) / (n - 1));
	}
}

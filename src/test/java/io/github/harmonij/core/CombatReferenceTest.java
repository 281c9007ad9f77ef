// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every R and Python configuration of ComBatHarmonization's test vectors (neuroCombat R and
 * Python, 200 features x 10 subjects, two batches of 5): parametric / non-parametric, with and
 * without the pheno covariate, eb off, mean-only, reference batch "1". Files in
 * src/test/resources/reference/combat-reference (see PROVENANCE.md).
 */
class CombatReferenceTest {

	/**
	 * Absolute, data values are about 2-15: R files carry 15 significant digits (about 1e-14) and
	 * R and Python agree to 3.2e-13; the convergence rule is reproduced exactly, so only double
	 * rounding remains.
	 */
	static final double REFERENCE_TOL = 1e-10;

	static final Path DIR = Paths.get("src/test/resources/reference/combat-reference");

	@TestFactory
	Stream<DynamicTest> matchesEveryConfiguration() throws IOException {
		final double[][] data = TestCsv.transpose(TestCsv.read(DIR.resolve("testdata.csv"), true)
			.numbers()); // subjects x features
		final TestCsv design = TestCsv.read(DIR.resolve("design.csv"), true);
		final int n = data.length;
		final int[] batch = new int[n];
		final double[][] pheno = new double[n][1];
		final String[] ids = new String[n];
		for (int j = 0; j < n; j++) {
			final String[] row = design.rows.get(j);
			batch[j] = Integer.parseInt(row[design.column("batch")]) - 1;
			pheno[j][0] = Double.parseDouble(row[design.column("pheno")]);
			ids[j] = row[design.column("subject")];
		}
		final String[] levels = { "1", "2" };
		final Design adjusted = new Design(levels, batch, new String[] { "pheno" }, pheno, ids);
		final Design unadjusted = Design.batchesOnly(levels, batch);
		final List<Path> files;
		try (Stream<Path> s = Files.list(DIR.resolve("outputData"))) {
			files = s.filter(p -> p.toString().endsWith(".csv")).sorted().collect(Collectors.toList());
		}
		assertEquals(67, files.size(), "reference files");
		return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(),
			() -> {
				final String name = file.getFileName().toString();
				final boolean python = name.endsWith("_python.csv");
				ComBatOptions o = ComBatOptions.defaults().withEb(name.contains("_nonparametric_")
					? EmpiricalBayes.NONPARAMETRIC : EmpiricalBayes.PARAMETRIC);
				if (name.contains("_noeb")) o = o.withEb(EmpiricalBayes.NONE);
				if (name.contains("_meanonl")) o = o.withMeanOnly(true);
				if (name.contains("_batchref")) o = o.withRefBatch("1");
				final Design d = name.contains("_unadjusted") ? unadjusted : adjusted;
				final double[][] expected = TestCsv.transpose(TestCsv.read(file, !python).numbers());
				final double[][] rows = copy(data);
				final FeatureMatrix m = new FeatureMatrix.DoubleRows(rows);
				final ComBatFit fit = ComBat.fit(m, d, o, Progress.NONE, () -> false);
				fit.apply(m, m, Progress.NONE, () -> false);
				double max = 0;
				for (int j = 0; j < n; j++)
					for (int v = 0; v < rows[0].length; v++)
						max = Math.max(max, Math.abs(rows[j][v] - expected[j][v]));
				assertTrue(max <= REFERENCE_TOL, name + ": max |ours - reference| = " + max);
			}));
	}

	static double[][] copy(final double[][] a) {
		final double[][] c = new double[a.length][];
		for (int i = 0; i < a.length; i++)
			c[i] = a[i].clone();
		return c;
	}
}

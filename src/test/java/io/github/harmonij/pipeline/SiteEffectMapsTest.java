// SPDX-License-Identifier: MIT
package io.github.harmonij.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.nio.file.Paths;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.cohort.FeatureTable;
import io.github.harmonij.cohort.TableSpec;
import io.github.harmonij.io.Csv;
import io.github.harmonij.io.CsvTable;


/** The cohort table of the evidence, with every kind of covariate. */
class SiteEffectMapsTest {

	/** cohort.csv prints 4 significant digits of a mean and 3 of an SD. */
	static final double PRINTED_TOL = 1e-3;

	static final Path TABLE = Paths.get("src/test/resources/reference/stats/dataset.csv");

	/**
	 * A smooth covariate is coded as spline columns; the cohort table still shows its mean and SD
	 * per site, the same as for the covariate entered as a line (it used to fail with an index
	 * out of bounds).
	 */
	@Test
	void cohortTableShowsSmoothCovariatesLikeContinuousOnes(@TempDir final Path dir) {
		final TableSpec linear = TableSpec.batch("site").covariates("age", "sex").categorical("sex");
		final FeatureTable a = FeatureTable.read(TABLE, linear);
		final FeatureTable b = FeatureTable.read(TABLE, linear.smooth(java.util.List.of("age")));
		assertEquals(4, b.design().nCovariates() - a.design().nCovariates() + 1, "age has 4 " +
			"spline columns");
		SiteEffectMaps.writeCohort(dir.resolve("linear.csv"), a.design(), a.coding());
		SiteEffectMaps.writeCohort(dir.resolve("smooth.csv"), b.design(), b.coding());
		final CsvTable l = Csv.read(dir.resolve("linear.csv")), s = Csv.read(dir.resolve(
			"smooth.csv"));
		assertEquals(l.header(), s.header());
		assertEquals(l.nRows(), s.nRows());
		for (int r = 0; r < l.nRows(); r++)
			for (int c = 0; c < l.nColumns(); c++) {
				final double x = Csv.parseNumber(l.cell(r, c));
				if (Double.isNaN(x)) assertEquals(l.cell(r, c), s.cell(r, c));
				else assertEquals(x, Csv.parseNumber(s.cell(r, c)), PRINTED_TOL * Math.abs(x), l
					.header().get(c) + ", row " + r);
			}
	}
}

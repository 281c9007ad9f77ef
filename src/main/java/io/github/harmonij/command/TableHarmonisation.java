// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.io.File;
import java.util.Locale;
import java.util.function.BooleanSupplier;

import io.github.harmonij.core.ComBat;
import io.github.harmonij.core.ComBatOptions;
import io.github.harmonij.core.FeatureMatrix;
import io.github.harmonij.core.FeatureStatus;
import io.github.harmonij.core.HarmonisationFit;
import io.github.harmonij.core.InputException;
import io.github.harmonij.core.Progress;
import io.github.harmonij.core.SiteRegression;
import io.github.harmonij.io.FeatureTable;
import io.github.harmonij.io.OutputFolder;
import io.github.harmonij.io.TableSpec;

/** Reads a table, harmonises its feature columns, writes the same table with them replaced. */
final class TableHarmonisation {

	private TableHarmonisation() {}

	/**
	 * @param combat ComBat options, or null for the linear site adjustment
	 * @return a summary line
	 */
	static String run(final File table, final String batch, final String id,
		final String covariates, final String categorical, final String features,
		final ComBatOptions combat, final String refBatch, final File out, final Progress progress,
		final BooleanSupplier canceled)
	{
		CommandSupport.require(table, "table", "the table (CSV)");
		CommandSupport.require(out, "out", "the output table (CSV)");
		if (out.exists()) throw new InputException(out + " already exists; choose a new output " +
			"file (nothing was overwritten).");
		if (out.getAbsoluteFile().equals(table.getAbsoluteFile())) throw new InputException(
			"out is the input table itself; choose a new output file.");
		final String ref = combat != null ? combat.refBatch() : refBatch;
		TableSpec spec = TableSpec.batch(batch == null ? "" : batch.trim()).covariates(
			CommandSupport.list(covariates)).categorical(CommandSupport.list(categorical)).features(
				CommandSupport.list(features)).meanOnly(combat != null && combat.meanOnly())
			.referenceBatch(ref);
		if (CommandSupport.blankToNull(id) != null) spec = spec.idColumn(id.trim());
		final FeatureTable t = FeatureTable.read(table.toPath(), spec);
		if (combat != null) ComBat.validate(t.design(), combat);
		else SiteRegression.validate(t.design(), ref);
		final long t0 = System.nanoTime();
		final FeatureMatrix.DoubleRows in = t.matrix();
		final HarmonisationFit fit = combat != null ? ComBat.fit(in, t.design(), combat, progress,
			canceled) : SiteRegression.fit(in, t.design(), ref, progress, canceled);
		final double[][] result = new double[t.nSubjects()][t.nFeatures()];
		fit.apply(in, new FeatureMatrix.DoubleRows(result), progress, canceled);
		final double seconds = (System.nanoTime() - t0) / 1e9;
		OutputFolder.checkUsable(out.toPath()); // a folder of that name would be a mistake too
		t.writeHarmonised(out.toPath(), result);
		final long unchanged = t.nFeatures() - fit.count(FeatureStatus.HARMONISED);
		final StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
			"Harmonised %d features of %d subjects from %d sites with %s in %.3f s; wrote %s.", t
				.nFeatures(), t.nSubjects(), t.design().nBatches(), combat != null ? "ComBat (" +
					combat + ")" : "linear regression", seconds, out));
		if (unchanged > 0) s.append(String.format(Locale.ROOT,
			" %d features were left unchanged (%d constant, %d constant within a site).", unchanged,
			fit.count(FeatureStatus.CONSTANT), fit.count(FeatureStatus.CONSTANT_IN_SITE)));
		for (final String note : t.notes())
			s.append(' ').append(note);
		return s.toString();
	}
}

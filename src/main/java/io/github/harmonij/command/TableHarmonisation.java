// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

import io.github.harmonij.core.ComBat;
import io.github.harmonij.core.ComBatOptions;
import io.github.harmonij.core.Design;
import io.github.harmonij.core.FeatureMatrix;
import io.github.harmonij.core.FeatureStatus;
import io.github.harmonij.core.HarmonisationFit;
import io.github.harmonij.core.InputException;
import io.github.harmonij.core.Progress;
import io.github.harmonij.core.SiteRegression;
import io.github.harmonij.io.FeatureTable;
import io.github.harmonij.io.OutputFolder;
import io.github.harmonij.io.SavedModel;
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
		return run(table, batch, id, covariates, categorical, "", 4, features, combat, refBatch,
			out, null, progress, canceled);
	}

	/**
	 * @param smooth comma-separated smooth covariates (natural cubic splines)
	 * @param smoothDf degrees of freedom of each smooth covariate
	 * @param modelOut where to save the model (JSON), or null
	 * @param combat ComBat options, or null for the linear site adjustment
	 * @return a summary line
	 */
	static String run(final File table, final String batch, final String id,
		final String covariates, final String categorical, final String smooth, final int smoothDf,
		final String features, final ComBatOptions combat, final String refBatch, final File out,
		final File modelOut, final Progress progress, final BooleanSupplier canceled)
	{
		CommandSupport.require(table, "table", "the table (CSV)");
		CommandSupport.require(out, "out", "the output table (CSV)");
		if (out.exists()) throw new InputException(out + " already exists; choose a new output " +
			"file (nothing was overwritten).");
		if (out.getAbsoluteFile().equals(table.getAbsoluteFile())) throw new InputException(
			"out is the input table itself; choose a new output file.");
		final boolean saveModel = modelOut != null && !modelOut.getPath().isEmpty();
		if (saveModel && modelOut.exists()) throw new InputException(modelOut + " already " +
			"exists; choose a new model file (nothing was overwritten).");
		final String ref = combat != null ? combat.refBatch() : refBatch;
		TableSpec spec = TableSpec.batch(batch == null ? "" : batch.trim()).covariates(
			CommandSupport.list(covariates)).categorical(CommandSupport.list(categorical)).features(
				CommandSupport.list(features)).meanOnly(combat != null && combat.meanOnly())
			.referenceBatch(ref).smooth(CommandSupport.list(smooth)).smoothDf(smoothDf);
		if (CommandSupport.blankToNull(id) != null) spec = spec.idColumn(id.trim());
		final FeatureTable t = FeatureTable.read(table.toPath(), spec, true, false);
		final long missing = t.nMissing();
		final ComBatOptions options = combat == null ? null : combat.withMissingValues(missing > 0);
		if (combat != null) ComBat.validate(t.design(), options);
		else SiteRegression.validate(t.design(), ref);
		final long t0 = System.nanoTime();
		final FeatureMatrix.DoubleRows in = t.matrix();
		final HarmonisationFit fit = combat != null ? ComBat.fit(in, t.design(), options, progress,
			canceled) : SiteRegression.fit(in, t.design(), ref, missing > 0, progress, canceled);
		final double[][] result = new double[t.nSubjects()][t.nFeatures()];
		fit.apply(in, new FeatureMatrix.DoubleRows(result), progress, canceled);
		final double seconds = (System.nanoTime() - t0) / 1e9;
		OutputFolder.checkUsable(out.toPath()); // a folder of that name would be a mistake too
		t.writeHarmonised(out.toPath(), result);
		if (saveModel) SavedModel.writeTable(modelOut.toPath(), fit, t, options);
		final long unchanged = t.nFeatures() - fit.count(FeatureStatus.HARMONISED);
		final StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
			"Harmonised %d features of %d subjects from %d sites with %s in %.3f s; wrote %s.", t
				.nFeatures(), t.nSubjects(), t.design().nBatches(), combat != null ? "ComBat (" +
					combat + ")" : "linear regression", seconds, out));
		if (unchanged > 0) s.append(String.format(Locale.ROOT,
			" %d features were left unchanged (%d constant, %d constant within a site).", unchanged,
			fit.count(FeatureStatus.CONSTANT), fit.count(FeatureStatus.CONSTANT_IN_SITE)));
		if (missing > 0) s.append(String.format(Locale.ROOT, " %d missing cells were left " +
			"missing; each feature was fitted on its non-missing subjects (as sva::ComBat).",
			missing));
		if (saveModel) s.append(" Saved the model to ").append(modelOut).append('.');
		for (final String note : t.notes())
			s.append(' ').append(note);
		return s.toString();
	}

	/**
	 * Harmonises the rows of a table with a saved table model.
	 *
	 * @return a summary line (with any clamping warnings)
	 */
	static String apply(final File model, final File table, final File out, final boolean clamp,
		final Progress progress, final BooleanSupplier canceled)
	{
		CommandSupport.require(model, "model", "the saved model (JSON)");
		CommandSupport.require(table, "table", "the table (CSV)");
		CommandSupport.require(out, "out", "the output table (CSV)");
		if (out.exists()) throw new InputException(out + " already exists; choose a new output " +
			"file (nothing was overwritten).");
		final SavedModel saved = SavedModel.read(model.toPath());
		if (saved.voxelwise()) throw new InputException(model + " is a voxelwise model; use " +
			"apply for images, or give a model saved by combat-table --model-out.");
		TableSpec spec = TableSpec.batch(saved.batchColumn()).features(saved.features())
			.minSubjectsPerBatch(1);
		if (saved.idColumn() != null) spec = spec.idColumn(saved.idColumn());
		final FeatureTable t = FeatureTable.read(table.toPath(), spec, true, true);
		final List<String> warnings = new ArrayList<>();
		final Design design = saved.designFor(t.table(), t.subjectIds(), t.batches(), clamp,
			warnings);
		final long t0 = System.nanoTime();
		final double[][] result = new double[t.nSubjects()][t.nFeatures()];
		saved.model().apply(design, t.matrix(), new FeatureMatrix.DoubleRows(result), progress,
			canceled);
		final double seconds = (System.nanoTime() - t0) / 1e9;
		t.writeHarmonised(out.toPath(), result);
		final StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
			"Applied the %s model %s to %d features of %d subjects in %.3f s; wrote %s.", saved
				.method(), model, t.nFeatures(), t.nSubjects(), seconds, out));
		for (final String w : warnings)
			s.append(" Warning: ").append(w);
		return s.toString();
	}
}

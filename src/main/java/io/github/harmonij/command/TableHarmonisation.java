// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

import io.github.harmonij.cohort.FeatureTable;
import io.github.harmonij.cohort.TableSpec;
import io.github.harmonij.core.ComBat;
import io.github.harmonij.core.ComBatOptions;
import io.github.harmonij.core.Design;
import io.github.harmonij.core.FeatureMatrix;
import io.github.harmonij.core.FeatureStatus;
import io.github.harmonij.core.HarmonisationFit;
import io.github.harmonij.core.InputException;
import io.github.harmonij.core.Progress;
import io.github.harmonij.core.SiteRegression;
import io.github.harmonij.core.stats.SiteTests;
import io.github.harmonij.io.OutputFolder;
import io.github.harmonij.io.UserPaths;
import io.github.harmonij.io.WriteFailures;
import io.github.harmonij.model.SavedModel;
import io.github.harmonij.pipeline.SiteEffectMaps;
import io.github.harmonij.report.Report;

/**
 * Reads a table, harmonises its feature columns, writes the same table with them replaced (and,
 * if asked, the model and the report of site effects before and after).
 */
final class TableHarmonisation {

	/** Appended to the output table's name (without extension) for its report folder. */
	static final String REPORT_SUFFIX = "_report";

	private TableHarmonisation() {}

	/**
	 * Harmonises a table and writes it, with the saved model and the report if asked. The outputs
	 * appear together: the report is made in a hidden work folder, then the table, the model and
	 * the report folder are put in place in that order, and if one of them fails the ones already
	 * in place are removed. On bad input, failure or cancel nothing is left.
	 *
	 * @param smooth comma-separated smooth covariates (natural cubic splines)
	 * @param smoothDf degrees of freedom of each smooth covariate
	 * @param combat ComBat options, or null for the linear site adjustment
	 * @param modelOut where to save the model (JSON), or null
	 * @param report also test site effects before and after, as Table Site Effects with the
	 *          same site column, covariates and features, into {@link #reportFolder}
	 * @param q the FDR level of the report's tests
	 * @return a summary line
	 */
	static String run(final File table, final String batch, final String id,
		final String covariates, final String categorical, final String smooth, final int smoothDf,
		final String features, final ComBatOptions combat, final String refBatch, final File out,
		final File modelOut, final boolean report, final double q, final Progress progress,
		final BooleanSupplier canceled)
	{
		CommandSupport.require(table, "table", "the table (CSV)");
		CommandSupport.require(out, "out", "the output table (CSV)");
		UserPaths.checkDistinct(UserPaths.files("out", out, "model_out", modelOut), UserPaths
			.files("table", table));
		if (out.exists()) throw new InputException(out + " already exists; choose a new output " +
			"file (nothing was overwritten).");
		final Path folder = out.getAbsoluteFile().toPath().getParent();
		if (folder == null || !Files.isDirectory(folder)) throw new InputException("The folder " +
			folder + " does not exist; create it or choose another place for " + out.getName() +
			" (nothing was written).");
		final boolean saveModel = modelOut != null && !modelOut.getPath().isEmpty();
		if (saveModel && modelOut.exists()) throw new InputException(modelOut + " already " +
			"exists; choose a new model file (nothing was overwritten).");
		final Path reportDir = report ? reportFolder(out.toPath()) : null;
		if (report) {
			SiteEffectMaps.checkQ(q);
			checkReportFolder(reportDir, out.toPath());
			if (saveModel && modelOut.getAbsoluteFile().toPath().normalize().startsWith(reportDir
				.toAbsolutePath().normalize())) throw new InputException("model_out " + modelOut +
					" is in the report folder " + reportDir + " that report makes for " + out
						.getName() + "; save the model elsewhere (nothing was written).");
		}
		final String ref = combat != null ? combat.refBatch() : refBatch;
		TableSpec spec = TableSpec.batch(batch == null ? "" : batch.trim()).covariates(
			CommandSupport.list(covariates)).categorical(CommandSupport.list(categorical)).features(
				CommandSupport.list(features)).meanOnly(combat != null && combat.meanOnly())
			.regression(combat == null).referenceBatch(ref).smooth(CommandSupport.list(smooth))
			.smoothDf(smoothDf);
		if (CommandSupport.blankToNull(id) != null) spec = spec.idColumn(id.trim());
		final FeatureTable t = FeatureTable.read(table.toPath(), spec, true, false);
		final long missing = t.nMissing();
		if (report && missing > 0) throw new InputException(missingForReport(t));
		if (report) try {
			SiteTests.validate(t.design(), new int[0]);
		}
		catch (final InputException e) {
			throw new InputException("The report's site tests cannot run on " + table.getName() +
				": " + e.getMessage() + " Or harmonise without report (nothing was written).");
		}
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
		final TableEffects.Result effects;
		try (OutputFolder work = report ? OutputFolder.create(reportDir, canceled)
			: null)
		{
			effects = report ? TableEffects.write(work.path(), t, result, out.toPath(), q, true,
				invocation(combat, ref, modelOut, saveModel), canceled) : null;
			if (canceled.getAsBoolean()) throw new CancellationException();
			publish(t, result, out.toPath(), saveModel ? modelOut.toPath() : null, saveModel
				? () -> SavedModel.writeTable(modelOut.toPath(), fit, t, options) : null, work);
		}
		catch (final IOException e) {
			throw new InputException("Cannot write the report in " + reportDir + ": " +
				WriteFailures.explain(e), e);
		}
		final long unchanged = t.nFeatures() - fit.count(FeatureStatus.HARMONISED);
		final StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
			"Harmonised %d features of %d subjects from %d sites with %s in %.3f s; wrote %s.", t
				.nFeatures(), t.nSubjects(), t.design().nBatches(), combat != null ? "ComBat (" +
					combat + ")" : "linear regression", seconds, out));
		if (unchanged > 0) s.append(' ').append(unchangedFeatures(t, fit, combat != null && combat
			.meanOnly() ? 1 : 2));
		if (missing > 0) s.append(String.format(Locale.ROOT, " %d missing cells were left " +
			"missing; each feature was fitted on its non-missing subjects (as sva::ComBat).",
			missing));
		if (saveModel) s.append(" Saved the model to ").append(modelOut).append('.');
		if (report) s.append(" Report: ").append(reportDir.resolve(Report.FILE_NAME)).append("; ")
			.append(effects.siteEffects(q)).append('.');
		for (final String note : t.notes())
			s.append(' ').append(note);
		return s.toString();
	}

	/**
	 * The report folder of an output table: beside it, named after it without its extension and
	 * with {@code _report}, e.g. {@code volumes_harmonised_report} for
	 * {@code volumes_harmonised.csv}.
	 */
	static Path reportFolder(final Path out) {
		final String name = out.getFileName().toString();
		final int dot = name.lastIndexOf('.');
		return out.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + REPORT_SUFFIX);
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
		UserPaths.checkDistinct(UserPaths.files("out", out), UserPaths.files("model", model,
			"table", table));
		if (out.exists()) throw new InputException(out + " already exists; choose a new output " +
			"file (nothing was overwritten).");
		final SavedModel saved = tableModel(model, "apply");
		final FeatureTable t = readFor(saved, table);
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

	/**
	 * @param forImages the command that takes a voxelwise model instead
	 * @throws InputException if the model cannot be read or is voxelwise
	 */
	static SavedModel tableModel(final File model, final String forImages) {
		final SavedModel saved = SavedModel.read(model.toPath());
		if (saved.voxelwise()) throw new InputException(model + " is a voxelwise model; use " +
			forImages + " for images, or give a model saved by combat-table --model-out.");
		return saved;
	}

	/** Reads a table with the columns of a saved table model (its site, id and features). */
	static FeatureTable readFor(final SavedModel saved, final File table) {
		TableSpec spec = TableSpec.batch(saved.batchColumn()).features(saved.features())
			.minSubjectsPerBatch(1);
		if (saved.idColumn() != null) spec = spec.idColumn(saved.idColumn());
		return FeatureTable.read(table.toPath(), spec, true, true);
	}

	// -- Helper methods --

	/**
	 * "3 features were left unchanged: vol_const (constant in all subjects), vol_cis (constant
	 * within site A), vol_one (too few non-missing values in site A: 1)."
	 *
	 * @param minValues the fewest non-missing values a site needs (2, or 1 in mean-only mode)
	 */
	static String unchangedFeatures(final FeatureTable t, final HarmonisationFit fit,
		final int minValues)
	{
		final double[][] v = t.values();
		final Design d = t.design();
		final List<String> names = t.featureNames();
		final List<String> listed = new ArrayList<>();
		for (int f = 0; f < names.size(); f++) {
			final FeatureStatus status = fit.status(f);
			if (status == FeatureStatus.HARMONISED) continue;
			final List<String> sites = new ArrayList<>();
			final List<String> counts = new ArrayList<>();
			for (int b = 0; b < d.nBatches(); b++) {
				int n = 0;
				double first = Double.NaN;
				boolean constant = true;
				for (final int j : d.subjectsOf(b)) {
					if (Double.isNaN(v[j][f])) continue;
					if (n++ == 0) first = v[j][f];
					else if (v[j][f] != first) constant = false;
				}
				final boolean hit = status == FeatureStatus.CONSTANT_IN_SITE ? n >= 2 && constant
					: status == FeatureStatus.TOO_FEW_VALUES && n < minValues;
				if (!hit) continue;
				sites.add(d.batchLevel(b));
				counts.add(d.batchLevel(b) + ": " + n);
			}
			final String reason;
			if (status == FeatureStatus.CONSTANT_IN_SITE && !sites.isEmpty()) reason =
				"constant within " + (sites.size() == 1 ? "site " : "sites ") + String.join(", ",
					sites);
			else if (status == FeatureStatus.TOO_FEW_VALUES && !sites.isEmpty()) reason =
				"too few non-missing values in " + (sites.size() == 1 ? "site " : "sites ") + String
					.join(", ", counts);
			else reason = status.description();
			listed.add(names.get(f) + " (" + reason + ")");
		}
		return listed.size() + (listed.size() == 1 ? " feature was" : " features were") +
			" left unchanged: " + String.join(", ", listed) + ".";
	}

	/** @throws InputException if the report folder exists and is not an empty folder */
	private static void checkReportFolder(final Path dir, final Path out) {
		try {
			OutputFolder.checkUsable(dir);
		}
		catch (final InputException e) {
			throw new InputException(dir + " already exists and is not an empty folder; the " +
				"report of " + out.getFileName() + " goes there. Move or rename it, or choose " +
				"another output table (nothing was written).");
		}
	}

	/** The tests need every cell, as Table Site Effects; name the features that lack some. */
	private static String missingForReport(final FeatureTable t) {
		final double[][] v = t.values();
		final List<String> incomplete = new ArrayList<>();
		for (int f = 0; f < t.nFeatures(); f++)
			for (final double[] row : v)
				if (Double.isNaN(row[f])) {
					incomplete.add(t.featureNames().get(f));
					break;
				}
		return t.file().getFileName() + " has " + t.nMissing() + " missing feature cells (in " +
			String.join(", ", incomplete) + "); the report's site tests need every cell, as " +
			"Table Site Effects does. Harmonise without report, or leave those columns out with " +
			"features=... (nothing was written).";
	}

	/**
	 * How the harmonised table was made, for the report's run.json (which names the two tables
	 * already).
	 */
	private static Map<String, Object> invocation(final ComBatOptions combat, final String ref,
		final File modelOut, final boolean saveModel)
	{
		final Map<String, Object> m = new LinkedHashMap<>();
		m.put("command", combat != null ? "combat-table" : "regress-table");
		m.put("method", combat != null ? "ComBat" : "linear regression");
		m.put("options", combat != null ? combat.toString() : "ref_batch=" + (ref == null ? "none"
			: "\"" + ref + "\""));
		m.put("model_out", saveModel ? modelOut.getAbsolutePath() : "");
		return m;
	}

	/**
	 * Puts the outputs in place: the table, then the model ({@code writeModel} writes
	 * {@code modelOut}), then the report folder (committed
	 * last, so a report is never left without its table); a failure removes the files already
	 * written, so that nothing looks finished.
	 */
	static void publish(final FeatureTable t, final double[][] result, final Path out,
		final Path modelOut, final Runnable writeModel, final OutputFolder report)
	{
		final List<Path> written = new ArrayList<>();
		try {
			t.writeHarmonised(out, result);
			written.add(out);
			if (modelOut != null) {
				writeModel.run();
				written.add(modelOut);
			}
			if (report != null) report.commit();
		}
		catch (final RuntimeException e) {
			for (final Path p : written)
				try {
					Files.deleteIfExists(p);
				}
				catch (final IOException x) {
					e.addSuppressed(x);
				}
			throw e;
		}
	}
}

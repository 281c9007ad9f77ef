// SPDX-License-Identifier: MIT
package io.github.harmonij.pipeline;

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
import io.github.harmonij.core.ComBatOptions;
import io.github.harmonij.core.Design;
import io.github.harmonij.core.FeatureMatrix;
import io.github.harmonij.core.FeatureStatus;
import io.github.harmonij.core.HarmonisationFit;
import io.github.harmonij.core.HarmonisationMethod;
import io.github.harmonij.core.InputException;
import io.github.harmonij.core.Progress;
import io.github.harmonij.core.stats.SiteTests;
import io.github.harmonij.io.OutputFolder;
import io.github.harmonij.io.RunRecord;
import io.github.harmonij.io.UserPaths;
import io.github.harmonij.io.WriteFailures;
import io.github.harmonij.model.SavedModel;

/**
 * Reads a table, harmonises its feature columns, writes the same table with them replaced (and,
 * if asked, the model and the report of site effects before and after); applies a saved table
 * model to a table.
 */
public final class TableHarmonisation {

	/** Appended to the output table's name (without extension) for its report folder. */
	static final String REPORT_SUFFIX = "_report";

	/**
	 * What to harmonise and where to write. Immutable: the commands build it with
	 * {@link #combat} or {@link #regression} and the optional steps of {@link Builder}.
	 */
	public static final class Request {

		private final Path table, out, modelOut;

		private final TableSpec spec;

		private final ComBatOptions combat;

		private final String refBatch;

		private final double q;

		private final BoxPlots plots;

		private final ReportWriter report;

		private Request(final Builder b) {
			table = b.table;
			out = b.out;
			modelOut = b.modelOut;
			spec = b.spec;
			combat = b.combat;
			refBatch = b.refBatch;
			q = b.q;
			plots = b.plots;
			report = b.report;
		}

		/**
		 * @param spec the table's columns (site, id, covariates, features)
		 * @param options ComBat's options, with the reference site if any
		 * @param out a new file
		 */
		public static Builder combat(final Path table, final TableSpec spec,
			final ComBatOptions options, final Path out)
		{
			return new Builder(table, spec, options, options.refBatch(), out);
		}

		/**
		 * @param spec the table's columns (site, id, covariates, features)
		 * @param refBatch the reference site, or null
		 * @param out a new file
		 */
		public static Builder regression(final Path table, final TableSpec spec,
			final String refBatch, final Path out)
		{
			return new Builder(table, spec, null, refBatch, out);
		}
	}

	/** The optional steps of a {@link Request}; {@link #build} checks the files. */
	public static final class Builder {

		private final Path table, out;

		private final TableSpec spec;

		private final ComBatOptions combat;

		private final String refBatch;

		private Path modelOut;

		private double q = SiteEffectMaps.DEFAULT_Q;

		private BoxPlots plots;

		private ReportWriter report;

		private Builder(final Path table, final TableSpec spec, final ComBatOptions combat,
			final String refBatch, final Path out)
		{
			this.table = table;
			this.spec = spec;
			this.combat = combat;
			this.refBatch = refBatch;
			this.out = out;
		}

		/** @param file where to save the model (JSON), or null for nowhere */
		public Builder modelOut(final Path file) {
			modelOut = file;
			return this;
		}

		/**
		 * Also tests site effects before and after, as Table Site Effects with the same site
		 * column, covariates and features, into {@link #reportFolder}.
		 *
		 * @param fdr the FDR level of the tests
		 * @param boxPlots draws the residual box plots
		 * @param writer writes report.html
		 */
		public Builder report(final double fdr, final BoxPlots boxPlots, final ReportWriter writer) {
			q = fdr;
			plots = boxPlots;
			report = writer;
			return this;
		}

		/**
		 * @throws InputException if an output is an input, exists, or has no folder; or, with a
		 *           report, if q is not a rate or the report folder is in the way or holds the
		 *           model
		 */
		public Request build() {
			UserPaths.checkDistinct(UserPaths.files("out", out.toFile(), "model_out", modelOut ==
				null ? null : modelOut.toFile()), UserPaths.files("table", table.toFile()));
			if (Files.exists(out)) throw new InputException(out + " already exists; choose a new " +
				"output file (nothing was overwritten).");
			final Path folder = out.toAbsolutePath().getParent();
			if (folder == null || !Files.isDirectory(folder)) throw new InputException("The " +
				"folder " + folder + " does not exist; create it or choose another place for " + out
					.getFileName() + " (nothing was written).");
			if (modelOut != null && Files.exists(modelOut)) throw new InputException(modelOut +
				" already exists; choose a new model file (nothing was overwritten).");
			if (report != null) {
				final Path reportDir = reportFolder(out);
				SiteEffectMaps.checkQ(q);
				checkReportFolder(reportDir, out);
				if (modelOut != null && modelOut.toAbsolutePath().normalize().startsWith(reportDir
					.toAbsolutePath().normalize())) throw new InputException("model_out " + modelOut +
						" is in the report folder " + reportDir + " that report makes for " + out
							.getFileName() + "; save the model elsewhere (nothing was written).");
			}
			return new Request(this);
		}
	}

	/**
	 * What to apply a saved table model to. Immutable: built with {@link #of}, clamping with
	 * {@link #clamp}.
	 */
	public static final class ApplyRequest {

		private final Path model, table, out;

		private final boolean clamp;

		private ApplyRequest(final Path model, final Path table, final Path out,
			final boolean clamp)
		{
			this.model = model;
			this.table = table;
			this.out = out;
			this.clamp = clamp;
		}

		/**
		 * @param model the saved model (JSON)
		 * @param table the table of subjects of the model's sites
		 * @param out a new file
		 * @throws InputException if an output is an input, or exists
		 */
		public static ApplyRequest of(final Path model, final Path table, final Path out) {
			UserPaths.checkDistinct(UserPaths.files("out", out.toFile()), UserPaths.files("model",
				model.toFile(), "table", table.toFile()));
			if (Files.exists(out)) throw new InputException(out + " already exists; choose a new " +
				"output file (nothing was overwritten).");
			return new ApplyRequest(model, table, out, false);
		}

		/**
		 * @param clampSmooth clamp smooth covariates to the training range (with a warning)
		 *          instead of failing
		 * @return a changed copy
		 */
		public ApplyRequest clamp(final boolean clampSmooth) {
			return new ApplyRequest(model, table, out, clampSmooth);
		}
	}

	private TableHarmonisation() {}

	/**
	 * Harmonises a table and writes it, with the saved model and the report if asked. The outputs
	 * appear together: the report is made in a hidden work folder, then the table, the model and
	 * the report folder are put in place in that order, and if one of them fails the ones already
	 * in place are removed. On bad input, failure or cancel nothing is left.
	 *
	 * @return a summary line
	 */
	public static String run(final Request r, final Progress progress,
		final BooleanSupplier canceled)
	{
		final ComBatOptions combat = r.combat;
		final String ref = r.refBatch;
		final Path out = r.out, modelOut = r.modelOut;
		final boolean report = r.report != null, saveModel = modelOut != null;
		final double q = r.q;
		final Path reportDir = report ? reportFolder(out) : null;
		final TableSpec spec = r.spec.meanOnly(combat != null && combat.meanOnly()).regression(
			combat == null).referenceBatch(ref);
		final Path table = r.table;
		final FeatureTable t = FeatureTable.read(table, spec, true, false);
		final long missing = t.nMissing();
		if (report && missing > 0) throw new InputException(missingForReport(t));
		if (report) try {
			SiteTests.validate(t.design(), new int[0]);
		}
		catch (final InputException e) {
			throw new InputException("The report's site tests cannot run on " + table.getFileName() +
				": " + e.getMessage() + " Or harmonise without report (nothing was written).");
		}
		// missing cells are fitted around (sva's missing-value path), as the table has them
		final HarmonisationMethod method = combat == null ? HarmonisationMethod.siteRegression(ref,
			missing > 0) : HarmonisationMethod.combat(combat.withMissingValues(missing > 0));
		final ComBatOptions options = method.combatOptions();
		method.validate(t.design());
		final long t0 = System.nanoTime();
		final FeatureMatrix.DoubleRows in = t.matrix();
		final HarmonisationFit fit = method.fit(in, t.design(), progress, canceled);
		final double[][] result = new double[t.nSubjects()][t.nFeatures()];
		fit.apply(in, new FeatureMatrix.DoubleRows(result), progress, canceled);
		final double seconds = (System.nanoTime() - t0) / 1e9;
		OutputFolder.checkUsable(out); // a folder of that name would be a mistake too
		final TableEffects.Result effects;
		try (OutputFolder work = report ? OutputFolder.create(reportDir, canceled)
			: null)
		{
			effects = report ? TableEffects.write(work.path(), t, result, out, q, r.plots, r.report,
				harmonisation(combat, ref, modelOut), canceled) : null;
			if (canceled.getAsBoolean()) throw new CancellationException();
			publish(t, result, out, modelOut, saveModel ? () -> SavedModel.writeTable(modelOut, fit,
				t, options) : null, work);
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
		s.append(columns(t, List.of()));
		if (unchanged > 0) s.append(' ').append(unchangedFeatures(t, fit, combat != null && combat
			.meanOnly() ? 1 : 2));
		if (missing > 0) s.append(String.format(Locale.ROOT, " %d missing cells were left " +
			"missing; each feature was fitted on its non-missing subjects (as sva::ComBat).",
			missing));
		if (saveModel) s.append(" Saved the model to ").append(modelOut).append('.');
		if (report) s.append(" Report: ").append(reportDir.resolve(effects.report)).append("; ")
			.append(effects.siteEffects(q)).append('.');
		return s.toString();
	}

	/**
	 * The report folder of an output table: beside it, named after it without its extension and
	 * with {@code _report}, e.g. {@code volumes_harmonised_report} for
	 * {@code volumes_harmonised.csv}.
	 */
	public static Path reportFolder(final Path out) {
		final String name = out.getFileName().toString();
		final int dot = name.lastIndexOf('.');
		return out.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + REPORT_SUFFIX);
	}

	/**
	 * Harmonises the rows of a table with a saved table model.
	 *
	 * @return a summary line (with any clamping warnings)
	 */
	public static String apply(final ApplyRequest r, final Progress progress,
		final BooleanSupplier canceled)
	{
		final Path model = r.model, table = r.table, out = r.out;
		final boolean clamp = r.clamp;
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
		t.writeHarmonised(out, result);
		final StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
			"Applied the %s model %s to %d features of %d subjects in %.3f s; wrote %s.", saved
				.method(), model, t.nFeatures(), t.nSubjects(), seconds, out));
		s.append(columns(t, saved.coding().names()));
		for (final String w : warnings)
			s.append(" Warning: ").append(w);
		return s.toString();
	}

	/**
	 * @param forImages the command that takes a voxelwise model instead
	 * @throws InputException if the model cannot be read or is voxelwise
	 */
	static SavedModel tableModel(final Path model, final String forImages) {
		final SavedModel saved = SavedModel.read(model);
		if (saved.voxelwise()) throw new InputException(model + " is a voxelwise model; use " +
			forImages + " for images, or give a model saved by combat-table --model-out.");
		return saved;
	}

	/** Reads a table with the columns of a saved table model (its site, id and features). */
	static FeatureTable readFor(final SavedModel saved, final Path table) {
		TableSpec spec = TableSpec.batch(saved.batchColumn()).features(saved.features())
			.minSubjectsPerBatch(1);
		if (saved.idColumn() != null) spec = spec.idColumn(saved.idColumn());
		return FeatureTable.read(table, spec, true, true);
	}

	// -- Helper methods --

	/**
	 * Names every feature and every other column left as it is (not the id, site and covariates),
	 * so that a column harmonised by default, or one left out, is never a surprise.
	 *
	 * @param covariates the covariates, if the table was read without them (a saved model's)
	 * @return " Features: lh, rh. Left as they are: visit (excluded), dx (text)."
	 */
	static String columns(final FeatureTable t, final List<String> covariates) {
		final Map<String, String> left = new LinkedHashMap<>(t.leftAlone());
		left.keySet().removeAll(covariates);
		final StringBuilder s = new StringBuilder(" Features: ").append(String.join(", ", t
			.featureNames())).append('.');
		if (!left.isEmpty()) s.append(" Left as they are: ").append(FeatureTable.describe(left))
			.append('.');
		return s.toString();
	}

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
	private static RunRecord.Harmonisation harmonisation(final ComBatOptions combat,
		final String ref, final Path modelOut)
	{
		return new RunRecord.Harmonisation(combat != null ? "combat-table" : "regress-table",
			combat != null ? "ComBat" : "linear regression", combat != null ? combat.toString()
				: "ref_batch=" + (ref == null ? "none" : "\"" + ref + "\""), modelOut == null ? ""
					: modelOut.toAbsolutePath().toString());
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

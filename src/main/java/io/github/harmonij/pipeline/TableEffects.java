// SPDX-License-Identifier: MIT
package io.github.harmonij.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

import io.github.harmonij.cohort.FeatureTable;
import io.github.harmonij.cohort.TableSpec;
import io.github.harmonij.core.InputException;
import io.github.harmonij.core.FeatureMatrix;
import io.github.harmonij.core.Progress;
import io.github.harmonij.core.stats.EvidenceSummary;
import io.github.harmonij.core.stats.Fdr;
import io.github.harmonij.core.stats.SiteTestResult;
import io.github.harmonij.core.stats.SiteTests;
import io.github.harmonij.io.Csv;
import io.github.harmonij.io.OutputFolder;
import io.github.harmonij.io.RunRecord;

/**
 * The site effects of a table, before and, given its harmonised values, after harmonisation,
 * written into a result folder: {@code effects.csv}, {@code summary.csv} (with after),
 * {@code cohort.csv}, {@code plots/*.png}, {@code run.json} and, if asked, {@code report.html}.
 * One implementation for Table Site Effects and for the table harmonisation commands with
 * {@code report}, so both give the same files for the same tables and options. The plots and the
 * report are drawn by what the request gives ({@link BoxPlots}, {@link ReportWriter}).
 */
public final class TableEffects {

	/** Box plots drawn for at most this many features (those with the largest site F before). */
	static final int MAX_PLOTS = 12;

	/** The tests before and (or null) after. */
	public static final class Result {

		final SiteTestResult before, after;

		/** The report's file relative to the folder, or null for none. */
		final Path report;

		Result(final SiteTestResult before, final SiteTestResult after, final Path report) {
			this.before = before;
			this.after = after;
			this.report = report;
		}

		/** @return e.g. "site effect (FDR q=0.05) in 83.3 % of features before, 0.0 % after" */
		public String siteEffects(final double q) {
			return String.format(Locale.ROOT, "site effect (FDR q=%s) in %.1f %% of features%s", Csv
				.formatDouble(q), EvidenceSummary.percentSignificant(before.siteP(), q), after == null
					? "" : String.format(Locale.ROOT, " before, %.1f %% after", EvidenceSummary
						.percentSignificant(after.siteP(), q)));
		}
	}

	/**
	 * A Table Site Effects run: the table, its columns, the harmonised table if any, q and the
	 * output folder. Immutable: built with {@link #of} and the optional steps.
	 */
	public static final class Request {

		private final Path table, harmonised, out;

		private final TableSpec spec;

		private final double q;

		private final BoxPlots plots;

		private final ReportWriter report;

		private Request(final Path table, final TableSpec spec, final Path harmonised,
			final double q, final Path out, final BoxPlots plots, final ReportWriter report)
		{
			this.table = table;
			this.spec = spec;
			this.harmonised = harmonised;
			this.q = q;
			this.out = out;
			this.plots = plots;
			this.report = report;
		}

		/**
		 * @param spec the table's columns (one subject per site is enough for the tests)
		 * @param q the FDR level
		 * @param out a new or empty folder
		 * @param plots draws the residual box plots
		 * @throws InputException if q is not a rate or the folder is not new or empty
		 */
		public static Request of(final Path table, final TableSpec spec, final double q,
			final Path out, final BoxPlots plots)
		{
			SiteEffectMaps.checkQ(q);
			OutputFolder.checkUsable(out);
			return new Request(table, spec.minSubjectsPerBatch(1), null, q, out, plots, null);
		}

		/**
		 * @param file the same table harmonised, for before and after; or null
		 * @return a changed copy
		 */
		public Request harmonised(final Path file) {
			return new Request(table, spec, file, q, out, plots, report);
		}

		/**
		 * @param writer writes report.html into the folder before it is committed
		 * @return a changed copy
		 */
		public Request report(final ReportWriter writer) {
			return new Request(table, spec, harmonised, q, out, plots, writer);
		}
	}

	private TableEffects() {}

	/**
	 * Reads the tables, tests them and writes the results into a new folder, which appears only
	 * when complete.
	 *
	 * @return a summary line
	 * @throws InputException for bad input, or if the folder cannot be written
	 * @throws CancellationException if canceled; nothing is left
	 */
	public static String run(final Request r, final BooleanSupplier canceled) {
		final FeatureTable before = FeatureTable.read(r.table, r.spec);
		final FeatureTable after = r.harmonised == null ? null : FeatureTable.read(r.harmonised,
			r.spec.features(before.featureNames()));
		if (after != null) checkSameSubjects(before, after);
		final Result tests;
		try (OutputFolder folder = OutputFolder.create(r.out, canceled)) {
			tests = write(folder.path(), before, after == null ? null : after.values(), after ==
				null ? null : after.file(), r.q, r.plots, r.report, null, canceled);
			folder.commit();
		}
		catch (final IOException e) {
			throw new InputException("Cannot write " + r.out + ": " + e.getMessage());
		}
		return String.format(Locale.ROOT, "Tested %d features of %d subjects from %d sites: %s. " +
			"Results: %s.", before.nFeatures(), before.nSubjects(), before.design().nBatches(),
			tests.siteEffects(r.q), r.out) + TableHarmonisation.columns(before, List.of());
	}


	/**
	 * Tests site effects in a table (and after harmonisation) and writes the results.
	 *
	 * @param dir an existing empty folder: the work folder of an {@code OutputFolder}
	 * @param before the original table; its design (site, covariates, their coding) is used for
	 *          both tests
	 * @param after the harmonised values {@code [subject][feature]} of {@code before}'s features,
	 *          or null; only read
	 * @param harmonised the harmonised table's file, for run.json, or null
	 * @param q the FDR level, checked by the caller
	 * @param plots draws the residual box plots
	 * @param report writes report.html, or null for none
	 * @param harmonisation how the harmonised table was made, for run.json, or null
	 * @param canceled checked between the steps
	 * @return the tests
	 */
	static Result write(final Path dir, final FeatureTable before, final double[][] after,
		final Path harmonised, final double q, final BoxPlots plots, final ReportWriter report,
		final RunRecord.Harmonisation harmonisation, final BooleanSupplier canceled)
		throws IOException
	{
		final int[] none = new int[0];
		final FeatureMatrix.DoubleRows a = after == null ? null : new FeatureMatrix.DoubleRows(
			after);
		final SiteTestResult rb = SiteTests.run(before.matrix(), before.design(), none,
			Progress.NONE, canceled);
		final SiteTestResult ra = a != null ? SiteTests.run(a, before.design(), none, Progress.NONE,
			canceled) : null;
		writeEffects(dir.resolve("effects.csv"), before.featureNames(), rb, ra);
		if (ra != null) SiteEffectMaps.writeComparison(dir.resolve("summary.csv"), rb, ra, null, q);
		SiteEffectMaps.writeCohort(dir.resolve("cohort.csv"), before.design(), before.coding());
		writePlots(dir.resolve("plots"), before, a, rb, plots, canceled);
		RunRecord.builder().analysis("table site effects").table(before.file()).harmonised(
			harmonised).batchColumn(before.spec().batchColumn()).covariates(before.spec()
				.allCovariates(), before.spec().categorical(), before.spec().smooth()).smoothDf(before
					.spec().smoothDf()).features(before.featureNames()).q(q).harmonisation(
						harmonisation).write(dir);
		if (canceled.getAsBoolean()) throw new CancellationException();
		final Path html = report == null ? null : dir.relativize(report.write(dir));
		return new Result(rb, ra, html);
	}

	// -- Helper methods --

	private static void writeEffects(final Path file, final List<String> names,
		final SiteTestResult b, final SiteTestResult a)
	{
		final List<String> header = new ArrayList<>(Arrays.asList("feature"));
		final String[] parts = { "site_F", "site_p", "site_p_bh", "lrt", "lrt_p", "levene_F",
			"levene_p" };
		for (final String when : a != null ? new String[] { "before", "after" } : new String[] {
			"" })
			for (final String p : parts)
				header.add(when.isEmpty() ? p : p + "_" + when);
		final List<double[]> cols = new ArrayList<>();
		for (final SiteTestResult r : a != null ? new SiteTestResult[] { b, a }
			: new SiteTestResult[] { b })
		{
			cols.addAll(Arrays.asList(r.siteF(), r.siteP(), Fdr.adjustBh(r.siteP()), r.lrt(), r.lrtP(),
				r.leveneF(), r.leveneP()));
		}
		final List<String[]> rows = new ArrayList<>();
		for (int f = 0; f < names.size(); f++) {
			final String[] row = new String[header.size()];
			row[0] = names.get(f);
			for (int c = 0; c < cols.size(); c++)
				row[c + 1] = Csv.formatDouble(cols.get(c)[f]);
			rows.add(row);
		}
		Csv.write(file, header, rows);
	}

	/** Residual box plots before (and after), side by side, for the features with largest F. */
	private static void writePlots(final Path dir, final FeatureTable before,
		final FeatureMatrix after, final SiteTestResult rb, final BoxPlots plots,
		final BooleanSupplier canceled) throws IOException
	{
		Files.createDirectory(dir);
		final double[][] resB = SiteTests.covariateResiduals(before.matrix(), before.design());
		final double[][] resA = after != null ? SiteTests.covariateResiduals(after, before.design())
			: null;
		final double[] f = rb.siteF();
		final Integer[] order = new Integer[f.length];
		for (int i = 0; i < f.length; i++)
			order[i] = i;
		Arrays.sort(order, (x, y) -> Double.compare(Double.isNaN(f[y]) ? -1 : f[y], Double.isNaN(
			f[x]) ? -1 : f[x]));
		final int[] largest = new int[Math.min(MAX_PLOTS, f.length)];
		for (int i = 0; i < largest.length; i++)
			largest[i] = order[i];
		plots.write(dir, before.featureNames(), resB, resA, before.batches().toArray(new String[0]),
			largest, canceled);
	}

	private static void checkSameSubjects(final FeatureTable a, final FeatureTable b) {
		if (!a.subjectIds().equals(b.subjectIds()) || !a.batches().equals(b.batches()))
			throw new InputException(b.file().getFileName() + " does not have the subjects and " +
				"sites of " + a.file().getFileName() + " in the same order; give the table that " +
				"harmonisation wrote from it.");
	}
}

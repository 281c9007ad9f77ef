// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

import io.github.harmonij.cohort.FeatureTable;
import io.github.harmonij.core.FeatureMatrix;
import io.github.harmonij.core.Progress;
import io.github.harmonij.core.stats.EvidenceSummary;
import io.github.harmonij.core.stats.Fdr;
import io.github.harmonij.core.stats.SiteTestResult;
import io.github.harmonij.core.stats.SiteTests;
import io.github.harmonij.io.Csv;
import io.github.harmonij.io.JsonWriter;
import io.github.harmonij.io.OutputFolder;
import io.github.harmonij.io.Version;
import io.github.harmonij.pipeline.SiteEffectMaps;
import io.github.harmonij.report.EvidenceFigures;
import io.github.harmonij.report.Report;

/**
 * The site effects of a table, before and, given its harmonised values, after harmonisation,
 * written into a result folder: {@code effects.csv}, {@code summary.csv} (with after),
 * {@code cohort.csv}, {@code plots/*.png}, {@code run.json} and, if asked, {@code report.html}.
 * One implementation for Table Site Effects and for the table harmonisation commands with
 * {@code report}, so both give the same files for the same tables and options.
 */
final class TableEffects {

	/** Box plots drawn for at most this many features (those with the largest site F before). */
	static final int MAX_PLOTS = 12;

	/** The tests before and (or null) after. */
	static final class Result {

		final SiteTestResult before, after;

		Result(final SiteTestResult before, final SiteTestResult after) {
			this.before = before;
			this.after = after;
		}

		/** @return e.g. "site effect (FDR q=0.05) in 83.3 % of features before, 0.0 % after" */
		String siteEffects(final double q) {
			return String.format(Locale.ROOT, "site effect (FDR q=%s) in %.1f %% of features%s", Csv
				.formatDouble(q), EvidenceSummary.percentSignificant(before.siteP(), q), after == null
					? "" : String.format(Locale.ROOT, " before, %.1f %% after", EvidenceSummary
						.percentSignificant(after.siteP(), q)));
		}
	}

	private TableEffects() {}

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
	 * @param report also write report.html
	 * @param harmonisation how the harmonised table was made, for run.json, or null
	 * @param canceled checked between the steps
	 * @return the tests
	 */
	static Result write(final Path dir, final FeatureTable before, final double[][] after,
		final Path harmonised, final double q, final boolean report,
		final Map<String, Object> harmonisation, final BooleanSupplier canceled) throws IOException
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
		writePlots(dir.resolve("plots"), before, a, rb, canceled);
		final Map<String, Object> json = new LinkedHashMap<>();
		json.put("harmonij_version", Version.get());
		json.put("analysis", "table site effects");
		json.put("table", before.file().toString());
		json.put("harmonised", harmonised == null ? null : harmonised.toAbsolutePath().normalize()
			.toString());
		json.put("batch_column", before.spec().batchColumn());
		json.put("covariates", before.spec().allCovariates());
		json.put("categorical", before.spec().categorical());
		json.put("smooth", before.spec().smooth());
		json.put("smooth_df", before.spec().smoothDf());
		json.put("features", before.featureNames());
		json.put("q", q);
		if (harmonisation != null) json.put("harmonisation", harmonisation);
		json.put(OutputFolder.OUTPUTS, OutputFolder.inventory(dir));
		Files.write(dir.resolve("run.json"), JsonWriter.write(json).getBytes(
			StandardCharsets.UTF_8));
		if (canceled.getAsBoolean()) throw new CancellationException();
		if (report) Report.writeNew(dir, dir.resolve(Report.FILE_NAME));
		return new Result(rb, ra);
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
		final FeatureMatrix after, final SiteTestResult rb, final BooleanSupplier canceled)
		throws IOException
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
		final String[] sites = before.batches().toArray(new String[0]);
		final List<String> names = before.featureNames();
		for (int i = 0; i < Math.min(MAX_PLOTS, f.length); i++) {
			if (canceled.getAsBoolean()) throw new CancellationException();
			final int k = order[i];
			final double[] b = column(resB, k);
			final double[] a = resA != null ? column(resA, k) : null;
			final double[] range = a != null ? EvidenceFigures.range(b, a) : EvidenceFigures.range(b);
			final List<String> siteOrder = EvidenceFigures.orderByMean(b, sites);
			final String label = names.get(k) + " residual";
			final BufferedImage left = EvidenceFigures.image(EvidenceFigures.boxPlot(a != null ? names
				.get(k) + ": before" : names.get(k), label, b, sites, siteOrder, range));
			final BufferedImage img = a == null ? left : EvidenceFigures.sideBySide(left,
				EvidenceFigures.image(EvidenceFigures.boxPlot(names.get(k) + ": after", label, a, sites,
					siteOrder, range)));
			final String file = String.format(Locale.ROOT, "%02d_%s.png", i + 1, names.get(k)
				.replaceAll("[^A-Za-z0-9._-]", "_"));
			Files.write(dir.resolve(file), EvidenceFigures.png(img));
		}
	}

	private static double[] column(final double[][] m, final int c) {
		final double[] v = new double[m.length];
		for (int j = 0; j < m.length; j++)
			v[j] = m[j][c];
		return v;
	}
}

// SPDX-License-Identifier: MIT
package io.github.harmonij.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import io.github.harmonij.cohort.Cohort;
import io.github.harmonij.cohort.CohortManifest;
import io.github.harmonij.cohort.CohortMatrix;
import io.github.harmonij.cohort.CohortSpec;
import io.github.harmonij.cohort.CovariateCoding;
import io.github.harmonij.core.Design;
import io.github.harmonij.core.InputException;
import io.github.harmonij.core.Progress;
import io.github.harmonij.core.stats.Distributions;
import io.github.harmonij.core.stats.EvidenceSummary;
import io.github.harmonij.core.stats.Fdr;
import io.github.harmonij.core.stats.SiteTestResult;
import io.github.harmonij.core.stats.SiteTests;
import io.github.harmonij.io.Csv;
import io.github.harmonij.io.NiftiHeader;
import io.github.harmonij.io.NiftiIO;
import io.github.harmonij.io.OutputFolder;
import io.github.harmonij.io.RunRecord;

/**
 * Writes the voxelwise evidence of {@link SiteTests} as NIfTI maps on the cohort's grid, with CSV
 * summaries. One folder of maps per run:
 * <ul>
 * <li>{@code site_F}, {@code site_neglog10p}, {@code site_fdr}: the F of site (covariate model
 * against covariate + site model), -log10 p, and 1 where the Benjamini-Hochberg adjusted p is at
 * most q (else 0);</li>
 * <li>{@code levene_F}, {@code levene_neglog10p}, {@code levene_fdr}: the same for the
 * Brown-Forsythe test of equal variance across sites;</li>
 * <li>with a covariate of interest, {@code interest_t} (or {@code interest_F} for a categorical
 * covariate of more than two levels), {@code interest_neglog10p}, {@code interest_fdr};</li>
 * <li>{@code summary.csv}: per test, the degrees of freedom, the voxels tested, the number and %
 * of mask voxels significant after FDR, and the median statistic;</li>
 * <li>{@code subjects.csv}: per subject, the site and the mean covariate-model residual over the
 * mask (for box plots).</li>
 * </ul>
 * Voxels outside the mask are 0; untested voxels inside it (non-finite, constant) are NaN in the
 * statistic maps and 0 in the FDR maps. The FDR is taken over the tested mask voxels. Files are
 * created new, never overwritten.
 */
public final class SiteEffectMaps {

	/** Default false discovery rate level. */
	public static final double DEFAULT_Q = 0.05;

	private SiteEffectMaps() {}

	/**
	 * A standalone run: what to read and where to write. Immutable: built with {@link #of} and
	 * the optional steps, each of which returns a changed copy.
	 */
	public static final class Request {

		private final Path manifest, mask, out;

		private final CohortSpec spec;

		private final String interest;

		private final double q;

		private final Map<String, Object> invocation;

		private final ReportWriter report;

		private Request(final Path manifest, final CohortSpec spec, final Path mask,
			final String interest, final double q, final Path out,
			final Map<String, Object> invocation, final ReportWriter report)
		{
			this.manifest = manifest;
			this.spec = spec;
			this.mask = mask;
			this.interest = interest;
			this.q = q;
			this.out = out;
			this.invocation = Collections.unmodifiableMap(new LinkedHashMap<>(invocation));
			this.report = report;
		}

		/**
		 * @param spec the manifest's columns
		 * @param out a new or empty folder
		 * @throws InputException if there is no output folder
		 */
		public static Request of(final Path manifest, final CohortSpec spec, final Path out) {
			if (out == null) throw new InputException("No output folder given: set out=[folder].");
			return new Request(manifest, spec, null, null, DEFAULT_Q, out, Map.of(), null);
		}

		/** @param file a brain mask, or null (see {@link CohortMatrix#read}) */
		public Request mask(final Path file) {
			return new Request(manifest, spec, file, interest, q, out, invocation, report);
		}

		/**
		 * @param covariate the covariate of interest, or null
		 * @param fdr the false discovery rate level
		 */
		public Request interest(final String covariate, final double fdr) {
			return new Request(manifest, spec, mask, covariate, fdr, out, invocation, report);
		}

		/** @param parameters how the run was asked for, for run.json */
		public Request invocation(final Map<String, Object> parameters) {
			return new Request(manifest, spec, mask, interest, q, out, parameters, report);
		}

		/** @param writer writes the report into the folder before it is committed */
		public Request report(final ReportWriter writer) {
			return new Request(manifest, spec, mask, interest, q, out, invocation, writer);
		}
	}

	/**
	 * Reads a cohort, tests every masked voxel and writes the maps ({@link #write}), the cohort
	 * table ({@code cohort.csv}) and {@code run.json} into a new folder, which appears only when
	 * complete.
	 *
	 * @return a one-paragraph summary
	 * @throws InputException for bad input, found before heavy work
	 * @throws CancellationException if canceled; nothing is left
	 */
	public static String run(final Request r, final Progress progress,
		final Consumer<String> status, final BooleanSupplier canceled)
	{
		final long t0 = System.nanoTime();
		OutputFolder.checkUsable(r.out);
		final Cohort cohort = CohortManifest.read(r.manifest, r.spec.minSubjectsPerBatch(1));
		final int[] interest = prepare(cohort, r.interest, r.q);
		final CohortMatrix cm;
		final SiteTestResult result;
		// Owned from the start: a second run for the same folder refuses at once.
		try (OutputFolder out = OutputFolder.create(r.out, canceled)) {
			cm = CohortMatrix.read(cohort, r.mask, progress, status, canceled);
			status.accept("Testing site effects at " + cm.nVoxels() + " voxels");
			result = SiteTests.run(cm.matrix(), cohort.design(), interest, progress, canceled);
			status.accept("Writing maps");
			final Path dir = out.path();
			write(dir, cm, result, r.interest, r.q, NiftiIO.DEFAULT_DEFLATE_LEVEL);
			writeCohort(dir.resolve("cohort.csv"), cohort.design(), cohort.coding());
			RunRecord.builder().analysis("site effects").invocation(r.invocation).manifest(cohort
				.manifest()).mask(r.mask).batchColumn(cohort.spec().batchColumn()).batchLevels(
					Arrays.asList(cohort.design().batchLevels())).covariates(cohort.spec()
						.allCovariates(), cohort.spec().categorical(), null).interest(r.interest).q(r.q)
				.tested(cohort.nSubjects(), cm.nVoxels(), result.nTested()).seconds(Math.round((System
					.nanoTime() - t0) / 1e6) / 1e3).write(dir);
			if (r.report != null) {
				status.accept("Writing the report");
				r.report.write(dir);
			}
			out.commit();
		}
		final double pct = EvidenceSummary.percentSignificant(result.siteP(), r.q);
		return String.format(Locale.ROOT, "Tested site effects at %d voxels of %d subjects from %d " +
			"sites: %.1f %% of mask voxels have a site effect at FDR q=%s (median F %.3g). " +
			"Results: %s", cm.nVoxels(), cohort.nSubjects(), cohort.design().nBatches(), pct, Csv
				.formatDouble(r.q), EvidenceSummary.median(result.siteF()), r.out);
	}

	/**
	 * Checks q and the covariate of interest and the design for the tests, before images are read.
	 *
	 * @param interest a covariate (manifest column) among the cohort's covariates, or null/blank
	 * @return the design columns of the covariate of interest (empty for none)
	 * @throws InputException naming the bad option
	 */
	public static int[] prepare(final Cohort cohort, final String interest, final double q) {
		checkQ(q);
		final int[] cols = interestColumns(cohort.coding(), interest, cohort.manifest().getFileName()
			.toString());
		SiteTests.validate(cohort.design(), cols);
		return cols;
	}

	/** @throws InputException unless 0 &lt; q &lt; 1 */
	public static void checkQ(final double q) {
		if (!(q > 0 && q < 1)) throw new InputException("q=" + q + " is not a false discovery " +
			"rate level; give a number between 0 and 1, e.g. q=0.05.");
	}

	/**
	 * @param interest a covariate name, or null/blank for none
	 * @param where the file named in the message
	 * @return the coded design columns of that covariate
	 * @throws InputException if it is not one of the covariates
	 */
	public static int[] interestColumns(final CovariateCoding coding, final String interest,
		final String where)
	{
		if (interest == null || interest.trim().isEmpty()) return new int[0];
		final String name = interest.trim();
		int offset = 0;
		for (int c = 0; c < coding.nCovariates(); c++) {
			final int width = coding.kind(c) == CovariateCoding.Kind.CONTINUOUS ? 1 : coding.levels(c)
				.size() - 1;
			if (coding.names().get(c).equals(name)) {
				final int[] cols = new int[width];
				for (int i = 0; i < width; i++)
					cols[i] = offset + i;
				return cols;
			}
			offset += width;
		}
		throw new InputException("interest=" + name + " is not one of the covariates of " + where +
			" (" + (coding.names().isEmpty() ? "none given" : String.join(", ", coding.names())) +
			"). Add it to covariates (and to categorical if it is a category), or leave interest " +
			"empty.");
	}

	/**
	 * Writes one folder of maps and its summaries.
	 *
	 * @param dir an existing folder without these files
	 * @param interest the covariate of interest's name, or null
	 */
	public static void write(final Path dir, final CohortMatrix cm, final SiteTestResult r,
		final String interest, final double q, final int deflateLevel)
	{
		final NiftiHeader grid = cm.grid().forFloat32(1);
		writeTriple(dir, "site_F", r.siteF(), r.siteP(), cm, grid, q, deflateLevel);
		writeTriple(dir, "levene_F", r.leveneF(), r.leveneP(), cm, grid, q, deflateLevel);
		if (r.hasInterest()) writeTriple(dir, "interest_" + r.interestStatName(), r.interestStat(), r
			.interestP(), cm, grid, q, deflateLevel);
		writeSummary(dir.resolve("summary.csv"), r, interest, q);
		writeSubjects(dir.resolve("subjects.csv"), r, cm.cohort().subjectIds());
	}

	/**
	 * Writes {@code dir/before}, {@code dir/after} (see {@link #write}), {@code dir/summary.csv}
	 * (each measure before and after) and {@code dir/cohort.csv} (see {@link #writeCohort}).
	 */
	public static void writeBeforeAfter(final Path dir, final CohortMatrix cm,
		final SiteTestResult before, final SiteTestResult after, final String interest,
		final double q, final int deflateLevel)
	{
		createDirectory(dir);
		createDirectory(dir.resolve("before"));
		createDirectory(dir.resolve("after"));
		write(dir.resolve("before"), cm, before, interest, q, deflateLevel);
		write(dir.resolve("after"), cm, after, interest, q, deflateLevel);
		writeComparison(dir.resolve("summary.csv"), before, after, interest, q);
		writeCohort(dir.resolve("cohort.csv"), cm.cohort().design(), cm.cohort().coding());
	}

	/**
	 * Per measure, the value before and after: % of features FDR-significant for site (F and
	 * likelihood ratio), for unequal variance and for the covariate of interest, median statistics,
	 * and the correlation of the interest maps before and after (in the after column).
	 */
	public static void writeComparison(final Path file, final SiteTestResult before,
		final SiteTestResult after, final String interest, final double q)
	{
		final List<String[]> rows = new ArrayList<>();
		rows.add(row("site_percent_fdr_significant", EvidenceSummary.percentSignificant(before
			.siteP(), q), EvidenceSummary.percentSignificant(after.siteP(), q)));
		rows.add(row("site_median_F", EvidenceSummary.median(before.siteF()), EvidenceSummary
			.median(after.siteF())));
		rows.add(row("site_lrt_percent_fdr_significant", EvidenceSummary.percentSignificant(before
			.lrtP(), q), EvidenceSummary.percentSignificant(after.lrtP(), q)));
		rows.add(row("levene_percent_fdr_significant", EvidenceSummary.percentSignificant(before
			.leveneP(), q), EvidenceSummary.percentSignificant(after.leveneP(), q)));
		rows.add(row("levene_median_F", EvidenceSummary.median(before.leveneF()), EvidenceSummary
			.median(after.leveneF())));
		if (before.hasInterest()) {
			rows.add(row("interest_percent_fdr_significant", EvidenceSummary.percentSignificant(before
				.interestP(), q), EvidenceSummary.percentSignificant(after.interestP(), q)));
			rows.add(row("interest_median_abs_" + before.interestStatName(), EvidenceSummary.median(
				abs(before.interestStat())), EvidenceSummary.median(abs(after.interestStat()))));
			rows.add(new String[] { "interest_map_correlation", "", Csv.formatDouble(EvidenceSummary
				.correlation(before.interestStat(), after.interestStat())) });
		}
		rows.add(new String[] { "features", String.valueOf(before.nFeatures()), String.valueOf(after
			.nFeatures()) });
		rows.add(new String[] { "q", Csv.formatDouble(q), Csv.formatDouble(q) });
		rows.add(new String[] { "interest", interest == null ? "" : interest.trim(), interest ==
			null ? "" : interest.trim() });
		Csv.write(file, Arrays.asList("measure", "before", "after"), rows);
	}

	/**
	 * Writes the cohort table: per site (and all sites), the number of subjects, the mean and SD of
	 * each continuous or smooth covariate (its value from the coded design,
	 * {@link CovariateCoding#value}) and the count of each level of each categorical one.
	 */
	public static void writeCohort(final Path file, final Design d, final CovariateCoding coding) {
		final List<String> header = new ArrayList<>(Arrays.asList("site", "n"));
		for (int c = 0; c < coding.nCovariates(); c++) {
			final String name = coding.names().get(c);
			if (coding.kind(c) != CovariateCoding.Kind.CATEGORICAL) {
				header.add(name + " mean");
				header.add(name + " SD");
			}
			else for (final String level : coding.levels(c))
				header.add(name + "=" + level);
		}
		final List<String[]> rows = new ArrayList<>();
		for (int b = 0; b <= d.nBatches(); b++) {
			final boolean all = b == d.nBatches();
			final List<Integer> members = new ArrayList<>();
			for (int j = 0; j < d.nSubjects(); j++)
				if (all || d.batch(j) == b) members.add(j);
			final List<String> row = new ArrayList<>();
			row.add(all ? "(all sites)" : d.batchLevel(b));
			row.add(String.valueOf(members.size()));
			int col = 0;
			for (int c = 0; c < coding.nCovariates(); c++) {
				if (coding.kind(c) != CovariateCoding.Kind.CATEGORICAL) {
					final double[] x = new double[members.size()];
					for (int i = 0; i < x.length; i++)
						x[i] = coding.value(c, d.covariate(members.get(i), col));
					double s = 0, s2 = 0;
					for (final double v : x)
						s += v;
					final double mean = s / x.length;
					for (final double v : x)
						s2 += (v - mean) * (v - mean);
					row.add(String.format(Locale.ROOT, "%.4g", mean));
					row.add(x.length > 1 ? String.format(Locale.ROOT, "%.3g", Math.sqrt(s2 / (x.length -
						1))) : "");
					col += coding.width(c);
				}
				else {
					final int width = coding.levels(c).size() - 1;
					final int[] counts = new int[width + 1];
					for (final int j : members) {
						int level = 0;
						for (int i = 0; i < width; i++)
							if (d.covariate(j, col + i) == 1) level = i + 1;
						counts[level]++;
					}
					for (final int cnt : counts)
						row.add(String.valueOf(cnt));
					col += width;
				}
			}
			rows.add(row.toArray(new String[0]));
		}
		Csv.write(file, header, rows);
	}

	// -- Helper methods --

	private static void writeTriple(final Path dir, final String statName, final double[] stat,
		final double[] p, final CohortMatrix cm, final NiftiHeader grid, final double q,
		final int deflateLevel)
	{
		final String prefix = statName.substring(0, statName.lastIndexOf('_'));
		final double[] logp = new double[p.length];
		for (int k = 0; k < p.length; k++)
			logp[k] = Distributions.negLog10(p[k]);
		final boolean[] sig = Fdr.significant(p, q);
		final double[] fdr = new double[p.length];
		for (int k = 0; k < p.length; k++)
			fdr[k] = sig[k] ? 1 : 0;
		NiftiIO.write(dir.resolve(statName + ".nii.gz"), grid, cm.toVolume(stat, 0), 1,
			deflateLevel);
		NiftiIO.write(dir.resolve(prefix + "_neglog10p.nii.gz"), grid, cm.toVolume(logp, 0), 1,
			deflateLevel);
		NiftiIO.write(dir.resolve(prefix + "_fdr.nii.gz"), grid, cm.toVolume(fdr, 0), 1,
			deflateLevel);
	}

	/** Per test: statistic, df, voxels, FDR-significant count and %, median statistic. */
	static void writeSummary(final Path file, final SiteTestResult r, final String interest,
		final double q)
	{
		final List<String[]> rows = new ArrayList<>();
		final int[] sdf = r.siteDf(), ldf = r.leveneDf(), idf = r.interestDf();
		rows.add(summaryRow("site", "F", sdf[0], sdf[1], r.siteF(), r.siteP(), q));
		rows.add(summaryRow("site_likelihood_ratio", "chi2", sdf[0], 0, r.lrt(), r.lrtP(), q));
		rows.add(summaryRow("variance_brown_forsythe", "F", ldf[0], ldf[1], r.leveneF(), r
			.leveneP(), q));
		if (r.hasInterest()) rows.add(summaryRow("interest:" + interest.trim(), r
			.interestStatName(), idf[0], idf[1], r.interestStat(), r.interestP(), q));
		Csv.write(file, Arrays.asList("test", "statistic", "df1", "df2", "features",
			"tested_features", "fdr_significant", "percent_fdr_significant", "median_statistic",
			"q"), rows);
	}

	private static String[] summaryRow(final String test, final String stat, final int df1,
		final int df2, final double[] values, final double[] p, final double q)
	{
		int tested = 0;
		for (final double v : values)
			if (!Double.isNaN(v)) tested++;
		final int sig = EvidenceSummary.count(Fdr.significant(p, q));
		return new String[] { test, stat, String.valueOf(df1), df2 > 0 ? String.valueOf(df2) : "",
			String.valueOf(values.length), String.valueOf(tested), String.valueOf(sig), Csv
				.formatDouble(EvidenceSummary.percentSignificant(p, q)), Csv.formatDouble(
					EvidenceSummary.median(values)), Csv.formatDouble(q) };
	}

	private static void writeSubjects(final Path file, final SiteTestResult r,
		final List<String> ids)
	{
		final Design d = r.design();
		final double[] m = r.meanResidual();
		final List<String[]> rows = new ArrayList<>();
		for (int j = 0; j < d.nSubjects(); j++)
			rows.add(new String[] { ids.get(j), d.batchLevel(d.batch(j)), Csv.formatDouble(m[j]) });
		Csv.write(file, Arrays.asList("subject", "site", "mean_residual"), rows);
	}

	private static String[] row(final String measure, final double before, final double after) {
		return new String[] { measure, Csv.formatDouble(before), Csv.formatDouble(after) };
	}

	private static double[] abs(final double[] a) {
		final double[] b = new double[a.length];
		for (int i = 0; i < a.length; i++)
			b[i] = Math.abs(a[i]);
		return b;
	}

	static void createDirectory(final Path dir) {
		try {
			Files.createDirectory(dir);
		}
		catch (final IOException e) {
			throw new InputException("Cannot create " + dir + ": " + e.getMessage() +
				" (nothing was overwritten).");
		}
	}
}

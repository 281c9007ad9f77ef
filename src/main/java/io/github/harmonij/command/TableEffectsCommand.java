// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Attr;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;

import io.github.harmonij.core.InputException;
import io.github.harmonij.core.Progress;
import io.github.harmonij.core.stats.EvidenceSummary;
import io.github.harmonij.core.stats.Fdr;
import io.github.harmonij.core.stats.SiteTestResult;
import io.github.harmonij.core.stats.SiteTests;
import io.github.harmonij.display.EvidenceFigures;
import io.github.harmonij.display.Report;
import io.github.harmonij.io.Csv;
import io.github.harmonij.io.FeatureTable;
import io.github.harmonij.io.JsonWriter;
import io.github.harmonij.io.OutputFolder;
import io.github.harmonij.io.SiteEffectMaps;
import io.github.harmonij.io.TableSpec;

/**
 * Site effects in a table of features (one row per subject), before and, given the harmonised
 * table, after harmonisation: per feature the type-II ANOVA F of site given the covariates, the
 * likelihood-ratio test of site and the Brown-Forsythe test of equal variance, with FDR; box plots
 * of the covariate-model residuals by site; and a report. Macro:
 * {@code run("Table Site Effects...", "table=[/d/volumes.csv] harmonised=[/d/volumes_h.csv] batch=site covariates=[age,sex] categorical=sex report out=[/d/effects]");}
 * Command line: {@code harmonij table-effects --table /d/volumes.csv --harmonised ... --out DIR}.
 */
@Plugin(type = Command.class, headless = true, label = "Table Site Effects...",
	description = "Per-feature site tests (ANOVA, likelihood ratio, Brown-Forsythe) and box plots " +
		"of a table, before and after harmonisation",
	attrs = { @Attr(name = Commands.LABEL, value = "Table Site Effects..."), @Attr(
		name = Commands.CLI, value = "table-effects") })
public class TableEffectsCommand extends ContextCommand {

	/** Box plots drawn for at most this many features (those with the largest site F before). */
	static final int MAX_PLOTS = 12;

	@Parameter
	private LogService log;

	@Parameter
	private StatusService status;

	@Parameter(label = "Table (CSV)", style = FileWidget.OPEN_STYLE,
		description = "the original table: site, covariates and features")
	private File table;

	@Parameter(label = "Harmonised table (CSV)", required = false, style = FileWidget.OPEN_STYLE,
		description = "the same table harmonised (e.g. by combat-table); for before/after")
	private File harmonised;

	@Parameter(label = "Site column")
	private String batch = "site";

	@Parameter(label = "Subject ID column", required = false)
	private String id = "";

	@Parameter(label = "Covariates", required = false,
		description = "comma-separated columns in both models, e.g. age,sex")
	private String covariates = "";

	@Parameter(label = "Categorical covariates", required = false)
	private String categorical = "";

	@Parameter(label = "Features", required = false,
		description = "comma-separated columns to test; default: every other numeric column")
	private String features = "";

	@Parameter(label = "FDR level q")
	private double q = SiteEffectMaps.DEFAULT_Q;

	@Parameter(label = "Write a report", description = "report.html in the output folder")
	private boolean report;

	@Parameter(label = "Output folder", style = FileWidget.DIRECTORY_STYLE,
		description = "a new or empty folder")
	private File out;

	@Parameter(type = ItemIO.OUTPUT)
	private String summary;

	@Override
	public void run() {
		summary = CommandSupport.run(this, log, status, () -> {
			CommandSupport.require(table, "table", "the table (CSV)");
			CommandSupport.require(out, "out", "a new or empty output folder");
			SiteEffectMaps.checkQ(q);
			OutputFolder.checkUsable(out.toPath());
			TableSpec spec = TableSpec.batch(batch == null ? "" : batch.trim()).covariates(
				CommandSupport.list(covariates)).categorical(CommandSupport.list(categorical)).features(
					CommandSupport.list(features)).minSubjectsPerBatch(1);
			if (CommandSupport.blankToNull(id) != null) spec = spec.idColumn(id.trim());
			final FeatureTable before = FeatureTable.read(table.toPath(), spec);
			final boolean pair = harmonised != null && !harmonised.getPath().isEmpty();
			final FeatureTable after = pair ? FeatureTable.read(harmonised.toPath(), spec.features(
				before.featureNames())) : null;
			if (after != null) checkSameSubjects(before, after);
			final int[] none = new int[0];
			final SiteTestResult rb = SiteTests.run(before.matrix(), before.design(), none,
				Progress.NONE, this::isCanceled);
			final SiteTestResult ra = after != null ? SiteTests.run(after.matrix(), before.design(),
				none, Progress.NONE, this::isCanceled) : null;
			try (OutputFolder folder = OutputFolder.create(out.toPath())) {
				final Path dir = folder.path();
				writeEffects(dir.resolve("effects.csv"), before.featureNames(), rb, ra);
				if (ra != null) SiteEffectMaps.writeComparison(dir.resolve("summary.csv"), rb, ra, null,
					q);
				SiteEffectMaps.writeCohort(dir.resolve("cohort.csv"), before.design(), before
					.coding());
				writePlots(dir.resolve("plots"), before, after, rb);
				final Map<String, Object> json = new LinkedHashMap<>();
				json.put("harmonij_version", Version.get());
				json.put("analysis", "table site effects");
				json.put("table", before.file().toString());
				json.put("harmonised", after == null ? null : after.file().toString());
				json.put("batch_column", batch);
				json.put("covariates", before.spec().allCovariates());
				json.put("categorical", before.spec().categorical());
				json.put("features", before.featureNames());
				json.put("q", q);
				Files.write(dir.resolve("run.json"), JsonWriter.write(json).getBytes(
					java.nio.charset.StandardCharsets.UTF_8));
				if (report) Report.writeNew(dir, dir.resolve(Report.FILE_NAME));
				folder.commit();
			}
			catch (final java.io.IOException e) {
				throw new InputException("Cannot write " + out + ": " + e.getMessage());
			}
			final String s = String.format(Locale.ROOT, "Tested %d features of %d subjects from %d " +
				"sites: site effect (FDR q=%s) in %.1f %% of features%s. Results: %s", before
					.nFeatures(), before.nSubjects(), before.design().nBatches(), Csv.formatDouble(q),
				EvidenceSummary.percentSignificant(rb.siteP(), q), ra == null ? "" : String.format(
					Locale.ROOT, " before, %.1f %% after", EvidenceSummary.percentSignificant(ra.siteP(),
						q)), out);
			log.info(s);
			return s;
		});
	}

	// -- Helper methods --

	private static void checkSameSubjects(final FeatureTable a, final FeatureTable b) {
		if (!a.subjectIds().equals(b.subjectIds()) || !a.batches().equals(b.batches()))
			throw new InputException(b.file().getFileName() + " does not have the subjects and " +
				"sites of " + a.file().getFileName() + " in the same order; give the table that " +
				"harmonisation wrote from it.");
	}

	private void writeEffects(final Path file, final List<String> names, final SiteTestResult b,
		final SiteTestResult a)
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
	private void writePlots(final Path dir, final FeatureTable before, final FeatureTable after,
		final SiteTestResult rb) throws java.io.IOException
	{
		Files.createDirectory(dir);
		final double[][] resB = SiteTests.covariateResiduals(before.matrix(), before.design());
		final double[][] resA = after != null ? SiteTests.covariateResiduals(after.matrix(), before
			.design()) : null;
		final double[] f = rb.siteF();
		final Integer[] order = new Integer[f.length];
		for (int i = 0; i < f.length; i++)
			order[i] = i;
		Arrays.sort(order, (x, y) -> Double.compare(Double.isNaN(f[y]) ? -1 : f[y], Double.isNaN(
			f[x]) ? -1 : f[x]));
		final String[] sites = before.batches().toArray(new String[0]);
		final List<String> names = before.featureNames();
		for (int i = 0; i < Math.min(MAX_PLOTS, f.length); i++) {
			final int k = order[i];
			final double[] b = column(resB, k);
			final double[] a = resA != null ? column(resA, k) : null;
			final double[] range = a != null ? EvidenceFigures.range(b, a) : EvidenceFigures.range(b);
			final List<String> siteOrder = EvidenceFigures.orderByMean(b, sites);
			final String label = names.get(k) + " residual";
			final java.awt.image.BufferedImage left = EvidenceFigures.image(EvidenceFigures.boxPlot(
				a != null ? names.get(k) + ": before" : names.get(k), label, b, sites, siteOrder, range));
			final java.awt.image.BufferedImage img = a == null ? left : EvidenceFigures.sideBySide(left,
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

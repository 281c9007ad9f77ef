// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.io.File;

import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Attr;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;

import io.github.harmonij.cohort.TableSpec;
import io.github.harmonij.pipeline.SiteEffectMaps;
import io.github.harmonij.pipeline.TableEffects;
import io.github.harmonij.report.EvidenceFigures;

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

	@Parameter(label = "Site column", description = "table column with the site or scanner")
	private String batch = "site";

	@Parameter(label = "Subject ID column", required = false,
		description = "for messages; default: a column named subject or id")
	private String id = "";

	@Parameter(label = "Covariates", required = false,
		description = "comma-separated columns in both models, e.g. age,sex")
	private String covariates = "";

	@Parameter(label = "Categorical covariates", required = false,
		description = "those of the covariates that are categories, e.g. sex,group")
	private String categorical = "";

	@Parameter(label = "Smooth covariates", required = false,
		description = "covariates entered as natural cubic splines in both models, as in the " +
			"harmonisation (e.g. age)")
	private String smooth = "";

	@Parameter(label = "Spline degrees of freedom", min = "1", max = "10",
		description = "columns per smooth covariate; knots at quantiles")
	private int smooth_df = 4;

	@Parameter(label = "Features", required = false,
		description = "comma-separated columns to test; default: every other numeric column except " +
			"those that look like an identifier")
	private String features = "";

	@Parameter(label = "Columns not to test", required = false,
		description = "comma-separated numeric columns that are not features, e.g. visit,qc_score")
	private String exclude = "";

	@Parameter(label = "FDR level q", description = "Benjamini-Hochberg false discovery rate")
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
			TableSpec spec = TableSpec.batch(batch == null ? "" : batch.trim()).covariates(
				CommandSupport.list(covariates)).categorical(CommandSupport.list(categorical)).smooth(
					CommandSupport.list(smooth)).smoothDf(smooth_df).features(CommandSupport.list(
						features)).exclude(CommandSupport.list(exclude));
			if (CommandSupport.blankToNull(id) != null) spec = spec.idColumn(id.trim());
			TableEffects.Request r = TableEffects.Request.of(table.toPath(), spec, q, out.toPath(),
				EvidenceFigures::writeBoxPlots).harmonised(CohortRequests.pathOrNull(harmonised));
			if (report) r = r.report(CohortRequests.REPORT);
			final String s = TableEffects.run(r, CommandSupport.canceled(this));
			log.info(s);
			return s;
		});
	}
}

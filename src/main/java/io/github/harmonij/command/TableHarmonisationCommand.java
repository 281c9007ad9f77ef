// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.io.File;
import java.nio.file.Path;

import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.widget.FileWidget;

import io.github.harmonij.cohort.TableSpec;
import io.github.harmonij.pipeline.SiteEffectMaps;
import io.github.harmonij.pipeline.TableHarmonisation;
import io.github.harmonij.report.EvidenceFigures;

/**
 * What the two table harmonisation commands share: the table, its columns, the covariates, the
 * reference site, the report and the outputs. The ComBat command adds its options through
 * {@link #request}.
 */
abstract class TableHarmonisationCommand extends ContextCommand {

	@Parameter
	private LogService log;

	@Parameter
	private StatusService status;

	@Parameter(label = "Table (CSV)", style = FileWidget.OPEN_STYLE,
		description = "one row per subject: site, covariates and features")
	private File table;

	@Parameter(label = "Site column", description = "table column with the site or scanner")
	private String batch = "site";

	@Parameter(label = "Subject ID column", required = false,
		description = "for messages; default: a column named subject or id")
	private String id = "";

	@Parameter(label = "Covariates to preserve", required = false,
		description = "comma-separated columns, e.g. age,sex")
	private String covariates = "";

	@Parameter(label = "Categorical covariates", required = false,
		description = "those of the covariates that are categories")
	private String categorical = "";

	@Parameter(label = "Smooth covariates", required = false,
		description = "covariates entered as natural cubic splines (nonlinear effects, e.g. age)")
	private String smooth = "";

	@Parameter(label = "Spline degrees of freedom", min = "1", max = "10",
		description = "columns per smooth covariate; knots at quantiles")
	private int smooth_df = 4;

	@Parameter(label = "Features", required = false,
		description = "comma-separated columns to harmonise; default: every other numeric column " +
			"except those that look like an identifier")
	private String features = "";

	@Parameter(label = "Columns to keep as they are", required = false,
		description = "comma-separated numeric columns that are not features, e.g. visit,qc_score")
	private String exclude = "";

	@Parameter(label = "Reference site", required = false,
		description = "leave this site unchanged and map the others onto it")
	private String ref_batch = "";

	@Parameter(label = "Write a report", description = "site tests before and after (as Table " +
		"Site Effects) and report.html, in a new folder beside the output table: OUT_report/ " +
		"for OUT.csv")
	private boolean report;

	@Parameter(label = "FDR level q", description = "false discovery rate of the report's tests")
	private double q = SiteEffectMaps.DEFAULT_Q;

	@Parameter(label = "Output table (CSV)", style = FileWidget.SAVE_STYLE,
		description = "a new file: the input's columns, features harmonised")
	private File out;

	@Parameter(label = "Save model to (JSON)", required = false, style = FileWidget.SAVE_STYLE,
		description = "a new file: the fitted model, for Apply Saved Harmonisation (Table)")
	private File model_out;

	@Parameter(type = ItemIO.OUTPUT)
	private String summary;

	/**
	 * The request of the method, with its options.
	 *
	 * @param spec the table's columns
	 * @param refBatch the reference site, or null
	 */
	abstract TableHarmonisation.Builder request(Path table, TableSpec spec, String refBatch,
		Path out);

	@Override
	public void run() {
		summary = CommandSupport.run(this, log, status, () -> {
			CommandSupport.require(table, "table", "the table (CSV)");
			CommandSupport.require(out, "out", "the output table (CSV)");
			TableSpec spec = TableSpec.batch(batch == null ? "" : batch.trim()).covariates(
				CommandSupport.list(covariates)).categorical(CommandSupport.list(categorical))
				.features(CommandSupport.list(features)).smooth(CommandSupport.list(smooth)).smoothDf(
					smooth_df).exclude(CommandSupport.list(exclude));
			if (CommandSupport.blankToNull(id) != null) spec = spec.idColumn(id.trim());
			final TableHarmonisation.Builder r = request(table.toPath(), spec, CommandSupport
				.blankToNull(ref_batch), out.toPath()).modelOut(CohortRequests.pathOrNull(model_out));
			if (report) r.report(q, EvidenceFigures::writeBoxPlots, CohortRequests.REPORT);
			final String s = TableHarmonisation.run(r.build(), CommandSupport.progress(status),
				CommandSupport.canceled(this));
			log.info(s);
			return s;
		});
	}
}

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

import io.github.harmonij.pipeline.TableSiteAddition;

/**
 * Adds a new site to a saved table model without changing the old sites' parameters, saves the
 * extended model and harmonises the new site's rows (docs/models.md). Macro:
 * {@code run("Add Site to Saved Model (Table)...", "model=[/d/m.json] table=[/d/new.csv] out=[/d/new_h.csv] model_out=[/d/m2.json]");}
 * Command line: {@code harmonij add-site-table --model m.json --table new.csv --out new_h.csv --model-out m2.json}.
 */
@Plugin(type = Command.class, headless = true, label = "Add Site to Saved Model (Table)...",
	description = "Fit a new site against a saved table model (old sites unchanged) and " +
		"harmonise its rows",
	attrs = { @Attr(name = Commands.LABEL, value = "Add Site to Saved Model (Table)..."),
		@Attr(name = Commands.CLI, value = "add-site-table") })
public class AddTableSiteCommand extends ContextCommand {

	@Parameter
	private LogService log;

	@Parameter
	private StatusService status;

	@Parameter(label = "Saved model (JSON)", style = FileWidget.OPEN_STYLE,
		description = "written by combat-table or regress-table with model_out")
	private File model;

	@Parameter(label = "Table of the new site (CSV)", style = FileWidget.OPEN_STYLE,
		description = "one row per subject of one new site: the model's site column, covariates " +
			"and features")
	private File table;

	@Parameter(label = "Empirical Bayes", choices = { "model", "parametric", "nonparametric",
		"none" }, description = "model: the mode the model was fitted with")
	private String eb = "model";

	@Parameter(label = "Clamp smooth covariates", description = "values outside the training " +
		"range of a smooth covariate are clamped to it (with a warning) instead of an error")
	private boolean clamp;

	@Parameter(label = "Output table (CSV)", style = FileWidget.SAVE_STYLE,
		description = "a new file: the input's columns, features harmonised")
	private File out;

	@Parameter(label = "Extended model (JSON)", style = FileWidget.SAVE_STYLE,
		description = "a new file: the model with the site added")
	private File model_out;

	@Parameter(type = ItemIO.OUTPUT)
	private String summary;

	@Override
	public void run() {
		summary = CommandSupport.run(this, log, status, () -> {
			CommandSupport.require(model, "model", "the saved model (JSON)");
			CommandSupport.require(table, "table", "the table of the new site (CSV)");
			CommandSupport.require(out, "out", "the output table (CSV)");
			CommandSupport.require(model_out, "model_out", "the file for the extended model (JSON)");
			final TableSiteAddition.Request r = TableSiteAddition.Request.of(model.toPath(), table
				.toPath(), out.toPath(), model_out.toPath());
			final String s = TableSiteAddition.add(r.eb(CommandSupport.ebOrModel(eb)).clamp(clamp),
				CommandSupport.progress(status), CommandSupport.canceled(this));
			log.info(s);
			return s;
		});
	}
}

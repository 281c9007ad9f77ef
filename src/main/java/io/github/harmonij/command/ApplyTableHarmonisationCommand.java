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

import io.github.harmonij.pipeline.TableHarmonisation;

/**
 * Harmonises the rows of a table with a model saved by {@code combat-table --model-out} or
 * {@code regress-table --model-out}: subjects of the model's sites, each with its own covariates.
 * Macro:
 * {@code run("Apply Saved Harmonisation (Table)...", "model=[/d/model.json] table=[/d/new.csv] out=[/d/new_harmonised.csv]");}
 * Command line: {@code harmonij apply-table --model /d/model.json --table /d/new.csv --out ...}.
 */
@Plugin(type = Command.class, headless = true, label = "Apply Saved Harmonisation (Table)...",
	description = "Harmonise the rows of a table with a saved table model (JSON)",
	attrs = { @Attr(name = Commands.LABEL, value = "Apply Saved Harmonisation (Table)..."),
		@Attr(name = Commands.CLI, value = "apply-table") })
public class ApplyTableHarmonisationCommand extends ContextCommand {

	@Parameter
	private LogService log;

	@Parameter
	private StatusService status;

	@Parameter(label = "Saved model (JSON)", style = FileWidget.OPEN_STYLE,
		description = "written by combat-table or regress-table with model_out")
	private File model;

	@Parameter(label = "Table (CSV)", style = FileWidget.OPEN_STYLE,
		description = "one row per subject: the model's site column, covariates and features")
	private File table;

	@Parameter(label = "Clamp smooth covariates", description = "values outside the training " +
		"range of a smooth covariate are clamped to it (with a warning) instead of an error")
	private boolean clamp;

	@Parameter(label = "Output table (CSV)", style = FileWidget.SAVE_STYLE,
		description = "a new file: the input's columns, features harmonised")
	private File out;

	@Parameter(type = ItemIO.OUTPUT)
	private String summary;

	@Override
	public void run() {
		summary = CommandSupport.run(this, log, status, () -> {
			CommandSupport.require(model, "model", "the saved model (JSON)");
			CommandSupport.require(table, "table", "the table (CSV)");
			CommandSupport.require(out, "out", "the output table (CSV)");
			final String s = TableHarmonisation.apply(TableHarmonisation.ApplyRequest.of(model
				.toPath(), table.toPath(), out.toPath()).clamp(clamp), CommandSupport.progress(
					status), CommandSupport.canceled(this));
			log.info(s);
			return s;
		});
	}
}

// SPDX-License-Identifier: MIT
package io.github.harmonij.display;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;


import io.github.harmonij.core.InputException;
import io.github.harmonij.ij1.LogLines;

/**
 * What the ImageJ 1.x menu shows after a command finished: the commands themselves stay headless
 * and know nothing of windows; the menu shim calls {@link #show} (through {@link MenuResults})
 * with the command's class name and inputs (outside batch-mode macros only), so macro recording
 * and replay see one {@code run(...)} line and nothing else. A command without an entry here shows nothing.
 */
public final class ResultDisplays {

	private static final String COMMANDS = "io.github.harmonij.command.";

	/** Title of the table of Site Effect Maps' summary.csv. */
	private static final String EFFECTS = "HarmonIJ site effects summary";

	private ResultDisplays() {}

	/**
	 * @return whether {@link #show} shows anything for this command
	 */
	public static boolean shows(final String commandClass) {
		switch (commandClass.replace(COMMANDS, "")) {
			case "HarmoniseCohortCommand":
			case "HarmoniseCohortRegressionCommand":
			case "HarmoniseTableCommand":
			case "RegressTableCommand":
			case "CompareScansCommand":
			case "SiteEffectMapsCommand":
			case "ApplyHarmonisationCommand":
			case "ApplyTableHarmonisationCommand":
				return true;
			default:
				return false;
		}
	}

	/**
	 * Shows the results of a finished command run with {@code inputs} (the typed inputs it ran
	 * with). Problems (e.g. images too large for memory) are written to the Log window, with the
	 * paths of the written files; they never undo the run.
	 */
	public static void show(final String commandClass, final Map<String, Object> inputs) {
		try {
			switch (commandClass.replace(COMMANDS, "")) {
				case "HarmoniseCohortCommand":
				case "HarmoniseCohortRegressionCommand":
				case "ApplyHarmonisationCommand":
					ResultViewer.showRun(path(inputs, "out"));
					break;
				case "SiteEffectMapsCommand": {
					final int right = SiteEffectViewer.show(path(inputs, "out"), 10, 110, 340);
					ResultViewer.showTable(path(inputs, "out").resolve("summary.csv"), EFFECTS);
					// under the maps (at most 340 pixels and a window's frame), not over them
					final java.awt.Window table = ij.WindowManager.getWindow(EFFECTS);
					if (table != null) table.setBounds(10, 520, 880, 170);
					ResultViewer.placeLog(right, 110, 300);
					break;
				}
				case "HarmoniseTableCommand":
				case "ApplyTableHarmonisationCommand":
				case "RegressTableCommand": {
					final Path out = path(inputs, "out");
					if (out != null && Files.isRegularFile(out)) ResultViewer.showTable(out, out
						.getFileName().toString());
					break;
				}
				case "CompareScansCommand":
					ComparisonViewer.show(path(inputs, "scan_a"), path(inputs, "scan_b"), path(inputs,
						"mask"));
					break;
				default:
			}
		}
		catch (final InputException e) {
			LogLines.log("HarmonIJ: the results are not shown: " + e.getMessage());
		}
	}

	private static Path path(final Map<String, Object> inputs, final String key) {
		final Object v = inputs.get(key);
		if (v == null || v.toString().isEmpty()) return null;
		return v instanceof File ? ((File) v).toPath() : Path.of(v.toString());
	}
}

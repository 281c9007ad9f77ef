// SPDX-License-Identifier: MIT
package io.github.harmonij.ij1;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import ij.measure.ResultsTable;

import io.github.harmonij.core.InputException;
import io.github.harmonij.io.Csv;

/**
 * Open ImageJ tables (the Results table or any other table window) as input of the table
 * commands: in a dialog or macro, {@code table=[Results]} (or another table's title) names an
 * open table instead of a CSV file. The table is written to a temporary CSV with full double
 * precision, the command runs on that file, and its result is shown as a new table.
 */
public final class OpenTables {

	private OpenTables() {}

	/**
	 * @return the open table titled {@code title}, or null if {@code title} is an existing file
	 *         or no table has that title
	 */
	public static ResultsTable find(final String title) {
		if (title == null || title.trim().isEmpty() || new File(title).exists()) return null;
		final String t = title.trim();
		final ResultsTable rt = ResultsTable.getResultsTable(t);
		if (rt != null) return rt;
		// The Results table exists before its window does (measurements in batch mode).
		return t.equals("Results") ? ResultsTable.getResultsTable() : null;
	}

	/**
	 * Writes a table as CSV: its columns in order (row labels as a "Label" column), numbers with
	 * every digit, text as it is.
	 *
	 * @throws InputException if the table is empty
	 */
	public static Path toCsv(final ResultsTable rt, final String title) {
		if (rt.size() == 0) throw new InputException("The table \"" + title + "\" is empty (and " +
			"there is no file of that name); give a CSV file or a table with one row per subject.");
		final List<String> header = new ArrayList<>();
		for (final String h : rt.getHeadings())
			if (!h.trim().isEmpty()) header.add(h);
		final List<String[]> rows = new ArrayList<>();
		for (int r = 0; r < rt.size(); r++) {
			final String[] row = new String[header.size()];
			for (int c = 0; c < row.length; c++) {
				final String h = header.get(c);
				if (h.equals("Label")) row[c] = rt.getLabel(r);
				else {
					final double v = rt.getValue(h, r);
					row[c] = Double.isNaN(v) ? text(rt, h, r) : Csv.formatDouble(v);
				}
			}
			rows.add(row);
		}
		try {
			final Path dir = Files.createTempDirectory("harmonij-table");
			dir.toFile().deleteOnExit();
			final Path csv = dir.resolve(safe(title) + ".csv");
			Csv.write(csv, header, rows);
			csv.toFile().deleteOnExit();
			return csv;
		}
		catch (final IOException e) {
			throw new InputException("Cannot write the table \"" + title + "\" to a temporary " +
				"file: " + e.getMessage());
		}
	}

	/** @return a new file name in a new temporary folder, for a command's output table */
	public static Path temporaryOutput(final String title) {
		try {
			final Path dir = Files.createTempDirectory("harmonij-table");
			dir.toFile().deleteOnExit();
			final Path out = dir.resolve(safe(title) + "_harmonised.csv");
			out.toFile().deleteOnExit();
			return out;
		}
		catch (final IOException e) {
			throw new InputException("Cannot make a temporary file: " + e.getMessage());
		}
	}

	// -- Helper methods --

	private static String text(final ResultsTable rt, final String h, final int r) {
		final String s = rt.getStringValue(h, r);
		return s == null || s.equals("NaN") ? "" : s;
	}

	private static String safe(final String title) {
		final String s = title.replaceAll("[^A-Za-z0-9._-]+", "_");
		return s.isEmpty() || Arrays.asList(".", "..").contains(s) ? "table" : s;
	}
}

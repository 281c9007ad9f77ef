// SPDX-License-Identifier: MIT
package io.github.harmonij.cohort;

import java.util.List;

import io.github.harmonij.io.CsvTable;
import io.github.harmonij.io.Names;

/** Column look-up and message wording shared by the readers of this package. */
public final class Tables {

	/** Column names tried, in order and ignoring case, when no id column is named. */
	static final List<String> DEFAULT_ID_COLUMNS = List.of("subject", "id", "subject_id",
		"participant_id");

	/** Longest column list quoted in a message. */
	private static final int MAX_LISTED_COLUMNS = 30;

	private Tables() {}

	/**
	 * @param role what the column is for, e.g. "batch column", "covariate"
	 * @return the column's index, or -1 after adding a problem that lists the columns
	 */
	public static int require(final CsvTable t, final String name, final String role,
		final List<String> problems)
	{
		final int col = t.column(name);
		if (col >= 0) return col;
		final StringBuilder sb = new StringBuilder();
		sb.append(t.name()).append(" has no column \"").append(name).append("\" (").append(role)
			.append(')');
		final String near = Names.closest(name, t.header());
		sb.append(near == null ? "." : "; did you mean \"" + near + "\"?").append(" Use one of its columns: ").append(listColumns(t)).append('.');
		problems.add(sb.toString());
		return -1;
	}

	/** @return the header as "a, b, c", shortened for very wide tables */
	static String listColumns(final CsvTable t) {
		final List<String> h = t.header();
		if (h.size() <= MAX_LISTED_COLUMNS) return String.join(", ", h);
		return String.join(", ", h.subList(0, MAX_LISTED_COLUMNS)) + ", ... (" + (h.size() -
			MAX_LISTED_COLUMNS) + " more)";
	}

	/** @return the first default id column present (ignoring case), or -1 */
	static int defaultIdColumn(final CsvTable t) {
		for (final String d : DEFAULT_ID_COLUMNS)
			for (int c = 0; c < t.nColumns(); c++)
				if (t.header().get(c).equalsIgnoreCase(d)) return c;
		return -1;
	}

	/**
	 * @param ids subject labels per row, or null; a null entry means unknown
	 * @return "cohort.csv row 14 (subject sub-017)", or "cohort.csv row 14"
	 */
	public static String where(final CsvTable t, final int row, final String[] ids) {
		final String id = ids == null ? null : ids[row];
		return t.name() + " row " + t.lineOf(row) + (id == null ? "" : " (subject " + id + ")");
	}

	/** @return "row 14, subject sub-017", or "row 14" */
	static String rowAndSubject(final CsvTable t, final int row, final String[] ids) {
		final String id = ids == null ? null : ids[row];
		return "row " + t.lineOf(row) + (id == null ? "" : ", subject " + id);
	}
}

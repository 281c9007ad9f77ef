// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A table read by {@link Csv}: a header and rows of cells, each row remembering the 1-based line
 * of the file where it starts so that messages can say "row N" (see the package conventions).
 * <p>
 * Header names are trimmed of surrounding spaces; cells are kept exactly as written (callers trim
 * before parsing numbers or levels). Every row has as many cells as the header. Immutable and
 * thread-safe.
 */
public final class CsvTable {

	private final String name;

	private final List<String> header;

	private final List<String[]> rows;

	private final int[] lines;

	private final char delimiter;

	/**
	 * @param name the file name used in messages, e.g. "cohort.csv"
	 * @param header column names
	 * @param rows cells, each array as long as the header
	 * @param lines 1-based file line of each row
	 * @param delimiter the field delimiter the file used (',', ';' or tab)
	 */
	public CsvTable(final String name, final List<String> header, final List<String[]> rows,
		final int[] lines, final char delimiter)
	{
		if (lines.length != rows.size())
			throw new IllegalArgumentException("one line number per row is needed");
		final List<String[]> copy = new ArrayList<>(rows.size());
		for (final String[] r : rows) {
			if (r.length != header.size())
				throw new IllegalArgumentException("row length " + r.length + " != header " +
					header.size());
			copy.add(r.clone());
		}
		this.name = name;
		this.header = Collections.unmodifiableList(new ArrayList<>(header));
		this.rows = copy;
		this.lines = lines.clone();
		this.delimiter = delimiter;
	}

	/** @return the file name used in messages, e.g. "cohort.csv" */
	public String name() {
		return name;
	}

	/** @return the column names, trimmed, in file order (unmodifiable) */
	public List<String> header() {
		return header;
	}

	/** @return the number of columns */
	public int nColumns() {
		return header.size();
	}

	/** @return the number of data rows (the header and blank rows are not counted) */
	public int nRows() {
		return rows.size();
	}

	/** @return the index of the first column named exactly {@code name}, or -1 */
	public int column(final String name) {
		return header.indexOf(name);
	}

	/** @return the cell at data row {@code row} (0-based) and column {@code col}, as written */
	public String cell(final int row, final int col) {
		return rows.get(row)[col];
	}

	/** @return a copy of data row {@code row} (0-based) */
	public String[] row(final int row) {
		return rows.get(row).clone();
	}

	/** @return the 1-based file line where data row {@code row} (0-based) starts */
	public int lineOf(final int row) {
		return lines[row];
	}

	/** @return the delimiter the file used: ',', ';' or '\t' */
	public char delimiter() {
		return delimiter;
	}
}

// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Minimal CSV reading for the reference tests (no quotes with commas in these files). */
final class TestCsv {

	final String[] header;

	final List<String[]> rows;

	private TestCsv(final String[] header, final List<String[]> rows) {
		this.header = header;
		this.rows = rows;
	}

	static TestCsv read(final Path p, final boolean hasHeader) {
		try {
			final List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
			final List<String[]> rows = new ArrayList<>();
			String[] header = null;
			for (final String line : lines) {
				if (line.trim().isEmpty()) continue;
				final String[] cells = line.split(",", -1);
				for (int i = 0; i < cells.length; i++)
					cells[i] = unquote(cells[i].trim());
				if (hasHeader && header == null) header = cells;
				else rows.add(cells);
			}
			return new TestCsv(header, rows);
		}
		catch (final IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	int column(final String name) {
		for (int i = 0; i < header.length; i++)
			if (header[i].equals(name)) return i;
		throw new IllegalArgumentException("no column " + name);
	}

	/** All cells as numbers, rows by columns. */
	double[][] numbers() {
		final double[][] m = new double[rows.size()][];
		for (int r = 0; r < m.length; r++) {
			final String[] c = rows.get(r);
			m[r] = new double[c.length];
			for (int i = 0; i < c.length; i++)
				m[r][i] = Double.parseDouble(c[i]);
		}
		return m;
	}

	static double[][] transpose(final double[][] a) {
		final double[][] t = new double[a[0].length][a.length];
		for (int i = 0; i < a.length; i++)
			for (int j = 0; j < a[0].length; j++)
				t[j][i] = a[i][j];
		return t;
	}

	/** @return column {@code v} of a subjects-by-features matrix */
	static double[] column(final double[][] rows, final int v) {
		final double[] out = new double[rows.length];
		for (int j = 0; j < rows.length; j++)
			out[j] = rows[j][v];
		return out;
	}

	/** @return the sample standard deviation (ddof 1), two-pass */
	static double sd(final double[] a) {
		double m = 0;
		for (final double x : a)
			m += x;
		m /= a.length;
		double ss = 0;
		for (final double x : a)
			ss += (x - m) * (x - m);
		return Math.sqrt(ss / (a.length - 1));
	}

	private static String unquote(final String s) {
		return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() -
			1) : s;
	}
}

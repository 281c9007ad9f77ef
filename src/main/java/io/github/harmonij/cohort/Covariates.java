// SPDX-License-Identifier: MIT
package io.github.harmonij.cohort;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.github.harmonij.cohort.CovariateCoding.Kind;
import io.github.harmonij.io.Csv;
import io.github.harmonij.io.CsvTable;

/**
 * Codes covariate columns of a table as numbers for a {@code core.Design}.
 * <p>
 * Continuous covariates: each cell, trimmed, must be a finite decimal number ({@link
 * Csv#parseNumber}); "NA", empty cells, "NaN" and "Inf" are reported. Categorical covariates:
 * trimmed cells are the levels (case matters: "m" and "M" differ); the levels are sorted by
 * {@link #sortLevels}, the first is the reference, and the others become 0/1 treatment-coded
 * columns named {@code sex[M]} (as R's default {@code contr.treatment}). Cells that mean "missing"
 * ({@link Csv#isMissing}) are reported rather than taken as a level.
 * <p>
 * Reported as bad input, all at once: values that are not numbers, missing categories, a
 * categorical level with a single subject (its column would fit that subject exactly), and a
 * covariate that has the same value or level for every subject (its effect cannot be estimated).
 */
public final class Covariates {

	private Covariates() {}

	/** Coded covariates of a table: the coding and the values, one row per table row. */
	public static final class Coded {

		private final CovariateCoding coding;

		private final double[][] values;

		Coded(final CovariateCoding coding, final double[][] values) {
			this.coding = coding;
			this.values = values;
		}

		public CovariateCoding coding() {
			return coding;
		}

		/**
		 * @return {@code values[row][codedColumn]}, columns as
		 *         {@link CovariateCoding#codedNames()};
		 *         the array is the caller's (no copy is kept)
		 */
		public double[][] values() {
			return values;
		}
	}

	/**
	 * Sorts levels the way batches and categories are ordered throughout HarmonIJ: numerically if
	 * every level parses as a number ("2" before "10"), otherwise in Java {@link String} order
	 * (code-point order, as R's {@code sort} in the C locale: "B" before "a"). Ties between
	 * numerically equal spellings ("1" and "1.0") are broken in String order.
	 *
	 * @return a new sorted list of the distinct levels
	 */
	public static List<String> sortLevels(final Collection<String> levels) {
		final List<String> out = new ArrayList<>(new LinkedHashSet<>(levels));
		boolean numeric = true;
		for (final String s : out)
			numeric &= !Double.isNaN(Csv.parseNumber(s));
		if (numeric) out.sort(Comparator.comparingDouble(Csv::parseNumber).thenComparing(
			Comparator.naturalOrder()));
		else out.sort(Comparator.naturalOrder());
		return out;
	}

	/**
	 * Codes the covariates of every row of a table.
	 *
	 * @param table the table
	 * @param covariates column names, in model order
	 * @param categorical which of {@code covariates} are categorical
	 * @param subjectIds one id per table row for messages; may be null (rows are then named by
	 *          number only)
	 * @return the coding and the coded values
	 * @throws io.github.harmonij.core.InputException listing every problem (missing columns, bad
	 *           values, single-subject levels, constant covariates)
	 * @throws IllegalArgumentException if {@code categorical} names a column that is not in
	 *           {@code covariates}
	 */
	public static Coded code(final CsvTable table, final List<String> covariates,
		final Collection<String> categorical, final String[] subjectIds)
	{
		final List<String> problems = new ArrayList<>();
		final Coded coded = code(table, covariates, categorical, List.of(), 4, subjectIds,
			problems);
		Csv.throwProblems(table.name(), problems, "nothing was read");
		return coded;
	}

	/**
	 * As {@link #code(CsvTable, List, Collection, String[])} but adds problems to {@code problems};
	 * covariates whose column is missing are left out of the result.
	 */
	static Coded code(final CsvTable table, final List<String> covariates,
		final Collection<String> categorical, final Collection<String> smooth, final int smoothDf,
		final String[] subjectIds, final List<String> problems)
	{
		for (final String c : categorical)
			if (!covariates.contains(c)) throw new IllegalArgumentException("categorical " + c +
				" is not a covariate");
		for (final String c : smooth)
			if (categorical.contains(c)) problems.add(table.name() + ": " + c + " is both " +
				"categorical and smooth; a spline needs numbers. Remove it from one of the lists.");
		final List<double[]> knots = new ArrayList<>();
		final List<String> names = new ArrayList<>();
		final List<Kind> kinds = new ArrayList<>();
		final List<List<String>> levels = new ArrayList<>();
		final List<double[]> columns = new ArrayList<>();
		final int n = table.nRows();
		for (final String name : new LinkedHashSet<>(covariates)) {
			final int col = Tables.require(table, name, "covariate", problems);
			if (col < 0) continue;
			names.add(name);
			if (smooth.contains(name) && !categorical.contains(name)) {
				kinds.add(Kind.SMOOTH);
				levels.add(List.of());
				final int before = problems.size();
				final double[] v = continuous(table, col, name, true, subjectIds, problems);
				double[] k = null;
				if (problems.size() == before) {
					try {
						k = Splines.knots(v, smoothDf, name);
					}
					catch (final io.github.harmonij.core.InputException e) {
						problems.add(table.name() + ": " + e.getMessage());
					}
				}
				if (k == null) { // reported; keep a valid coding with one linear column
					k = new double[] { 0, 1 };
					java.util.Arrays.fill(v, 0);
				}
				knots.add(k);
				final double[][] basis = new double[v.length][];
				for (int r = 0; r < v.length; r++)
					basis[r] = Splines.basis(v[r], k);
				for (int q = 0; q < k.length - 1; q++) {
					final double[] column = new double[v.length];
					for (int r = 0; r < v.length; r++)
						column[r] = basis[r][q];
					columns.add(column);
				}
				continue;
			}
			knots.add(null);
			if (categorical.contains(name)) {
				kinds.add(Kind.CATEGORICAL);
				final List<String> l = categoricalLevels(table, col, name, subjectIds, problems);
				levels.add(l);
				final int[] index = new int[n];
				for (int r = 0; r < n; r++)
					index[r] = l.indexOf(table.cell(r, col).trim());
				for (int k = 1; k < l.size(); k++) {
					final double[] dummy = new double[n];
					for (int r = 0; r < n; r++)
						dummy[r] = index[r] == k ? 1 : 0;
					columns.add(dummy);
				}
			}
			else {
				kinds.add(Kind.CONTINUOUS);
				levels.add(List.of());
				columns.add(continuous(table, col, name, false, subjectIds, problems));
			}
		}
		final double[][] values = new double[n][columns.size()];
		for (int c = 0; c < columns.size(); c++)
			for (int r = 0; r < n; r++)
				values[r][c] = columns.get(c)[r];
		return new Coded(new CovariateCoding(names, kinds, levels, knots), values);
	}

	/** How many of a text column's values a message shows. */
	private static final int TEXT_SHOWN = 5;

	// -- Helper methods --

	/**
	 * The numbers of a continuous (or smooth) covariate column. A column that is mostly text (sex
	 * given as F and M) is a categorical covariate not listed as one: it is reported once, with
	 * its values and the option to list it in, instead of one "is not a number" per row. The
	 * option is named by its macro key; the command line says its flag instead.
	 */
	private static double[] continuous(final CsvTable table, final int col, final String name,
		final boolean smooth, final String[] ids, final List<String> problems)
	{
		final int n = table.nRows();
		final double[] v = new double[n];
		final Set<String> text = new LinkedHashSet<>();
		int textCells = 0, numberCells = 0;
		for (int r = 0; r < n; r++) {
			final String cell = table.cell(r, col).trim();
			// "50,5" is a number with a decimal comma: its rows get that hint, one by one
			if (Csv.isMissing(cell) || !Csv.numberHint(cell).isEmpty()) continue;
			if (Double.isNaN(Csv.parseNumber(cell))) {
				text.add(cell);
				textCells++;
			}
			else numberCells++;
		}
		if (textCells > numberCells) {
			final List<String> levels = sortLevels(text);
			final String shown = String.join(", ", levels.subList(0, Math.min(levels.size(),
				TEXT_SHOWN))) + (levels.size() > TEXT_SHOWN ? ", ... (" + levels.size() + " values)"
					: "");
			problems.add(table.name() + ": " + name + " has text values (" + shown + "); " +
				(smooth ? "a spline needs numbers; to use it as a category, remove it from " +
					"smooth=... and list it in categorical=... instead." : "list it in " +
						"categorical=... to use it as a category."));
			return v;
		}
		boolean ok = true;
		for (int r = 0; r < n; r++) {
			final String cell = table.cell(r, col).trim();
			v[r] = Csv.parseNumber(cell);
			if (!Double.isNaN(v[r])) continue;
			ok = false;
			problems.add(Tables.where(table, r, ids) + ": " + name + (cell.isEmpty() ? " is empty"
				: " \"" + cell + "\" is not a number" + Csv.numberHint(cell)) + ". Enter the " +
				name + " or remove the row.");
		}
		if (ok && n > 1) {
			boolean constant = true;
			for (int r = 1; r < n; r++)
				constant &= v[r] == v[0];
			if (constant) problems.add(table.name() + ": covariate " + name +
				" has the same value (" + table.cell(0, col).trim() + ") for every subject, so " +
				"its effect cannot be estimated. Remove " + name + " from the covariates.");
		}
		return v;
	}

	/** @return the sorted levels of a categorical column (empty cells excluded) */
	private static List<String> categoricalLevels(final CsvTable table, final int col,
		final String name, final String[] ids, final List<String> problems)
	{
		final int n = table.nRows();
		final Map<String, List<Integer>> rowsOf = new LinkedHashMap<>();
		for (int r = 0; r < n; r++) {
			final String cell = table.cell(r, col).trim();
			if (Csv.isMissing(cell)) {
				problems.add(Tables.where(table, r, ids) + ": " + name + (cell.isEmpty()
					? " is empty" : " is missing (\"" + cell + "\")") + ". Enter the " + name +
					" or remove the row.");
				continue;
			}
			rowsOf.computeIfAbsent(cell, k -> new ArrayList<>()).add(r);
		}
		final List<String> levels = sortLevels(rowsOf.keySet());
		if (levels.size() == 1 && n > 1) problems.add(table.name() + ": covariate " + name +
			" has one level (\"" + levels.get(0) + "\") for every subject, so its effect cannot " +
			"be estimated. Remove " + name + " from the covariates.");
		if (levels.size() > 1) for (final String l : levels) {
			final List<Integer> rows = rowsOf.get(l);
			if (rows.size() == 1) problems.add(table.name() + ": " + name + " level \"" + l +
				"\" has 1 subject (" + Tables.rowAndSubject(table, rows.get(0), ids) +
				"); merge it with another level or remove the row.");
		}
		if (levels.isEmpty()) levels.add(""); // every cell missing (reported): keep a valid coding
		return levels;
	}

	/** @return the names that appear more than once, in first-appearance order */
	static Set<String> duplicates(final List<String> names) {
		final Set<String> seen = new HashSet<>();
		final Set<String> dup = new LinkedHashSet<>();
		for (final String s : names)
			if (!seen.add(s)) dup.add(s);
		return dup;
	}
}

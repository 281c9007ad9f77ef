// SPDX-License-Identifier: MIT
package io.github.harmonij.cohort;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import io.github.harmonij.core.Design;
import io.github.harmonij.core.FeatureMatrix;
import io.github.harmonij.core.InputException;
import io.github.harmonij.io.Csv;
import io.github.harmonij.io.CsvTable;

/**
 * A table of features for harmonisation without images: one row per subject with an id, a batch,
 * covariates and numeric feature columns (regional volumes, thicknesses...), e.g.
 * <pre>
 * subject,site,age,sex,Left-Hippocampus,Right-Hippocampus
 * sub-001,Zürich,63,F,4012.5,4108.25
 * </pre>
 * Which columns mean what is given by a {@link TableSpec}; by default every column that is not
 * the id, the batch, a covariate or {@link TableSpec#exclude excluded}, and whose cells are all
 * numbers or missing, is a feature, in file order; but a column that looks like an identifier is
 * not (a participant number is no measure to harmonise): one with a different whole number in
 * every row whose name says so ("participant_no", "record_id", "code"...) or whose numbers rise
 * or fall down the file (of 8 rows or more). Named {@link TableSpec#features features} are used
 * whatever they hold. A default column whose cells are mostly numbers is a feature column, so a
 * cell in it that is not a number ("12.3x") is an error, as in a named feature; a column mostly
 * of text is left as it is. Every column left as it is, other than the id, batch, covariates
 * and blank columns without a name (a trailing delimiter), is named in {@link #leftAlone()}.
 * Missing feature values (empty, "NA", "NaN", see {@link Csv#isMissing}) are
 * errors unless the table is read with {@code allowMissing} (combat-table and regress-table do):
 * they are then NaN in {@link #values()} and written back verbatim.
 * <p>
 * Validation is as for {@link CohortManifest} (ids, batches, covariates), all problems reported
 * together; rows are named "row N" with N the file line. {@link #writeHarmonised} writes the same
 * columns in the same order with only the feature cells replaced. Immutable.
 */
public final class FeatureTable {

	/** A whole number as written in a table: digits, with a sign at most. */
	private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?[0-9]+");

	/** Why a column of numbers with a few text cells is not a feature (an error). */
	private static final String TYPOS = "not a number in every row";

	/**
	 * Fewest rows whose order says identifier: a measure rises or falls down the file by chance
	 * in one column of 8 rows in 8!/2 = 20160, but in one of 12 in a table of 4 rows.
	 */
	private static final int MIN_ROWS_IN_ORDER = 8;

	/** Between the words of a column name: "participant_no", "ParticipantNo", "record-id". */
	private static final Pattern WORD_BREAK = Pattern.compile(
		"[^\\p{L}\\p{N}]+|(?<=\\p{Ll})(?=\\p{Lu})");

	/** Words of a column name that say the column identifies (lower case). */
	private static final List<String> IDENTIFIER_WORDS = List.of("id", "no", "nr", "num",
		"number", "code", "subject", "participant", "patient", "record");

	private final Path file;

	private final TableSpec spec;

	private final CsvTable table;

	private final DesignParts parts;

	private final Design design;

	private final int[] featureColumns;

	private final double[][] values;

	private final Map<String, String> leftAlone;

	private FeatureTable(final Path file, final TableSpec spec, final CsvTable table,
		final DesignParts parts, final int[] featureColumns, final double[][] values,
		final Map<String, String> leftAlone)
	{
		this.file = file;
		this.spec = spec;
		this.table = table;
		this.parts = parts;
		this.design = parts.design();
		this.featureColumns = featureColumns;
		this.values = values;
		this.leftAlone = Collections.unmodifiableMap(new LinkedHashMap<>(leftAlone));
	}

	/**
	 * Reads and validates a feature table.
	 *
	 * @param csv the CSV file (see {@link Csv} for the dialects read)
	 * @param spec which columns mean what
	 * @return the table, one subject per row in file order
	 * @throws InputException listing every problem found
	 */
	public static FeatureTable read(final Path csv, final TableSpec spec) {
		return read(csv, spec, false, false);
	}

	/**
	 * Reads and validates a feature table.
	 *
	 * @param csv the CSV file (see {@link Csv} for the dialects read)
	 * @param spec which columns mean what
	 * @param allowMissing accept missing feature cells (NaN in {@link #values()})
	 * @param forApply new subjects for a saved model: any number of batches and subjects per
	 *          batch
	 * @return the table, one subject per row in file order
	 * @throws InputException listing every problem found
	 */
	public static FeatureTable read(final Path csv, final TableSpec spec,
		final boolean allowMissing, final boolean forApply)
	{
		final Path file = csv.toAbsolutePath().normalize();
		final CsvTable t = Csv.read(file);
		final String name = t.name();
		final int n = t.nRows();
		if (n == 0) throw new InputException(name + " has no data rows, only a header. Add one " +
			"row per subject with its " + spec.batchColumn() + ", covariates and features.");
		final List<String> problems = new ArrayList<>();
		final String[] rowLabels = new String[n];
		for (int r = 0; r < n; r++)
			rowLabels[r] = "row " + t.lineOf(r);
		final DesignParts parts = DesignParts.read(t, spec, rowLabels, true, forApply, problems);

		final Map<Integer, String> roles = new HashMap<>();
		if (parts.idColumn >= 0) roles.put(parts.idColumn, "the id column");
		if (parts.batchColumn >= 0) roles.put(parts.batchColumn, "the batch column");
		for (final String c : parts.covariates)
			if (t.column(c) >= 0) roles.put(t.column(c), "a covariate");
		final boolean named = !spec.features().isEmpty();
		final List<Integer> cols = named ? namedFeatures(t, spec.features(), roles, problems)
			: new ArrayList<>();
		final Map<Integer, String> kept = new TreeMap<>(); // file order
		for (final String x : spec.excluded()) {
			final int c = Tables.require(t, x, "excluded column", problems);
			if (c < 0 || roles.containsKey(c)) continue;
			if (cols.contains(c)) problems.add(name + ": " + x + " is both a feature and " +
				"excluded. Remove it from features or from exclude.");
			else kept.put(c, "excluded");
		}
		for (int c = 0; c < t.nColumns(); c++) {
			if (roles.containsKey(c) || kept.containsKey(c) || cols.contains(c) || blank(t, c))
				continue;
			final String why = named ? "not in features" : defaultFeature(t, c, parts, problems);
			if (why == null) cols.add(c);
			else kept.put(c, why);
		}
		// a typo already has its message; "no features" would only add noise
		if (cols.isEmpty() && !named && !kept.containsValue(TYPOS)) problems.add(name + " has no " +
			"numeric feature columns besides the id, batch and covariates" + (kept.isEmpty() ? ""
				: " (left as they are: " + describe(leftAlone(t, kept)) + ")") + ". Add " +
			"the features, or name them with features=... (a named feature is used whatever it " +
			"looks like).");

		final double[][] values = new double[n][cols.size()];
		for (int f = 0; f < cols.size(); f++) {
			final int col = cols.get(f);
			final String column = t.header().get(col);
			for (int r = 0; r < n; r++) {
				final String cell = t.cell(r, col).trim();
				values[r][f] = Csv.parseNumber(cell);
				if (!Double.isNaN(values[r][f])) continue;
				if (allowMissing && Csv.isMissing(cell)) continue;
				final String where = Tables.where(t, r, parts.labels) + ": " + column;
				if (Csv.isMissing(cell)) problems.add(where + (cell.isEmpty() ? " is empty"
					: " is missing (\"" + cell + "\")") + ". Fill in the value or remove the " +
					"row (missing feature values are not supported yet).");
				else problems.add(where + " \"" + cell + "\" is not a number" + Csv.numberHint(
					cell) + ". Correct the value or remove the row.");
			}
		}
		Csv.throwProblems(name, problems, "nothing was read");
		return new FeatureTable(file, spec, t, parts, cols.stream().mapToInt(Integer::intValue)
			.toArray(), values, leftAlone(t, kept));
	}

	/** @return the table file, absolute */
	public Path file() {
		return file;
	}

	/** @return the spec the table was read with */
	public TableSpec spec() {
		return spec;
	}

	/** @return the table as read (rows are subjects) */
	public CsvTable table() {
		return table;
	}

	/** @return the number of subjects (table rows) */
	public int nSubjects() {
		return values.length;
	}

	/** @return the number of features */
	public int nFeatures() {
		return featureColumns.length;
	}

	/** @return feature (column) names in model order, which is file order by default */
	public List<String> featureNames() {
		final List<String> names = new ArrayList<>();
		for (final int c : featureColumns)
			names.add(table.header().get(c));
		return names;
	}

	/** @return the table column of each feature */
	public int[] featureColumns() {
		return featureColumns.clone();
	}

	/** @return a new copy of {@code values[subject][feature]} */
	public double[][] values() {
		final double[][] copy = new double[values.length][];
		for (int j = 0; j < values.length; j++)
			copy[j] = values[j].clone();
		return copy;
	}

	/** @return a new matrix over a copy of the values, for a model to read and overwrite */
	public FeatureMatrix.DoubleRows matrix() {
		return new FeatureMatrix.DoubleRows(values());
	}

	/** @return the number of missing feature cells */
	public long nMissing() {
		long m = 0;
		for (final double[] row : values)
			for (final double v : row)
				if (Double.isNaN(v)) m++;
		return m;
	}

	/** @return the design: sorted batch levels, coded covariates, subject ids */
	public Design design() {
		return design;
	}

	/** @return how the covariates were coded, to save with a model */
	public CovariateCoding coding() {
		return parts.coded.coding();
	}

	/** @return subject ids; "row N" labels if the table has no id column (unmodifiable) */
	public List<String> subjectIds() {
		return List.of(parts.ids);
	}

	/** @return each subject's batch level, trimmed (unmodifiable) */
	public List<String> batches() {
		return List.of(parts.batchOfRow);
	}

	/** @return the reference batch level, or null */
	public String referenceBatch() {
		return parts.reference < 0 ? null : design.batchLevel(parts.reference);
	}

	/** @return the reference batch's index in {@link #design()}, or -1 */
	public int referenceBatchIndex() {
		return parts.reference;
	}

	/** @return the 1-based file line of a subject's row ("row N" in messages) */
	public int rowOf(final int subject) {
		return table.lineOf(subject);
	}

	/**
	 * @return the columns that are neither features nor the id, batch or covariates, in file
	 *         order, each with why it was left as it is: visit: "excluded", diagnosis: "text"; a
	 *         column without a name is "column C"; {@link #writeHarmonised} copies them unchanged
	 *         (unmodifiable)
	 */
	public Map<String, String> leftAlone() {
		return leftAlone;
	}

	/** @return "visit (excluded), diagnosis (text)" for {@link #leftAlone()} or a part of it */
	public static String describe(final Map<String, String> leftAlone) {
		final List<String> list = new ArrayList<>();
		for (final Map.Entry<String, String> e : leftAlone.entrySet())
			list.add(e.getKey() + " (" + e.getValue() + ")");
		return String.join(", ", list);
	}

	/**
	 * Writes a new table with the same columns in the same order as this one (same delimiter),
	 * every feature cell replaced by its harmonised value ({@link Csv#formatDouble}: full double
	 * precision) and every other cell copied as read. Blank rows of the input are not written.
	 *
	 * @param out the new file; its folder must exist
	 * @param harmonised {@code harmonised[subject][feature]}, shaped as {@link #values()}; finite
	 *          except where the input cell was missing, whose text is then written back as read
	 * @throws InputException if {@code out} exists (nothing is overwritten) or cannot be written
	 * @throws IllegalArgumentException if the array has the wrong shape or a non-finite value
	 */
	public void writeHarmonised(final Path out, final double[][] harmonised) {
		if (harmonised.length != nSubjects()) throw new IllegalArgumentException("expected " +
			nSubjects() + " subjects, got " + harmonised.length);
		final List<String[]> rows = new ArrayList<>();
		for (int r = 0; r < nSubjects(); r++) {
			if (harmonised[r].length != nFeatures()) throw new IllegalArgumentException(
				"expected " + nFeatures() + " features for subject " + r + ", got " +
					harmonised[r].length);
			final String[] row = table.row(r);
			for (int f = 0; f < featureColumns.length; f++) {
				if (Double.isNaN(values[r][f]) && Double.isNaN(harmonised[r][f])) continue;
				if (!Double.isFinite(harmonised[r][f])) throw new IllegalArgumentException(
					"harmonised value of " + parts.ids[r] + ", " + featureNames().get(f) + " is " +
						harmonised[r][f]);
				row[featureColumns[f]] = Csv.formatDouble(harmonised[r][f]);
			}
			rows.add(row);
		}
		Csv.write(out, table.header(), rows, table.delimiter());
	}

	// -- Helper methods --

	/**
	 * Whether a column not named by the user is a feature: one of numbers, not an identifier.
	 *
	 * @return null for a feature, else why the column is left as it is; a column of numbers with
	 *         some text cells adds a problem per such cell and is not a feature
	 */
	private static String defaultFeature(final CsvTable t, final int c, final DesignParts parts,
		final List<String> problems)
	{
		final String column = t.header().get(c);
		int numbers = 0, text = 0, missing = 0;
		for (int r = 0; r < t.nRows(); r++) {
			final String cell = t.cell(r, c);
			if (Csv.isMissing(cell)) missing++;
			// a decimal comma is a number written for another locale, not text
			else if (!Double.isNaN(Csv.parseNumber(cell)) || !Csv.numberHint(cell).isEmpty())
				numbers++;
			else text++;
		}
		if (column.isEmpty()) return "no name";
		if (numbers + text == 0) return "no values";
		if (numbers <= text) return "text";
		boolean typos = false;
		for (int r = 0; r < t.nRows(); r++) {
			final String cell = t.cell(r, c).trim();
			if (Csv.isMissing(cell) || !Double.isNaN(Csv.parseNumber(cell))) continue;
			typos = true;
			problems.add(Tables.where(t, r, parts.labels) + ": " + column + " \"" + cell +
				"\" is not a number" + Csv.numberHint(cell) + ", though most of the column is. " +
				"Correct the value, or keep the column as it is with exclude=" + column + ".");
		}
		if (typos) return TYPOS;
		return missing == 0 && looksLikeIdentifier(t, c) ? "a different whole number in every " +
			"row, like an identifier; name it in features to harmonise it" : null;
	}

	/**
	 * A different whole number in every row, and a name that says identifier or numbers that rise
	 * or fall down the file (in {@value #MIN_ROWS_IN_ORDER} rows or more): with these two tests a
	 * measure written in whole numbers (surface areas in mm², voxel counts), which is often
	 * different in every row of a small table, is not taken for one.
	 */
	private static boolean looksLikeIdentifier(final CsvTable t, final int c) {
		final int n = t.nRows();
		final double[] v = new double[n];
		for (int r = 0; r < n; r++) {
			final String cell = t.cell(r, c).trim();
			if (!WHOLE_NUMBER.matcher(cell).matches()) return false;
			v[r] = Csv.parseNumber(cell);
		}
		final double[] sorted = v.clone();
		Arrays.sort(sorted);
		for (int r = 1; r < n; r++)
			if (sorted[r] == sorted[r - 1]) return false;
		boolean rising = true, falling = true;
		for (int r = 1; r < n; r++) {
			rising &= v[r] > v[r - 1];
			falling &= v[r] < v[r - 1];
		}
		if ((rising || falling) && n >= MIN_ROWS_IN_ORDER) return true;
		for (final String word : WORD_BREAK.split(t.header().get(c)))
			if (IDENTIFIER_WORDS.contains(word.toLowerCase(Locale.ROOT))) return true;
		return false;
	}

	/** @return whether a column has neither a name nor values: a delimiter at each row's end */
	private static boolean blank(final CsvTable t, final int c) {
		if (!t.header().get(c).isEmpty()) return false;
		for (int r = 0; r < t.nRows(); r++)
			if (!Csv.isMissing(t.cell(r, c))) return false;
		return true;
	}

	/** @return name to why for each column, "column C" if it has no name */
	private static Map<String, String> leftAlone(final CsvTable t,
		final Map<Integer, String> kept)
	{
		final Map<String, String> map = new LinkedHashMap<>();
		for (final Map.Entry<Integer, String> e : kept.entrySet()) {
			final String column = t.header().get(e.getKey());
			map.put(column.isEmpty() ? "column " + Csv.columnLetter(e.getKey()) : column, e
				.getValue());
		}
		return map;
	}

	private static List<Integer> namedFeatures(final CsvTable t, final List<String> names,
		final Map<Integer, String> roles, final List<String> problems)
	{
		final List<Integer> cols = new ArrayList<>();
		for (final String f : names) {
			final int c = Tables.require(t, f, "feature", problems);
			if (c < 0) continue;
			if (roles.containsKey(c)) problems.add(t.name() + ": " + f + " is " + roles.get(c) +
				", so it cannot also be a feature. Remove it from the features.");
			else cols.add(c);
		}
		return cols;
	}
}

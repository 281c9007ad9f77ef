// SPDX-License-Identifier: MIT
package io.github.harmonij.cohort;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import io.github.harmonij.core.Design;
import io.github.harmonij.io.Csv;
import io.github.harmonij.io.CsvTable;

/**
 * The part of reading a manifest or feature table that both workflows share: subject ids, batches
 * and covariates, validated row by row. Problems are added to a list; the caller throws them
 * together with its own.
 */
final class DesignParts {

	/** Subject ids, one per table row (row labels where the table has no id). */
	final String[] ids;

	/** Subject labels for messages, one per row; null where only the row number is known. */
	final String[] labels;

	/** Batch level per row ("" where the cell was missing, which is reported). */
	final String[] batchOfRow;

	/** Sorted batch levels. */
	final List<String> batchLevels;

	/** Index of the reference batch, or -1. */
	final int reference;

	/** Columns used for id (or -1), batch (or -1) and covariates (found ones). */
	final int idColumn;

	final int batchColumn;

	final List<String> covariates;

	final Covariates.Coded coded;

	private DesignParts(final String[] ids, final String[] labels, final String[] batchOfRow,
		final List<String> batchLevels, final int reference, final int idColumn,
		final int batchColumn, final List<String> covariates, final Covariates.Coded coded)
	{
		this.ids = ids;
		this.labels = labels;
		this.batchOfRow = batchOfRow;
		this.batchLevels = batchLevels;
		this.reference = reference;
		this.idColumn = idColumn;
		this.batchColumn = batchColumn;
		this.covariates = covariates;
		this.coded = coded;
	}

	/**
	 * The design of a manifest or table as {@code spec} names it (batch, id and covariate columns,
	 * smallest batch, reference batch); for {@code forApply}, no check of the number of batches or
	 * their sizes (new subjects to harmonise with a saved model may come from one site, one
	 * subject each).
	 *
	 * @param fallbackIds ids used where there is no id column, one per row
	 * @param fallbackIsLabel true if fallback ids are mere row labels (not quoted in messages)
	 */
	static DesignParts read(final CsvTable t, final ModelSpec<?> spec, final String[] fallbackIds,
		final boolean fallbackIsLabel, final boolean forApply, final List<String> problems)
	{
		final String batchColumn = spec.batchColumn(), idColumnName = spec.idColumn();
		final List<String> covariates = spec.allCovariates(), categorical = spec.categorical();
		final List<String> smooth = spec.smooth();
		final int smoothDf = spec.smoothDf(), minPerBatch = spec.minSubjectsPerBatch();
		final String referenceBatch = spec.referenceBatch();
		final String name = t.name();
		final int n = t.nRows();

		// columns
		final int batchCol = Tables.require(t, batchColumn, "batch column", problems);
		final int idCol = idColumnName == null ? Tables.defaultIdColumn(t) : Tables.require(t,
			idColumnName, "id column", problems);
		final List<String> covs = new ArrayList<>(new LinkedHashSet<>(covariates));
		for (final String c : categorical)
			if (!covs.contains(c)) covs.add(c);
		for (final String c : smooth)
			if (!covs.contains(c)) covs.add(c);
		if (covs.remove(batchColumn)) problems.add(name + ": " + batchColumn + " is the batch " +
			"column, so it cannot also be a covariate (its effect is what harmonisation " +
			"removes). Remove " + batchColumn + " from the covariates.");
		if (idCol >= 0 && covs.remove(t.header().get(idCol))) problems.add(name + ": " + t
			.header().get(idCol) + " is the id column, so it cannot also be a covariate. Remove " +
			"it from the covariates.");
		// report unknown covariates with the other columns, before any row problem
		covs.removeIf(c -> Tables.require(t, c, "covariate", problems) < 0);
		final List<String> cats = new ArrayList<>(categorical);
		cats.retainAll(covs);

		// ids
		final String[] ids = new String[n];
		final String[] labels = new String[n];
		final Map<String, List<Integer>> rowsOfId = new LinkedHashMap<>();
		for (int r = 0; r < n; r++) {
			final String id = idCol >= 0 ? t.cell(r, idCol).trim() : fallbackIds[r];
			if (idCol >= 0 && id.isEmpty()) {
				problems.add(Tables.where(t, r, null) + ": " + t.header().get(idCol) +
					" is empty. Enter the subject id or remove the row.");
				ids[r] = fallbackIds[r];
				continue;
			}
			ids[r] = id;
			labels[r] = idCol < 0 && fallbackIsLabel ? null : id;
			rowsOfId.computeIfAbsent(id, k -> new ArrayList<>()).add(r);
		}
		// ids made up from file names or row numbers are unique unless the images repeat, which
		// the caller reports
		if (idCol >= 0) for (final Map.Entry<String, List<Integer>> e : rowsOfId.entrySet())
			if (e.getValue().size() > 1) {
				final List<String> lines = new ArrayList<>();
				for (final int r : e.getValue())
					lines.add(Integer.toString(t.lineOf(r)));
				problems.add(name + ": subject " + e.getKey() + " appears in rows " + String.join(
					", ", lines) + ". Subject ids must be unique; correct the id or remove the " +
					"duplicate row.");
			}

		// batches
		final String[] batchOfRow = new String[n];
		final Map<String, List<Integer>> rowsOfBatch = new LinkedHashMap<>();
		if (batchCol >= 0) for (int r = 0; r < n; r++) {
			final String b = t.cell(r, batchCol).trim();
			batchOfRow[r] = Csv.isMissing(b) ? "" : b;
			if (batchOfRow[r].isEmpty()) problems.add(Tables.where(t, r, labels) + ": " +
				batchColumn + (b.isEmpty() ? " is empty" : " is missing (\"" + b + "\")") +
				". Enter the " + batchColumn + " or remove the row.");
			else rowsOfBatch.computeIfAbsent(b, k -> new ArrayList<>()).add(r);
		}
		final List<String> levels = Covariates.sortLevels(rowsOfBatch.keySet());
		if (levels.size() == 1 && n > 0 && !forApply) problems.add(name + ": every subject has " +
			batchColumn + " \"" + levels.get(0) + "\"; harmonisation needs at least 2 batches. " +
			"Add the other batches' rows or check the " + batchColumn + " column.");
		for (final String b : levels) {
			final List<Integer> rows = rowsOfBatch.get(b);
			if (rows.size() >= minPerBatch || forApply) continue;
			if (rows.size() == 1 && minPerBatch == 2) problems.add(name + ": " + batchColumn +
				" \"" + b + "\" has 1 subject (" + Tables.rowAndSubject(t, rows.get(0), labels) +
				"); " + (spec.regression() ? "linear site adjustment needs at least 2 per " +
					batchColumn + ": with 1, its site term would take up all of that subject's " +
					"own variation. Merge or exclude that " + batchColumn + ", or use ComBat in " +
					"mean-only mode, which can run with 1." : "ComBat needs at least 2 per " +
						batchColumn + " for a variance (mean-only adjustment can run with 1). " +
						"Merge or exclude that " + batchColumn + "."));
			else problems.add(name + ": " + batchColumn + " \"" + b + "\" has " + rows.size() +
				(rows.size() == 1 ? " subject" : " subjects") + "; at least " + minPerBatch +
				" per " + batchColumn + " are needed. Merge or exclude that " + batchColumn + ".");
		}
		int reference = -1;
		if (referenceBatch != null && !levels.isEmpty()) {
			reference = levels.indexOf(referenceBatch.trim());
			if (reference < 0) problems.add(name + ": the reference " + batchColumn + " \"" +
				referenceBatch + "\" is not in column " + batchColumn + "; its values are: " +
				String.join(", ", levels) + ". Choose one of them.");
		}

		final List<String> smo = new ArrayList<>(smooth);
		smo.retainAll(covs);
		final Covariates.Coded coded = Covariates.code(t, covs, cats, smo, smoothDf, labels,
			problems);
		return new DesignParts(ids, labels, batchOfRow, levels, reference, idCol, batchCol, covs,
			coded);
	}

	/** @return the design; call only when no problems were found */
	Design design() {
		final int[] batch = new int[ids.length];
		for (int r = 0; r < ids.length; r++)
			batch[r] = batchLevels.indexOf(batchOfRow[r]);
		return new Design(batchLevels.toArray(new String[0]), batch, coded.coding().codedNames()
			.toArray(new String[0]), coded.values(), ids);
	}
}

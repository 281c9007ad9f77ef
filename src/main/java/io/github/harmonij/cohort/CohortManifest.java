// SPDX-License-Identifier: MIT
package io.github.harmonij.cohort;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.github.harmonij.core.InputException;
import io.github.harmonij.io.Csv;
import io.github.harmonij.io.CsvTable;
import io.github.harmonij.io.UserPaths;

/**
 * Reads a cohort manifest for voxelwise harmonisation: a CSV file (see {@link Csv}) with one row
 * per image, e.g.
 * <pre>
 * subject,image,site,age,sex
 * sub-001,images/sub-001_GM.nii.gz,Zürich,63,F
 * sub-002,/data/ucl/sub-002_GM.nii.gz,UCL,71,M
 * </pre>
 * Image paths are absolute or relative to the manifest's folder. Which columns mean what is given
 * by a {@link CohortSpec}. Subject ids come from the id column; without one, from the image file
 * name without .nii or .nii.gz (or, if two images share a file name, from the image cell as
 * written).
 * <p>
 * Everything is checked before anything is returned, and every problem is reported in one
 * {@link InputException}: unknown columns (the message lists the columns), empty or non-numeric
 * values, categorical levels with one subject, constant covariates, missing image files (the
 * message names the row, subject and resolved path), images listed twice, duplicate subject ids,
 * batches with too few subjects, a reference batch that is not a batch, an empty manifest. Rows
 * are named "row N" with N the file line (the header is line 1). Image grids are not checked.
 */
public final class CohortManifest {

	private CohortManifest() {}

	/**
	 * Reads and validates a manifest.
	 *
	 * @param manifest the CSV file
	 * @param spec which columns mean what
	 * @return the cohort, one subject per row in file order
	 * @throws InputException listing every problem found (nothing is returned then)
	 */
	public static Cohort read(final Path manifest, final CohortSpec spec) {
		return read(manifest, spec, false);
	}

	/**
	 * Reads a manifest of new subjects for a saved model: as {@link #read(Path, CohortSpec)} but
	 * any number of sites and subjects per site is accepted (the model's sites are checked by the
	 * caller).
	 */
	public static Cohort readForApply(final Path manifest, final CohortSpec spec) {
		return read(manifest, spec, true);
	}

	private static Cohort read(final Path manifest, final CohortSpec spec,
		final boolean forApply)
	{
		final Path file = manifest.toAbsolutePath().normalize();
		final CsvTable t = Csv.read(file);
		final String name = t.name();
		final int n = t.nRows();
		if (n == 0) throw new InputException(name + " has no data rows, only a header. Add one " +
			"row per image with its path, " + spec.batchColumn() + " and covariates.");
		final List<String> problems = new ArrayList<>();
		final int imageCol = Tables.require(t, spec.imageColumn(), "image column", problems);
		final Path dir = file.getParent();

		final Path[] images = new Path[n];
		final String[] fallbackIds = new String[n];
		final String[] invalid = new String[n];
		for (int r = 0; r < n; r++) {
			fallbackIds[r] = "row " + t.lineOf(r);
			if (imageCol < 0) continue;
			final String cell = t.cell(r, imageCol).trim();
			if (cell.isEmpty()) continue;
			try {
				images[r] = dir.resolve(Paths.get(cell)).normalize();
				fallbackIds[r] = stripNifti(images[r].getFileName().toString());
			}
			catch (final InvalidPathException e) {
				invalid[r] = e.getReason();
			}
		}
		if (imageCol >= 0 && !Covariates.duplicates(List.of(fallbackIds)).isEmpty())
			for (int r = 0; r < n; r++)
				if (images[r] != null) fallbackIds[r] = t.cell(r, imageCol).trim();

		final DesignParts parts = DesignParts.read(t, spec, fallbackIds, imageCol < 0, forApply,
			problems);
		if (imageCol >= 0) checkImages(t, imageCol, images, invalid, parts.ids, dir, problems);
		Csv.throwProblems(name, problems, "nothing was read");
		return new Cohort(file, spec, t, images, parts);
	}

	// -- Helper methods --

	private static void checkImages(final CsvTable t, final int col, final Path[] images,
		final String[] invalid, final String[] ids, final Path dir, final List<String> problems)
	{
		final String column = t.header().get(col);
		final Map<Path, List<Integer>> rowsOf = new LinkedHashMap<>();
		for (int r = 0; r < images.length; r++) {
			final String where = Tables.where(t, r, ids);
			final String cell = t.cell(r, col).trim();
			if (cell.isEmpty()) problems.add(where + ": " + column +
				" is empty. Enter the image's path or remove the row.");
			else if (invalid[r] != null) problems.add(where + ": " + column + " \"" + cell + "\" " +
				(UserPaths.unmappable(cell) ? UserPaths.localeAdvice() + "." :
					"is not a valid path (" + invalid[r] + "). Correct it or remove the row."));
			else if (!Files.exists(images[r])) problems.add(where + ": image file not found: " +
				images[r] + ". Correct the path (a relative path is resolved against the " +
				"manifest's folder, " + dir + ") or remove the row" + backslashHint(cell) + ".");
			else if (Files.isDirectory(images[r])) problems.add(where + ": " + images[r] +
				" is a folder, not an image file. Enter the path of the image itself.");
			if (images[r] != null) rowsOf.computeIfAbsent(images[r], k -> new ArrayList<>()).add(
				r);
		}
		for (final Map.Entry<Path, List<Integer>> e : rowsOf.entrySet()) {
			final List<Integer> rows = e.getValue();
			if (rows.size() < 2) continue;
			final List<String> at = new ArrayList<>();
			for (final int r : rows)
				at.add(Tables.rowAndSubject(t, r, ids));
			problems.add(t.name() + ": the image " + e.getKey() + " is listed " + rows.size() +
				" times (" + String.join("; ", at) + "). Each image must appear once; correct " +
				"the path or remove the duplicate row.");
		}
	}

	private static String backslashHint(final String cell) {
		return File.separatorChar == '/' && cell.indexOf('\\') >= 0
			? " (write the path with / instead of \\)" : "";
	}

	/** @return a file name without .nii.gz or .nii (any case) */
	static String stripNifti(final String fileName) {
		final String lower = fileName.toLowerCase(Locale.ROOT);
		if (lower.endsWith(".nii.gz")) return fileName.substring(0, fileName.length() - 7);
		if (lower.endsWith(".nii")) return fileName.substring(0, fileName.length() - 4);
		return fileName;
	}
}

// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import net.imglib2.parallel.Parallelization;

import io.github.harmonij.core.FeatureMatrix;
import io.github.harmonij.core.InputException;
import io.github.harmonij.core.Progress;

/**
 * The masked voxels of a cohort's images as one float32 subjects-by-voxels matrix, with the grid
 * and mask they came from. {@link #read} checks every image header against the first (size,
 * affine, one volume each) and the mask, reporting all problems at once, before reading any
 * voxel. Used by the harmonisation and the site-effect maps alike.
 * <p>
 * {@code rows[subject][k]} is the value at voxel {@code index[k]} (linear index in the volume,
 * x fastest). The rows are the caller's to change (harmonisation adjusts them in place).
 */
public final class CohortMatrix {

	private final Cohort cohort;

	private final NiftiHeader[] headers;

	private final boolean[] mask;

	private final int[] index;

	private final float[][] rows;

	private CohortMatrix(final Cohort cohort, final NiftiHeader[] headers, final boolean[] mask,
		final int[] index, final float[][] rows)
	{
		this.cohort = cohort;
		this.headers = headers;
		this.mask = mask;
		this.index = index;
		this.rows = rows;
	}

	/**
	 * Checks the grids of a cohort's images and of the mask, without reading voxels.
	 *
	 * @return each subject's header
	 * @throws InputException listing every unreadable image, multi-volume image, image on another
	 *           grid than the first, and a mask on another grid
	 */
	public static NiftiHeader[] checkGrids(final Cohort cohort, final Path mask) {
		final int n = cohort.nSubjects();
		final NiftiHeader[] headers = new NiftiHeader[n];
		final List<String> problems = new ArrayList<>();
		for (int j = 0; j < n; j++) {
			final Path p = cohort.image(j);
			try {
				headers[j] = NiftiIO.readHeader(p);
			}
			catch (final InputException e) {
				problems.add(where(cohort, j) + ": " + e.getMessage());
			}
		}
		InputException.throwIfAny(cohort.manifest() + ": " + problems.size() +
			" images cannot be read:", problems);
		final NiftiHeader first = headers[0];
		for (int j = 0; j < n; j++) {
			final NiftiHeader h = headers[j];
			if (h.nVolumes() != 1) problems.add(where(cohort, j) + ": " + cohort.image(j)
				.getFileName() + " has " + h.nVolumes() + " volumes; each manifest row needs one 3-D " +
				"image. Split the file into volumes.");
			else if (j > 0) {
				final String diff = first.gridDifference(h);
				if (diff != null) problems.add(where(cohort, j) + ": " + cohort.image(j).getFileName() +
					" is on another grid than " + cohort.image(0).getFileName() + " (" + diff +
					"). Resample every image to one template.");
			}
		}
		if (mask != null) {
			try {
				final NiftiHeader m = NiftiIO.readHeader(mask);
				final String diff = first.gridDifference(m);
				if (diff != null) problems.add("The mask " + mask.getFileName() + " is on another " +
					"grid than the images (" + diff + "). Resample the mask to the images' grid.");
			}
			catch (final InputException e) {
				problems.add("The mask: " + e.getMessage());
			}
		}
		InputException.throwIfAny(cohort.manifest().getFileName() + ": " + problems.size() +
			" problems with the images:", problems);
		return headers;
	}

	/**
	 * Checks the grids (see {@link #checkGrids}), builds the mask and reads the masked voxels of
	 * every image, one volume per thread at a time.
	 *
	 * @param mask brain mask (non-zero and not NaN = inside), or null: then a voxel is inside when
	 *          some image has a finite non-zero value there
	 * @param status told the phase ("Reading 60 images")
	 * @throws InputException for bad images or an empty mask
	 * @throws CancellationException if canceled
	 */
	public static CohortMatrix read(final Cohort cohort, final Path mask, final Progress progress,
		final Consumer<String> status, final BooleanSupplier canceled)
	{
		final NiftiHeader[] headers = checkGrids(cohort, mask);
		final int nVoxels = Math.toIntExact(headers[0].voxelsPerVolume());
		status.accept("Reading " + cohort.nSubjects() + " images");
		final boolean[] m = mask != null ? readMask(mask) : unionMask(cohort, nVoxels, progress,
			canceled);
		final int[] index = IntStream.range(0, nVoxels).filter(v -> m[v]).toArray();
		if (index.length == 0) throw new InputException(mask != null ? mask +
			" has no non-zero voxel; give a brain mask." : "Every voxel is zero or non-finite in " +
				"every image; check the images.");
		final int n = cohort.nSubjects();
		final float[][] rows = new float[n][];
		forEachSubject(n, progress, canceled, j -> {
			final float[] volume = NiftiIO.readVolume(cohort.image(j), 0);
			final float[] row = new float[index.length];
			for (int k = 0; k < index.length; k++)
				row[k] = volume[index[k]];
			rows[j] = row;
		});
		return new CohortMatrix(cohort, headers, m, index, rows);
	}

	/** @return the cohort read */
	public Cohort cohort() {
		return cohort;
	}

	/** @return the header of subject j's image */
	public NiftiHeader header(final int subject) {
		return headers[subject];
	}

	/** @return the grid of the cohort (the first image's header) */
	public NiftiHeader grid() {
		return headers[0];
	}

	/** @return the mask over the whole volume (not a copy: do not change it) */
	public boolean[] mask() {
		return mask;
	}

	/** @return the volume index of each masked voxel, increasing (not a copy) */
	public int[] index() {
		return index;
	}

	/** @return the number of masked voxels */
	public int nVoxels() {
		return index.length;
	}

	/** @return {@code rows[subject][masked voxel]}, the live data (not a copy) */
	public float[][] rows() {
		return rows;
	}

	/** @return the live data as a core matrix (no copy) */
	public FeatureMatrix.FloatRows matrix() {
		return new FeatureMatrix.FloatRows(rows);
	}

	/** @return a deep copy of the data, e.g. to keep the original before harmonising in place */
	public FeatureMatrix.FloatRows copyOfMatrix() {
		final float[][] copy = new float[rows.length][];
		for (int j = 0; j < rows.length; j++)
			copy[j] = rows[j].clone();
		return new FeatureMatrix.FloatRows(copy);
	}

	/**
	 * Puts a value per masked voxel into a whole volume.
	 *
	 * @param outside the value of voxels outside the mask
	 */
	public float[] toVolume(final double[] perVoxel, final float outside) {
		final float[] vol = new float[mask.length];
		java.util.Arrays.fill(vol, outside);
		for (int k = 0; k < index.length; k++)
			vol[index[k]] = (float) perVoxel[k];
		return vol;
	}

	/** Runs {@code body} for each subject, in parallel, with progress and cancel. */
	static void forEachSubject(final int n, final Progress progress,
		final BooleanSupplier canceled, final IntConsumer body)
	{
		final AtomicLong done = new AtomicLong();
		final List<Integer> subjects = IntStream.range(0, n).boxed().collect(Collectors.toList());
		try {
			Parallelization.getTaskExecutor().forEach(subjects, j -> {
				if (canceled.getAsBoolean()) throw new CancellationException();
				body.accept(j);
				progress.update(done.incrementAndGet(), n);
			});
		}
		catch (final RuntimeException e) {
			Throwable t = e;
			while (t.getCause() != null && !(t instanceof InputException) &&
				!(t instanceof CancellationException))
				t = t.getCause();
			if (t instanceof RuntimeException) throw (RuntimeException) t;
			throw e;
		}
	}

	// -- Helper methods --

	static String where(final Cohort cohort, final int j) {
		return cohort.manifest().getFileName() + " row " + cohort.rowOf(j) + " (subject " + cohort
			.subjectId(j) + ")";
	}

	private static boolean[] readMask(final Path path) {
		final float[] m = NiftiIO.readVolume(path, 0);
		final boolean[] mask = new boolean[m.length];
		for (int v = 0; v < m.length; v++)
			mask[v] = m[v] != 0 && !Float.isNaN(m[v]);
		return mask;
	}

	/** Without a mask, a voxel is inside when some image has a finite non-zero value there. */
	private static boolean[] unionMask(final Cohort cohort, final int nVoxels,
		final Progress progress, final BooleanSupplier canceled)
	{
		final boolean[] mask = new boolean[nVoxels];
		// Workers only ever write true: the races are benign and the result is order-free.
		forEachSubject(cohort.nSubjects(), progress, canceled, j -> {
			final float[] volume = NiftiIO.readVolume(cohort.image(j), 0);
			for (int v = 0; v < nVoxels; v++)
				if (volume[v] != 0 && Float.isFinite(volume[v])) mask[v] = true;
		});
		return mask;
	}
}

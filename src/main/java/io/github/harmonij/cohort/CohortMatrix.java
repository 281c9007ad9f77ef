// SPDX-License-Identifier: MIT
package io.github.harmonij.cohort;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
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
import io.github.harmonij.io.NiftiHeader;
import io.github.harmonij.io.NiftiIO;

/**
 * The masked voxels of a cohort's images as one float32 subjects-by-voxels matrix, with the grid
 * and mask they came from. {@link #read} checks every image header against the first (size,
 * affine, one volume each) and the mask, reporting all problems at once, before reading any
 * voxel. Used by the harmonisation and the site-effect maps alike.
 * <p>
 * The matrix is held in memory ({@code rows[subject][k]} is the value at voxel {@code index[k]},
 * linear index in the volume, x fastest) or, out of core, in a {@link SpilledMatrix} in a
 * temporary folder ({@link Storage#spillDir()}). Either way its values are the caller's to change
 * (harmonisation adjusts them in place) through {@link #matrix()}.
 * <p>
 * <b>Each input is decoded once.</b> With {@link Storage#keepOutside()}, what the write pass needs
 * beyond the matrix is kept while reading: each subject's voxels outside the mask whose bits are
 * not those of +0.0 (values, -0.0, NaN and infinities, bit for bit) as a sparse list, so that
 * {@link #volume} rebuilds the whole image without reading the file again. A subject with more
 * such voxels than {@link #outsideLimit} (real images: skull, noise, small probabilities) keeps
 * every voxel outside the mask as a dense array if {@link Storage#denseOutside} allows it (4 bytes
 * a voxel: the whole cohort's volumes then take the memory), and is read again otherwise (listed
 * by {@link #reread}).
 * Without a mask, the union mask (voxels finite and non-zero in some image) is not known until
 * every image has been decoded, so each image is first kept in a compact form (a bitmap of its
 * voxels that are not +0.0 and their values in voxel order, about the size of its masked row)
 * and turned into its row once the mask is known; out of core, the union mask takes a separate
 * first pass instead (two decodes per input, counted in {@link #decodes}).
 */
public final class CohortMatrix implements AutoCloseable {

	/** Where the matrix goes and what else is kept while reading. Immutable. */
	public static final class Storage {

		/**
		 * Subjects decoded together before their rows are appended to the block file: enough
		 * to keep the threads busy, few enough that their rows (one float32 row each) stay small.
		 */
		private static final int BATCH = 64;

		private static final Storage IN_MEMORY = new Storage(null, false, false);

		private final Path spillDir;

		/**
		 * With {@link #keepOutside}: keep a subject's voxels outside the mask as a dense array
		 * when there are more of them than {@link #outsideLimit}, instead of reading the image
		 * again to write it. The caller's memory budget must allow every subject's whole volume.
		 */
		private final boolean denseOutside;

		private final boolean keepOutside;

		private Storage(final Path spillDir, final boolean keepOutside,
			final boolean denseOutside)
		{
			this.spillDir = spillDir;
			this.keepOutside = keepOutside;
			this.denseOutside = denseOutside;
		}

		/** @return the matrix in memory, and nothing kept outside the mask */
		public static Storage inMemory() {
			return IN_MEMORY;
		}

		/** @return a copy that also keeps the voxels outside the mask, for {@link #volume} */
		public Storage keepingOutside() {
			return new Storage(spillDir, true, denseOutside);
		}

		/**
		 * @return a copy that keeps the voxels outside the mask of every subject as a dense
		 *         volume when they are many (one decode per input; the memory budget must allow
		 *         every subject's whole volume)
		 */
		public Storage denseOutside() {
			return new Storage(spillDir, keepOutside, true);
		}

		/** @return a copy that holds the matrix out of core, in a file in {@code dir} */
		public Storage spilledTo(final Path dir) {
			return new Storage(dir, keepOutside, denseOutside);
		}

		/** @return the folder of the out-of-core matrix file, or null for the matrix in memory */
		public Path spillDir() {
			return spillDir;
		}

		/** @return whether the voxels outside the mask are kept too, for {@link #volume} */
		public boolean keepOutside() {
			return keepOutside;
		}
	}

	private final Cohort cohort;

	private final NiftiHeader[] headers;

	private final boolean[] mask;

	private final int[] index;

	/** In memory: the rows; out of core: null. */
	private final float[][] rows;

	/** Out of core: the matrix; in memory: null. */
	private final SpilledMatrix spilled;

	/** Per subject, voxels outside the mask that are not +0.0, or null (read again). */
	private final Sparse[] outside;

	private final AtomicInteger decodes;

	/**
	 * A subject's voxels outside the mask: volume indices (increasing) and values, or, dense, no
	 * indices and the values of every voxel outside the mask in voxel order.
	 */
	private static final class Sparse {

		/** null when dense */
		final int[] at;

		final float[] values;

		Sparse(final int[] at, final float[] values) {
			this.at = at;
			this.values = values;
		}
	}

	private CohortMatrix(final Cohort cohort, final NiftiHeader[] headers, final boolean[] mask,
		final int[] index, final float[][] rows, final SpilledMatrix spilled, final Sparse[] outside,
		final AtomicInteger decodes)
	{
		this.cohort = cohort;
		this.headers = headers;
		this.mask = mask;
		this.index = index;
		this.rows = rows;
		this.spilled = spilled;
		this.outside = outside;
		this.decodes = decodes;
	}

	/**
	 * Checks the grids of a cohort's images and of the mask, without reading voxels. Each header
	 * is first checked on its own (by {@link NiftiIO#readHeader}: readable, finite affine, valid
	 * codes, a file large enough for its dims); grids are then compared only between valid
	 * headers, against the mask's grid when there is a valid mask, otherwise against the first
	 * valid image, so one damaged image is named alone instead of every other image being on
	 * "another grid" than it. When grids differ, the gzip checksums of the reference and of each
	 * differing image are checked ({@link NiftiIO#damage(Path)}; only then, as that reads the
	 * whole file): a damaged file is named as damaged, and a damaged reference is replaced by the
	 * next valid image.
	 *
	 * @return each subject's header
	 * @throws InputException listing every unreadable or damaged image, multi-volume image, image
	 *           on another grid than the reference, and a damaged mask or one on another grid
	 */
	public static NiftiHeader[] checkGrids(final Cohort cohort, final Path mask) {
		final int n = cohort.nSubjects();
		final NiftiHeader[] headers = new NiftiHeader[n];
		final List<String> problems = new ArrayList<>();
		NiftiHeader maskHeader = null;
		if (mask != null) {
			try {
				maskHeader = NiftiIO.readHeader(mask);
			}
			catch (final InputException e) {
				problems.add("The mask: " + e.getMessage());
			}
		}
		for (int j = 0; j < n; j++) {
			final Path p = cohort.image(j);
			try {
				headers[j] = NiftiIO.readHeader(p);
			}
			catch (final InputException e) {
				problems.add(where(cohort, j) + ": " + e.getMessage());
			}
		}
		for (int j = 0; j < n; j++) {
			final NiftiHeader h = headers[j];
			if (h != null && h.nVolumes() != 1) {
				problems.add(where(cohort, j) + ": " + cohort.image(j).getFileName() + " has " + h
					.nVolumes() + " volumes; each manifest row needs one 3-D image. Split the " +
					"file into volumes.");
				headers[j] = null;
			}
		}
		// The reference: the mask, else the first valid image; replaced if it proves damaged.
		int refImage = maskHeader != null ? -1 : next(headers, 0);
		final List<Integer> off = new ArrayList<>();
		while (maskHeader != null || refImage >= 0) {
			final NiftiHeader ref = maskHeader != null ? maskHeader : headers[refImage];
			off.clear();
			for (int j = 0; j < n; j++)
				if (headers[j] != null && j != refImage && headers[j].gridDifference(ref) != null)
					off.add(j);
			if (off.isEmpty()) break;
			final String refDamage = NiftiIO.damage(maskHeader != null ? mask : cohort.image(
				refImage));
			if (refDamage == null && maskHeader != null && off.size() == valid(headers)) {
				// No image is on the mask's grid: the mask is the one to resample.
				final int first = next(headers, 0);
				problems.add("The mask " + mask.getFileName() + " is on another grid than every " +
					"image (" + maskHeader.gridDifference(headers[first]) + " of " + cohort.image(
						first).getFileName() + "). Resample the mask to the images' grid.");
				maskHeader = null;
				refImage = first;
				continue;
			}
			if (refDamage == null) break;
			if (maskHeader != null) {
				problems.add("The mask: " + refDamage);
				maskHeader = null;
				refImage = next(headers, 0);
			}
			else {
				problems.add(where(cohort, refImage) + ": " + refDamage);
				headers[refImage] = null;
				refImage = next(headers, refImage + 1);
			}
		}
		if (maskHeader == null && refImage < 0) off.clear(); // no valid reference is left
		final String refName = maskHeader != null ? "the mask " + mask.getFileName() : refImage >=
			0 ? cohort.image(refImage).getFileName().toString() : null;
		for (final int j : off) {
			final String damage = NiftiIO.damage(cohort.image(j));
			if (damage != null) {
				problems.add(where(cohort, j) + ": " + damage);
				continue;
			}
			final String diff = headers[j].gridDifference(maskHeader != null ? maskHeader
				: headers[refImage]);
			problems.add(where(cohort, j) + ": " + cohort.image(j).getFileName() + " is on " +
				"another grid than " + refName + " (" + diff + "). Resample every image to one " +
				"template" + (maskHeader != null ? ", the mask's" : "") + ".");
		}
		InputException.throwIfAny(cohort.manifest().getFileName() + ": " + problems.size() +
			" problems with the images:", problems);
		return headers;
	}

	/** @return the number of headers that are not null */
	private static int valid(final NiftiHeader[] headers) {
		int c = 0;
		for (final NiftiHeader h : headers)
			if (h != null) c++;
		return c;
	}

	/** @return the first index from {@code from} with a header, or -1 */
	private static int next(final NiftiHeader[] headers, final int from) {
		for (int j = from; j < headers.length; j++)
			if (headers[j] != null) return j;
		return -1;
	}

	/**
	 * Checks the grids (see {@link #checkGrids}), builds the mask and reads the masked voxels of
	 * every image into memory, one volume per thread at a time; nothing outside the mask is kept.
	 *
	 * @see #read(Cohort, Path, Storage, Progress, Consumer, BooleanSupplier)
	 */
	public static CohortMatrix read(final Cohort cohort, final Path mask, final Progress progress,
		final Consumer<String> status, final BooleanSupplier canceled)
	{
		return read(cohort, mask, Storage.inMemory(), progress, status, canceled);
	}

	/**
	 * Checks the grids (see {@link #checkGrids}), builds the mask and reads the masked voxels of
	 * every image, decoding several images in parallel (one volume per thread at a time).
	 *
	 * @param mask brain mask (non-zero and not NaN = inside), or null: then a voxel is inside when
	 *          some image has a finite non-zero value there
	 * @param storage in memory or out of core, and whether to keep the voxels outside the mask
	 * @param status told the phase ("Reading 60 images")
	 * @throws InputException for bad images or an empty mask
	 * @throws CancellationException if canceled
	 */
	public static CohortMatrix read(final Cohort cohort, final Path mask, final Storage storage,
		final Progress progress, final Consumer<String> status, final BooleanSupplier canceled)
	{
		final NiftiHeader[] headers = checkGrids(cohort, mask);
		final int nVoxels = Math.toIntExact(headers[0].voxelsPerVolume());
		final int n = cohort.nSubjects();
		final AtomicInteger decodes = new AtomicInteger();
		status.accept("Reading " + n + " images");
		if (mask == null && storage.spillDir() == null) return readUnion(cohort, headers, storage,
			decodes, progress, canceled);
		final boolean[] m = mask != null ? readMask(mask) : unionMask(cohort, nVoxels, decodes,
			progress, canceled);
		return readMasked(cohort, headers, m, indexOf(m, mask), storage, decodes, progress,
			canceled);
	}

	/**
	 * Reads the voxels of a given mask (e.g. a saved model's) from images whose headers were
	 * checked already, as {@link #read(Cohort, Path, Storage, Progress, Consumer, BooleanSupplier)}.
	 *
	 * @param headers each subject's header, on the mask's grid
	 * @param mask over the whole volume; not copied
	 */
	public static CohortMatrix read(final Cohort cohort, final NiftiHeader[] headers,
		final boolean[] mask, final Storage storage, final Progress progress,
		final BooleanSupplier canceled)
	{
		final int[] index = IntStream.range(0, mask.length).filter(v -> mask[v]).toArray();
		return readMasked(cohort, headers, mask, index, storage, new AtomicInteger(), progress,
			canceled);
	}

	private static CohortMatrix readMasked(final Cohort cohort, final NiftiHeader[] headers,
		final boolean[] m, final int[] index, final Storage storage, final AtomicInteger decodes,
		final Progress progress, final BooleanSupplier canceled)
	{
		final int n = cohort.nSubjects();
		final int limit = outsideLimit(index.length);
		final Sparse[] outside = storage.keepOutside() ? new Sparse[n] : null;
		final boolean dense = storage.denseOutside;
		if (storage.spillDir() == null) {
			final float[][] rows = new float[n][];
			forEachSubject(n, progress, canceled, j -> {
				final float[] volume = decode(cohort, j, decodes);
				rows[j] = gather(volume, index);
				if (outside != null) outside[j] = outside(volume, m, index.length, limit, dense);
			});
			return new CohortMatrix(cohort, headers, m, index, rows, null, outside, decodes);
		}
		final SpilledMatrix spilled = SpilledMatrix.create(storage.spillDir().resolve(
			"matrix.f32"), n, index.length);
		try {
			// Batches of subjects decoded in parallel, then appended block by block: one write of
			// batch x BLOCK values per block, not one per subject and block.
			final int batch = Math.max(1, Math.min(n, Storage.BATCH));
			final float[][] buf = new float[batch][index.length];
			final AtomicLong done = new AtomicLong();
			for (int j0 = 0; j0 < n; j0 += batch) {
				final int first = j0, count = Math.min(batch, n - j0);
				forEachSubject(count, Progress.NONE, canceled, i -> {
					final int j = first + i;
					final float[] volume = decode(cohort, j, decodes);
					gather(volume, index, buf[i]);
					if (outside != null) outside[j] = outside(volume, m, index.length, limit, dense);
					progress.update(done.incrementAndGet(), n);
				});
				spilled.writeRows(first, buf, count);
			}
		}
		catch (final RuntimeException e) {
			spilled.close();
			throw e;
		}
		return new CohortMatrix(cohort, headers, m, index, null, spilled, outside, decodes);
	}

	/**
	 * The largest number of voxels outside the mask kept for one subject: a twentieth of the
	 * masked voxels (8 bytes each, so at most a tenth more memory than the matrix). A subject
	 * with more is read again when its outputs are written.
	 */
	public static int outsideLimit(final int maskVoxels) {
		return maskVoxels / 20;
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

	/** @return whether the matrix is out of core */
	public boolean spilled() {
		return spilled != null;
	}

	/** @return the live data as a core matrix (no copy) */
	public FeatureMatrix matrix() {
		return spilled != null ? spilled : new FeatureMatrix.FloatRows(rows);
	}

	/**
	 * Subject j's current row: in memory the live row itself, out of core a copy in
	 * {@code buffer} (which must hold {@link #nVoxels()} values).
	 */
	public float[] row(final int subject, final float[] buffer) {
		if (rows != null) return rows[subject];
		spilled.readRow(subject, buffer);
		return buffer;
	}

	/**
	 * Subject j's whole image with the current masked values: the voxels outside the mask as
	 * read (kept, or read again), the masked ones from {@code row}.
	 *
	 * @param volume receives the image ({@code nx * ny * nz} values)
	 * @throws IllegalStateException if the voxels outside the mask were not kept
	 */
	public void volume(final int subject, final float[] row, final float[] volume) {
		if (outside == null) throw new IllegalStateException("outside voxels not kept");
		final Sparse o = outside[subject];
		if (o == null) {
			final float[] v = decode(cohort, subject, decodes);
			System.arraycopy(v, 0, volume, 0, v.length);
		}
		else if (o.at == null) {
			for (int v = 0, i = 0; v < volume.length; v++)
				if (!mask[v]) volume[v] = o.values[i++];
		}
		else {
			Arrays.fill(volume, 0f);
			for (int i = 0; i < o.at.length; i++)
				volume[o.at[i]] = o.values[i];
		}
		for (int k = 0; k < index.length; k++)
			volume[index[k]] = row[k];
	}

	/** @return the subjects whose images are read again for {@link #volume} */
	public List<Integer> reread() {
		final List<Integer> r = new ArrayList<>();
		if (outside != null) for (int j = 0; j < outside.length; j++)
			if (outside[j] == null) r.add(j);
		return r;
	}

	/** @return how many times input images were decoded so far (reading and {@link #volume}) */
	public int decodes() {
		return decodes.get();
	}

	/**
	 * Puts a value per masked voxel into a whole volume.
	 *
	 * @param outside the value of voxels outside the mask
	 */
	public float[] toVolume(final double[] perVoxel, final float outside) {
		final float[] vol = new float[mask.length];
		Arrays.fill(vol, outside);
		for (int k = 0; k < index.length; k++)
			vol[index[k]] = (float) perVoxel[k];
		return vol;
	}

	/**
	 * Releases the data: in memory, the rows and the voxels kept outside the mask; out of core,
	 * the file (deleted). Dropped here rather than left to become unreachable with this object,
	 * because the object can stay reachable after its try block: in an interpreted frame a local
	 * that is no longer used is still a root, so whether a matrix of hundreds of MB survives into
	 * the next phase would depend on the JIT. Afterwards only the grid, headers, mask and index
	 * may be used.
	 */
	@Override
	public void close() {
		if (rows != null) Arrays.fill(rows, null);
		if (outside != null) Arrays.fill(outside, null);
		if (spilled != null) spilled.close();
	}

	/** Runs {@code body} for each subject, in parallel, with progress and cancel. */
	public static void forEachSubject(final int n, final Progress progress,
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

	public static String where(final Cohort cohort, final int j) {
		return cohort.manifest().getFileName() + " row " + cohort.rowOf(j) + " (subject " + cohort
			.subjectId(j) + ")";
	}

	private static float[] decode(final Cohort cohort, final int j, final AtomicInteger decodes) {
		decodes.incrementAndGet();
		return NiftiIO.readVolume(cohort.image(j), 0);
	}

	private static int[] indexOf(final boolean[] m, final Path mask) {
		final int[] index = IntStream.range(0, m.length).filter(v -> m[v]).toArray();
		if (index.length == 0) throw new InputException(mask != null ? mask +
			" has no non-zero voxel; give a brain mask." : "Every voxel is zero or non-finite in " +
				"every image; check the images.");
		return index;
	}

	private static float[] gather(final float[] volume, final int[] index) {
		final float[] row = new float[index.length];
		gather(volume, index, row);
		return row;
	}

	private static void gather(final float[] volume, final int[] index, final float[] row) {
		for (int k = 0; k < index.length; k++)
			row[k] = volume[index[k]];
	}

	/**
	 * Voxels outside the mask whose bits are not +0.0; if more than {@code limit}, all voxels
	 * outside the mask (dense) or null (read again).
	 *
	 * @param inside the number of voxels in the mask
	 */
	private static Sparse outside(final float[] volume, final boolean[] mask, final int inside,
		final int limit, final boolean dense)
	{
		int count = 0;
		for (int v = 0; v < volume.length; v++)
			if (!mask[v] && Float.floatToRawIntBits(volume[v]) != 0 && ++count > limit) {
				if (!dense) return null;
				final float[] all = new float[volume.length - inside];
				for (int u = 0, i = 0; u < volume.length; u++)
					if (!mask[u]) all[i++] = volume[u];
				return new Sparse(null, all);
			}
		final int[] at = new int[count];
		final float[] values = new float[count];
		for (int v = 0, i = 0; i < count; v++)
			if (!mask[v] && Float.floatToRawIntBits(volume[v]) != 0) {
				at[i] = v;
				values[i++] = volume[v];
			}
		return new Sparse(at, values);
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
		final AtomicInteger decodes, final Progress progress, final BooleanSupplier canceled)
	{
		final boolean[] mask = new boolean[nVoxels];
		// Workers only ever write true: the races are benign and the result is order-free.
		forEachSubject(cohort.nSubjects(), progress, canceled, j -> {
			final float[] volume = decode(cohort, j, decodes);
			for (int v = 0; v < nVoxels; v++)
				if (volume[v] != 0 && Float.isFinite(volume[v])) mask[v] = true;
		});
		return mask;
	}

	/**
	 * The union mask in one decode per image: each image is kept compact (bitmap of the voxels
	 * that are not +0.0, their values in voxel order) until the mask is known, then becomes its
	 * row and its sparse outside list, and the compact form is dropped.
	 */
	private static CohortMatrix readUnion(final Cohort cohort, final NiftiHeader[] headers,
		final Storage storage, final AtomicInteger decodes, final Progress progress,
		final BooleanSupplier canceled)
	{
		final int n = cohort.nSubjects();
		final int nVoxels = Math.toIntExact(headers[0].voxelsPerVolume());
		final boolean[] m = new boolean[nVoxels];
		final long[][] bits = new long[n][];
		final float[][] values = new float[n][];
		forEachSubject(n, progress, canceled, j -> {
			final float[] volume = decode(cohort, j, decodes);
			final long[] b = new long[(nVoxels + 63) >>> 6];
			int count = 0;
			for (int v = 0; v < nVoxels; v++)
				if (Float.floatToRawIntBits(volume[v]) != 0) {
					b[v >>> 6] |= 1L << v;
					count++;
					// Benign race: workers only ever write true.
					if (volume[v] != 0 && Float.isFinite(volume[v])) m[v] = true;
				}
			final float[] val = new float[count];
			for (int v = 0, i = 0; i < count; v++)
				if ((b[v >>> 6] & 1L << v) != 0) val[i++] = volume[v];
			bits[j] = b;
			values[j] = val;
		});
		final int[] index = indexOf(m, null);
		final int limit = outsideLimit(index.length);
		final float[][] rows = new float[n][];
		final Sparse[] outside = storage.keepOutside() ? new Sparse[n] : null;
		forEachSubject(n, Progress.NONE, canceled, j -> {
			final long[] b = bits[j];
			final float[] val = values[j];
			final float[] row = new float[index.length];
			int outCount = 0;
			for (int v = 0, i = 0, k = 0; i < val.length; v++) {
				if ((b[v >>> 6] & 1L << v) == 0) continue;
				while (k < index.length && index[k] < v)
					k++;
				if (k < index.length && index[k] == v) row[k] = val[i];
				else outCount++;
				i++;
			}
			rows[j] = row;
			if (outside != null) {
				if (outCount > limit) outside[j] = null;
				else {
					final int[] at = new int[outCount];
					final float[] ov = new float[outCount];
					for (int v = 0, i = 0, o = 0; i < val.length; v++) {
						if ((b[v >>> 6] & 1L << v) == 0) continue;
						if (!m[v]) {
							at[o] = v;
							ov[o++] = val[i];
						}
						i++;
					}
					outside[j] = new Sparse(at, ov);
				}
			}
			bits[j] = null;
			values[j] = null;
		});
		return new CohortMatrix(cohort, headers, m, index, rows, null, outside, decodes);
	}
}

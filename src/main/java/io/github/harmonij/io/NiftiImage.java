// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.real.FloatType;

/**
 * A NIfTI image in memory: its header and its voxel values as floats, scaled by
 * {@code scl_slope}/{@code scl_inter}. Voxels are in stored order, x fastest, then y, z and
 * volume; nothing is reoriented, so {@link NiftiHeader#affine()} maps indices to world
 * coordinates.
 * <p>
 * The data array is shared, not copied: {@link #data()} and {@link #img()} see the same memory.
 * Not thread-safe for writes to the data.
 */
public final class NiftiImage {

	private final NiftiHeader header;
	private final float[] data;

	/**
	 * @param header the header; its sizes must match the data
	 * @param data {@code nx * ny * nz * nVolumes} values in stored order; kept, not copied
	 * @throws IllegalArgumentException if the length does not match the header
	 */
	public NiftiImage(final NiftiHeader header, final float[] data) {
		final long n = header.voxelsPerVolume() * header.nVolumes();
		if (data.length != n) throw new IllegalArgumentException("data has " + data.length +
			" values but the header (" + header.sizeText() + ") needs " + n);
		this.header = header;
		this.data = data;
	}

	/** @return the header as read (datatype and scaling describe the file, not {@link #data()}) */
	public NiftiHeader header() {
		return header;
	}

	/** @return the voxel values (the array itself, not a copy) */
	public float[] data() {
		return data;
	}

	/** @return {@code {nx, ny, nz}} for one volume, else {@code {nx, ny, nz, nVolumes}} */
	public long[] dimensions() {
		final long nv = header.nVolumes();
		return nv == 1 ? new long[] { header.nx(), header.ny(), header.nz() } :
			new long[] { header.nx(), header.ny(), header.nz(), nv };
	}

	/** @return the number of 3-D volumes */
	public long nVolumes() {
		return header.nVolumes();
	}

	/** @return an ImgLib2 view of {@link #data()} with {@link #dimensions()}; no copy */
	public ArrayImg<FloatType, FloatArray> img() {
		return ArrayImgs.floats(data, dimensions());
	}

	@Override
	public String toString() {
		return header.toString();
	}
}

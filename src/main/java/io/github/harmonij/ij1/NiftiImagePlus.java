// SPDX-License-Identifier: MIT
package io.github.harmonij.ij1;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ImageProcessor;
import io.github.harmonij.core.InputException;
import io.github.harmonij.io.NiftiHeader;
import io.github.harmonij.io.NiftiImage;

/**
 * Converts between {@link NiftiImage} and ImageJ 1.x {@link ImagePlus}.
 * <p>
 * <b>Orientation.</b> NIfTI stores x fastest and, in the usual RAS/LAS storage, y increases towards
 * anterior; ImageJ rows go top-down. Like Fiji's NIfTI reader, the image is <b>flipped in y</b>:
 * ImageJ row {@code r} holds NIfTI row {@code j = ny - 1 - r}, so an axial slice of an RAS image
 * shows anterior at the top, as in the usual radiological viewers. Columns are x unchanged, stack
 * slices are z unchanged, frames are volumes. Nothing else is reoriented (an LAS image shows the
 * left hemisphere on the left of the window, as stored). {@link #fromImagePlus(ImagePlus)} undoes
 * the flip, so NIfTI to ImagePlus to NIfTI is exact.
 * <p>
 * <b>Calibration.</b> Pixel width, height and depth are {@code |pixdim[1..3]|} (0 read as 1); the
 * unit is the header's spatial unit ("mm" when unknown, the SPM/FSL convention). Origins are
 * chosen so that ImageJ's calibrated coordinates equal world (mm) coordinates for axis-aligned
 * affines with positive steps (RAS storage, e.g. MNI templates):
 * {@code xOrigin = -offset_x / A[0][0]}, {@code zOrigin = -offset_z / A[2][2]} (voxel index of
 * world 0), and for y, because of the flip, {@code yOrigin = ny - 1 + offset_y / A[1][1]} with
 * {@link Calibration#setInvertY invertY} on, so y grows upwards as world y does. If the y step
 * is negative, invertY is off and calibrated y still equals world y. If the x or z step is
 * negative (e.g. LAS), the origin is still the voxel at world 0, but ImageJ can only count
 * positive steps, so calibrated x (or z) is minus world x (or z). For
 * oblique or permuted affines the origins come from the diagonal alone (0 where it is 0) and are
 * only approximate; the exact affine stays in the header. The frame interval is {@code pixdim[4]}
 * when the time unit is s, ms or us. The display range is the minimum and maximum of the finite
 * values.
 * <p>
 * <b>Header.</b> The whole {@link NiftiHeader} is stored as the image property
 * {@value #HEADER_PROPERTY}, so saving keeps the geometry exactly. Without it (an image made in
 * ImageJ, or one whose size changed), {@link #fromImagePlus} builds a NIfTI-1 header from the
 * calibration: voxel sizes from the pixel sizes, and an axis-aligned affine with positive steps,
 * stored as both sform and qform with code 2 ("aligned to something else": the coordinates are
 * ImageJ's, not the scanner's). Its world origin is where ImageJ's calibrated coordinates are 0,
 * and anterior is the top of the window.
 * <p>
 * Not thread-safe for one ImagePlus; the methods keep no state.
 */
public final class NiftiImagePlus {

	/** ImagePlus property key holding the {@link NiftiHeader} the image came from. */
	public static final String HEADER_PROPERTY = "harmonij.nifti.header";

	private NiftiImagePlus() {}

	/**
	 * @param img the image (its data are copied into the stack, flipped in y)
	 * @param title window title
	 * @return a 32-bit stack (one volume) or hyperstack (frames = volumes)
	 * @throws InputException if the image is too large for an ImageJ stack
	 */
	public static ImagePlus toImagePlus(final NiftiImage img, final String title) {
		final NiftiHeader h = img.header();
		final int nx = h.nx(), ny = h.ny(), nz = h.nz();
		final long nv = h.nVolumes();
		if ((long) nx * ny > Integer.MAX_VALUE - 8 || nz * nv > Integer.MAX_VALUE - 8)
			throw new InputException(title + " (" + h.sizeText() + ") is too large for an " +
				"ImageJ stack.");
		final float[] data = img.data();
		final int plane = nx * ny;
		final ImageStack stack = new ImageStack(nx, ny);
		double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
		for (long v = 0; v < nv; v++) {
			for (int z = 0; z < nz; z++) {
				final long base = (v * nz + z) * plane;
				final float[] px = new float[plane];
				for (int y = 0; y < ny; y++)
					System.arraycopy(data, (int) (base + (long) y * nx), px, (ny - 1 - y) * nx, nx);
				for (final float f : px) {
					if (!Float.isFinite(f)) continue;
					if (f < min) min = f;
					if (f > max) max = f;
				}
				stack.addSlice(null, px);
			}
		}
		final ImagePlus imp = new ImagePlus(title, stack);
		imp.setDimensions(1, nz, (int) nv);
		if (nv > 1) imp.setOpenAsHyperStack(true);
		imp.setCalibration(calibration(h));
		if (min <= max) imp.setDisplayRange(min, max == min ? min + 1 : max);
		imp.setProperty(HEADER_PROPERTY, h);
		return imp;
	}

	/**
	 * Converts back, undoing the y flip.
	 *
	 * @return an image whose header is the stored {@value #HEADER_PROPERTY} when its sizes match
	 *         (so its datatype and scaling still describe the original file; writers ignore them),
	 *         else a header built from the calibration (class javadoc)
	 * @throws InputException if the image is RGB or has more than one channel
	 */
	public static NiftiImage fromImagePlus(final ImagePlus imp) {
		if (imp.getType() == ImagePlus.COLOR_RGB) throw new InputException(imp.getTitle() +
			" is an RGB image; NIfTI output needs greyscale. Convert it first (Image > Type > " +
			"32-bit).");
		final int nx = imp.getWidth(), ny = imp.getHeight();
		final int nc = imp.getNChannels(), nz = imp.getNSlices(), nt = imp.getNFrames();
		if (nc != 1) throw new InputException(imp.getTitle() + " has " + nc + " channels; " +
			"save each channel on its own (Image > Color > Split Channels).");
		final int plane = nx * ny;
		final long n = (long) plane * nz * nt;
		if (n > Integer.MAX_VALUE - 8) throw new InputException(imp.getTitle() +
			" has too many voxels for one NIfTI image in memory.");
		final float[] data = new float[(int) n];
		final ImageStack stack = imp.getStack();
		final Calibration cal = imp.getCalibration();
		final boolean function = imp.getBitDepth() != 32 && cal.calibrated();
		for (int t = 0; t < nt; t++) {
			for (int z = 0; z < nz; z++) {
				final ImageProcessor ip = stack.getProcessor(imp.getStackIndex(1, z + 1, t + 1));
				final int base = (t * nz + z) * plane;
				for (int r = 0; r < ny; r++) {
					final int dst = base + (ny - 1 - r) * nx;
					if (ip.getBitDepth() == 32) {
						System.arraycopy((float[]) ip.getPixels(), r * nx, data, dst, nx);
						continue;
					}
					for (int c = 0; c < nx; c++) {
						final float raw = ip.getf(c, r);
						data[dst + c] = function ? (float) cal.getCValue(raw) : raw;
					}
				}
			}
		}
		final Object stored = imp.getProperty(HEADER_PROPERTY);
		if (stored instanceof NiftiHeader) {
			final NiftiHeader h = (NiftiHeader) stored;
			if (h.nx() == nx && h.ny() == ny && h.nz() == nz && h.nVolumes() == nt)
				return new NiftiImage(h, data);
		}
		return new NiftiImage(headerFromCalibration(imp), data);
	}

	/**
	 * Builds a NIfTI-1 float32 header from an image's size and calibration (class javadoc).
	 */
	public static NiftiHeader headerFromCalibration(final ImagePlus imp) {
		final Calibration cal = imp.getCalibration();
		final int nx = imp.getWidth(), ny = imp.getHeight();
		final int nz = imp.getNSlices(), nt = imp.getNFrames();
		final double pw = positive(cal.pixelWidth), ph = positive(cal.pixelHeight),
				pd = positive(cal.pixelDepth);
		final int timeCode = timeCode(cal.getTimeUnit());
		final double dt = nt > 1 && timeCode != 0 && cal.frameInterval > 0 ? cal.frameInterval : 1;
		final double ox = -cal.xOrigin * pw;
		// Row yOrigin is world y 0 and anterior is up, whether or not invertY is set.
		final double oy = (cal.yOrigin - (ny - 1)) * ph;
		final double oz = -cal.zOrigin * pd;
		final String title = imp.getTitle() == null ? "" : imp.getTitle();
		return NiftiHeader.builder().size(nx, ny, nz, nt)
			.pixdim(new double[] { 1, pw, ph, pd, dt, 1, 1, 1 })
			.xyztUnits(spaceCode(cal.getUnit()) | (nt > 1 ? timeCode : 0))
			.qformCode(2).sformCode(2)
			.quatern(new double[3], new double[] { ox, oy, oz })
			.srow(new double[][] { { pw, 0, 0, ox }, { 0, ph, 0, oy }, { 0, 0, pd, oz } })
			.descrip(title.length() > 80 ? title.substring(0, 80) : title).build();
	}

	/** @return the calibration for a header (class javadoc) */
	public static Calibration calibration(final NiftiHeader h) {
		final Calibration cal = new Calibration();
		final double[] pix = h.pixdim();
		final double[][] a = h.affine();
		cal.pixelWidth = positive(Math.abs(pix[1]));
		cal.pixelHeight = positive(Math.abs(pix[2]));
		cal.pixelDepth = positive(Math.abs(pix[3]));
		final String unit = h.spatialUnit();
		cal.setUnit(unit.isEmpty() ? "mm" : unit);
		cal.xOrigin = a[0][0] != 0 ? -a[0][3] / a[0][0] : 0;
		cal.zOrigin = a[2][2] != 0 ? -a[2][3] / a[2][2] : 0;
		if (a[1][1] != 0) {
			double yOrigin = h.ny() - 1 + a[1][3] / a[1][1];
			final boolean up = a[1][1] > 0;
			// With invertY, ImageJ treats yOrigin == 0 as "no origin" and counts from the bottom
			// row instead; the smallest positive double gives the intended (0 - row) * height.
			if (up && yOrigin == 0) yOrigin = Double.MIN_VALUE;
			cal.yOrigin = yOrigin;
			cal.setInvertY(up);
		}
		final String t = h.timeUnit();
		if (h.nVolumes() > 1 && (t.equals("s") || t.equals("ms") || t.equals("us")) && pix[4] > 0) {
			cal.frameInterval = pix[4];
			cal.setTimeUnit(t.equals("us") ? "\u00b5s" : t);
		}
		return cal;
	}

	// -- Helper methods --

	private static double positive(final double d) {
		return d > 0 && Double.isFinite(d) ? d : 1;
	}

	private static int spaceCode(final String unit) {
		if (unit == null) return 0;
		switch (unit) {
			case "mm": return 2;
			case "m": return 1;
			case "micron":
			case "um":
			case "\u00b5m":
				return 3;
			default: return 0;
		}
	}

	private static int timeCode(final String unit) {
		if (unit == null) return 0;
		switch (unit) {
			case "s":
			case "sec":
				return 8;
			case "ms":
			case "msec":
				return 16;
			case "us":
			case "\u00b5s":
				return 24;
			default: return 0;
		}
	}
}

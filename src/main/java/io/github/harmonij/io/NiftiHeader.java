// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The header of a NIfTI-1, NIfTI-2 or ANALYZE 7.5 image: sizes, datatype, scaling and the whole
 * geometry, as stored in the file. Immutable and thread-safe; array getters return copies.
 * <p>
 * Values are kept as the file stored them (NIfTI-1 floats widened to double, so writing them
 * back as NIfTI-1 is exact). Two exceptions: an ANALYZE 7.5 header has no qform or sform, so
 * {@link #qformCode()} and {@link #sformCode()} are 0 for it whatever bytes sit there; and
 * {@link #voxOffset()} is the offset in the file the header came from.
 * <p>
 * <b>Sizes.</b> {@link #dim()} is the raw {@code dim[0..7]}. Only {@code dim[1..dim[0]]} count;
 * the rest are taken as 1. {@link #nx()}, {@link #ny()}, {@link #nz()} are dims 1 to 3, and dims 4
 * to 7 fold into {@link #nVolumes()} (so a 5-D vector image of 3 components is 3 volumes). Voxels
 * are stored x fastest, then y, z, then volume.
 * <p>
 * <b>Affine</b> ({@link #affine()}): the sform if {@code sform_code > 0}, else the qform
 * (quaternion with qfac from {@code pixdim[0]}, 0 read as 1) if {@code qform_code > 0}, else
 * NIfTI-1 "method 1", {@code diag(pixdim[1..3])} with zero offset. nibabel uses a centred
 * fallback instead of method 1; both are arbitrary for such files.
 */
public final class NiftiHeader {

	/** NIfTI datatype codes ({@link #DT_BINARY} is 1 bit per voxel, which HarmonIJ cannot read). */
	public static final int DT_BINARY = 1, DT_UINT8 = 2, DT_INT16 = 4, DT_INT32 = 8,
			DT_FLOAT32 = 16, DT_COMPLEX64 = 32, DT_FLOAT64 = 64, DT_RGB24 = 128, DT_INT8 = 256,
			DT_UINT16 = 512, DT_UINT32 = 768, DT_INT64 = 1024, DT_UINT64 = 1280, DT_FLOAT128 = 1536,
			DT_COMPLEX128 = 1792, DT_COMPLEX256 = 2048, DT_RGBA32 = 2304;

	/** Largest size NIfTI-1 can store in a {@code dim} entry (a signed 16-bit integer). */
	public static final long NIFTI1_MAX_DIM = Short.MAX_VALUE;

	/**
	 * One header extension: its code ({@code ecode}, e.g. 4 AFNI, 6 comment, 32 CIFTI) and its raw
	 * content (the {@code esize - 8} bytes after the size and code, padding included).
	 */
	public static final class Extension {

		private final int code;
		private final byte[] data;

		/**
		 * @param code the {@code ecode}
		 * @param data the content; copied
		 */
		public Extension(final int code, final byte[] data) {
			this.code = code;
			this.data = data.clone();
		}

		/** @return the {@code ecode} */
		public int code() {
			return code;
		}

		/** @return a copy of the content */
		public byte[] data() {
			return data.clone();
		}

		/** @return the content length in bytes */
		public int size() {
			return data.length;
		}

		/** @return {@code esize} when written: 8 + content, rounded up to a multiple of 16 */
		public int paddedSize() {
			return (8 + data.length + 15) / 16 * 16;
		}

		byte[] rawData() {
			return data;
		}

		@Override
		public boolean equals(final Object o) {
			return o instanceof Extension && ((Extension) o).code == code &&
				Arrays.equals(((Extension) o).data, data);
		}

		@Override
		public int hashCode() {
			return 31 * code + Arrays.hashCode(data);
		}
	}

	private final int version;
	private final boolean littleEndian;
	private final long[] dim;
	private final int datatype;
	private final int bitpix;
	private final double[] pixdim;
	private final long voxOffset;
	private final double sclSlope;
	private final double sclInter;
	private final double calMin;
	private final double calMax;
	private final double sliceDuration;
	private final double toffset;
	private final long sliceStart;
	private final long sliceEnd;
	private final int sliceCode;
	private final int dimInfo;
	private final int xyztUnits;
	private final int intentCode;
	private final double[] intentParams;
	private final String intentName;
	private final String descrip;
	private final String auxFile;
	private final int qformCode;
	private final int sformCode;
	private final double[] quatern;
	private final double[] qoffset;
	private final double[][] srow;
	private final List<Extension> extensions;
	private final boolean pair;

	private NiftiHeader(final Builder b) {
		version = b.version;
		littleEndian = b.littleEndian;
		dim = b.dim.clone();
		datatype = b.datatype;
		bitpix = b.bitpix;
		pixdim = b.pixdim.clone();
		voxOffset = b.voxOffset;
		sclSlope = b.sclSlope;
		sclInter = b.sclInter;
		calMin = b.calMin;
		calMax = b.calMax;
		sliceDuration = b.sliceDuration;
		toffset = b.toffset;
		sliceStart = b.sliceStart;
		sliceEnd = b.sliceEnd;
		sliceCode = b.sliceCode;
		dimInfo = b.dimInfo;
		xyztUnits = b.xyztUnits;
		intentCode = b.intentCode;
		intentParams = b.intentParams.clone();
		intentName = b.intentName;
		descrip = b.descrip;
		auxFile = b.auxFile;
		qformCode = b.qformCode;
		sformCode = b.sformCode;
		quatern = b.quatern.clone();
		qoffset = b.qoffset.clone();
		srow = copy(b.srow);
		extensions = Collections.unmodifiableList(new ArrayList<>(b.extensions));
		pair = b.pair;
	}

	// -- Format --

	/** @return 1 for NIfTI-1, 2 for NIfTI-2, 0 for ANALYZE 7.5 (read with the NIfTI-1 layout) */
	public int version() {
		return version;
	}

	/** @return "NIfTI-1", "NIfTI-2" or "ANALYZE-7.5" */
	public String format() {
		return version == 2 ? "NIfTI-2" : version == 1 ? "NIfTI-1" : "ANALYZE-7.5";
	}

	/** @return true if the file was little-endian */
	public boolean littleEndian() {
		return littleEndian;
	}

	/** @return true if the header came from a .hdr/.img pair (magic "ni1"/"ni2", or ANALYZE) */
	public boolean pair() {
		return pair;
	}

	// -- Sizes and data --

	/** @return a copy of the raw {@code dim[0..7]} */
	public long[] dim() {
		return dim.clone();
	}

	/** @return the datatype code, e.g. {@link #DT_INT16} */
	public int datatype() {
		return datatype;
	}

	/** @return bits per voxel as stored in the header */
	public int bitpix() {
		return bitpix;
	}

	/** @return a copy of {@code pixdim[0..7]}; {@code pixdim[0]} is qfac, 1..3 voxel sizes */
	public double[] pixdim() {
		return pixdim.clone();
	}

	/** @return byte offset of the voxel data in the data file (0 is allowed for pairs) */
	public long voxOffset() {
		return voxOffset;
	}

	/** @return {@code scl_slope}; 0 or non-finite means "no scaling" */
	public double sclSlope() {
		return sclSlope;
	}

	/** @return {@code scl_inter} (ignored when the slope means "no scaling") */
	public double sclInter() {
		return sclInter;
	}

	/** @return true if stored values are scaled as {@code value * sclSlope + sclInter} on read */
	public boolean scaled() {
		return sclSlope != 0 && Double.isFinite(sclSlope) &&
			!(sclSlope == 1 && (sclInter == 0 || !Double.isFinite(sclInter)));
	}

	/** @return {@code cal_min} (display range hint) */
	public double calMin() {
		return calMin;
	}

	/** @return {@code cal_max} (display range hint) */
	public double calMax() {
		return calMax;
	}

	/** @return effective size along x: {@code dim[1]} if {@code dim[0] >= 1}, else 1 */
	public int nx() {
		return (int) effectiveDim(1);
	}

	/** @return effective size along y */
	public int ny() {
		return (int) effectiveDim(2);
	}

	/** @return effective size along z (1 for 2-D images) */
	public int nz() {
		return (int) effectiveDim(3);
	}

	/** @return the number of 3-D volumes: the product of the effective dims 4 to 7 */
	public long nVolumes() {
		return effectiveDim(4) * effectiveDim(5) * effectiveDim(6) * effectiveDim(7);
	}

	/** @return {@code nx * ny * nz} */
	public long voxelsPerVolume() {
		return effectiveDim(1) * effectiveDim(2) * effectiveDim(3);
	}

	/**
	 * @param d 1 to 7
	 * @return {@code dim[d]} if {@code d <= dim[0]}, else 1
	 */
	public long effectiveDim(final int d) {
		return d <= dim[0] ? dim[d] : 1;
	}

	// -- Geometry --

	/** @return {@code xyzt_units}: bits 0-2 space (1 m, 2 mm, 3 micron), bits 3-5 time */
	public int xyztUnits() {
		return xyztUnits;
	}

	/** @return "m", "mm", "micron", or "" when unknown */
	public String spatialUnit() {
		switch (xyztUnits & 0x07) {
			case 1: return "m";
			case 2: return "mm";
			case 3: return "micron";
			default: return "";
		}
	}

	/** @return "s", "ms", "us", "Hz", "ppm", "rad/s", or "" when unknown */
	public String timeUnit() {
		switch (xyztUnits & 0x38) {
			case 8: return "s";
			case 16: return "ms";
			case 24: return "us";
			case 32: return "Hz";
			case 40: return "ppm";
			case 48: return "rad/s";
			default: return "";
		}
	}

	/** @return {@code qform_code}: 0 unknown, 1 scanner, 2 aligned, 3 Talairach, 4 MNI, 5 other */
	public int qformCode() {
		return qformCode;
	}

	/** @return {@code sform_code} */
	public int sformCode() {
		return sformCode;
	}

	/** @return a copy of {@code quatern_b, quatern_c, quatern_d} */
	public double[] quatern() {
		return quatern.clone();
	}

	/** @return a copy of {@code qoffset_x, qoffset_y, qoffset_z} (mm) */
	public double[] qoffset() {
		return qoffset.clone();
	}

	/** @return a copy of {@code srow_x, srow_y, srow_z} as a 3x4 matrix */
	public double[][] srow() {
		return copy(srow);
	}

	/** @return {@code descrip} (up to 80 characters) */
	public String descrip() {
		return descrip;
	}

	/** @return {@code aux_file} (up to 24 characters) */
	public String auxFile() {
		return auxFile;
	}

	/** @return {@code intent_code} (0 none; e.g. 1007 vector, 3001 CIFTI dense connectivity) */
	public int intentCode() {
		return intentCode;
	}

	/** @return a copy of {@code intent_p1, intent_p2, intent_p3} */
	public double[] intentParams() {
		return intentParams.clone();
	}

	/** @return {@code intent_name} (up to 16 characters) */
	public String intentName() {
		return intentName;
	}

	/** @return {@code dim_info} (frequency, phase and slice directions, 2 bits each) */
	public int dimInfo() {
		return dimInfo;
	}

	/** @return {@code slice_code} */
	public int sliceCode() {
		return sliceCode;
	}

	/** @return {@code slice_start} */
	public long sliceStart() {
		return sliceStart;
	}

	/** @return {@code slice_end} */
	public long sliceEnd() {
		return sliceEnd;
	}

	/** @return {@code slice_duration} */
	public double sliceDuration() {
		return sliceDuration;
	}

	/** @return {@code toffset} */
	public double toffset() {
		return toffset;
	}

	/** @return the header extensions in file order (unmodifiable) */
	public List<Extension> extensions() {
		return extensions;
	}

	/** @return the qfac used for the qform: -1 if {@code pixdim[0] < 0}, else 1 */
	public double qfac() {
		return pixdim[0] < 0 ? -1 : 1;
	}

	/**
	 * The voxel-to-world mapping chosen by the NIfTI rules: sform if {@code sform_code > 0}, else
	 * qform if {@code qform_code > 0}, else method 1 ({@code diag(pixdim[1..3])}, zero offset).
	 *
	 * @return a new 3x4 matrix; world (mm) = {@code A * (i, j, k, 1)} for voxel indices i, j, k
	 */
	public double[][] affine() {
		if (sformCode > 0) return copy(srow);
		if (qformCode > 0) return qformAffine();
		return new double[][] { { pixdim[1], 0, 0, 0 }, { 0, pixdim[2], 0, 0 },
			{ 0, 0, pixdim[3], 0 } };
	}

	/** @return the name of the rule {@link #affine()} used: "sform", "qform" or "pixdim" */
	public String affineSource() {
		return sformCode > 0 ? "sform" : qformCode > 0 ? "qform" : "pixdim";
	}

	/**
	 * The qform affine, whatever {@code qform_code} says. Follows the NIfTI-1 header's comments
	 * ("method 2"): {@code a = sqrt(1 - b^2 - c^2 - d^2)}, or a = 0 with (b, c, d) renormalised
	 * when that is negative; voxel sizes {@code pixdim[1..3]} (non-positive read as 1); the third
	 * column times qfac.
	 *
	 * @return a new 3x4 matrix
	 */
	public double[][] qformAffine() {
		double b = quatern[0], c = quatern[1], d = quatern[2];
		double a = 1 - (b * b + c * c + d * d);
		if (a < 1e-7) {
			final double norm = Math.sqrt(b * b + c * c + d * d);
			if (norm > 0) {
				b /= norm;
				c /= norm;
				d /= norm;
			}
			a = 0;
		}
		else {
			a = Math.sqrt(a);
		}
		final double xd = pixdim[1] > 0 ? pixdim[1] : 1;
		final double yd = pixdim[2] > 0 ? pixdim[2] : 1;
		final double zd = (pixdim[3] > 0 ? pixdim[3] : 1) * qfac();
		return new double[][] {
			{ (a * a + b * b - c * c - d * d) * xd, 2 * (b * c - a * d) * yd,
				2 * (b * d + a * c) * zd, qoffset[0] },
			{ 2 * (b * c + a * d) * xd, (a * a + c * c - b * b - d * d) * yd,
				2 * (c * d - a * b) * zd, qoffset[1] },
			{ 2 * (b * d - a * c) * xd, 2 * (c * d + a * b) * yd,
				(a * a + d * d - c * c - b * b) * zd, qoffset[2] } };
	}

	/**
	 * Compares the voxel grids of two images: sizes along x, y, z and the world positions of the
	 * grid corners under each {@link #affine()}.
	 *
	 * @return null if the sizes are equal and no corner moves by more than 1e-4 mm; otherwise a
	 *         short text, this header's size first: e.g. "size 91x109x91 vs 97x115x97" (this
	 *         one 91x109x91) or "affine differs (max 2.0 mm)"
	 */
	public String gridDifference(final NiftiHeader other) {
		if (nx() != other.nx() || ny() != other.ny() || nz() != other.nz())
			return "size " + nx() + "x" + ny() + "x" + nz() + " vs " + other.nx() + "x" +
				other.ny() + "x" + other.nz();
		final double[][] a = affine(), b = other.affine();
		double max = 0;
		for (int corner = 0; corner < 8; corner++) {
			final double i = (corner & 1) == 0 ? 0 : nx() - 1;
			final double j = (corner & 2) == 0 ? 0 : ny() - 1;
			final double k = (corner & 4) == 0 ? 0 : nz() - 1;
			double sq = 0;
			for (int r = 0; r < 3; r++) {
				final double diff = (a[r][0] - b[r][0]) * i + (a[r][1] - b[r][1]) * j +
					(a[r][2] - b[r][2]) * k + (a[r][3] - b[r][3]);
				sq += diff * diff;
			}
			max = Math.max(max, Math.sqrt(sq));
		}
		if (!(max <= GRID_TOLERANCE_MM))
			return String.format(Locale.ROOT, "affine differs (max %s mm)", round(max));
		return null;
	}

	/** Largest valid {@code qform_code} / {@code sform_code}: 5, NIFTI_XFORM_TEMPLATE_OTHER. */
	public static final int MAX_XFORM_CODE = 5;

	/**
	 * Checks, on this header alone, the fields that place its voxels in space, for the transform
	 * {@link #affine()} uses (as nifti1_io, any code above 0 counts as set): if the sform
	 * ({@code sform_code > 0}), its code at most {@link #MAX_XFORM_CODE} and its srow values
	 * finite; else if the qform ({@code qform_code > 0}), its code at most
	 * {@link #MAX_XFORM_CODE}, the quaternion and offsets finite; and the voxel sizes
	 * {@code pixdim[1..3]} finite where the affine uses them (qform or method 1). Fields that
	 * {@link #affine()} does not use are not checked, as NIfTI readers ignore them: a junk qform
	 * beside a valid sform (some converters write that) reads.
	 *
	 * @return null if they are usable; otherwise the first problem, naming the field, e.g.
	 *         "sform row 2 (srow_y) has NaN" or "sform_code 9 is not a valid code (0-5)"
	 */
	public String damage() {
		if (sformCode > 0) {
			if (sformCode > MAX_XFORM_CODE) return "sform_code " + sformCode +
				" is not a valid code (0-" + MAX_XFORM_CODE + ")";
			final String[] names = { "srow_x", "srow_y", "srow_z" };
			for (int r = 0; r < 3; r++)
				for (int c = 0; c < 4; c++)
					if (!Double.isFinite(srow[r][c])) return "sform row " + (r + 1) + " (" +
						names[r] + ") has " + srow[r][c] + " in column " + (c + 1);
			return null;
		}
		if (qformCode > 0) {
			if (qformCode > MAX_XFORM_CODE) return "qform_code " + qformCode +
				" is not a valid code (0-" + MAX_XFORM_CODE + ")";
			final String[] q = { "quatern_b", "quatern_c", "quatern_d" };
			final String[] o = { "qoffset_x", "qoffset_y", "qoffset_z" };
			for (int i = 0; i < 3; i++) {
				if (!Double.isFinite(quatern[i])) return "qform " + q[i] + " is " + quatern[i];
				if (!Double.isFinite(qoffset[i])) return "qform " + o[i] + " is " + qoffset[i];
			}
		}
		for (int d = 1; d <= 3; d++)
			if (!Double.isFinite(pixdim[d])) return "pixdim[" + d + "] (voxel size along " + "xyz"
				.charAt(d - 1) + ") is " + pixdim[d];
		return null;
	}

	/** Largest corner displacement (mm) for which two grids count as the same. */
	public static final double GRID_TOLERANCE_MM = 1e-4;

	/** @return e.g. "91x109x91", with "x3" appended for 3 volumes */
	public String sizeText() {
		final String s = nx() + "x" + ny() + "x" + nz();
		return nVolumes() > 1 ? s + "x" + nVolumes() : s;
	}

	/**
	 * A copy for writing float32 data with this geometry: datatype 16, bitpix 32, slope 1, inter
	 * 0, {@code cal_min/max} 0, single-file form. If {@code nVolumes} equals {@link #nVolumes()}
	 * the dims are kept exactly (so a 5-D vector image stays 5-D); otherwise {@code dim[4]} becomes
	 * {@code nVolumes}, dims 5 to 7 become 1 and {@code dim[0]} is 4 (or at most 3 for one volume).
	 * Everything else (pixdim, units, codes, quaternion, offsets, srow, descrip, intent, slice
	 * fields, extensions) is kept. The version is kept, except that ANALYZE becomes NIfTI-1 and a
	 * NIfTI-1 header whose new dims do not fit NIfTI-1 becomes NIfTI-2.
	 *
	 * @param nVolumes number of 3-D volumes, at least 1
	 */
	public NiftiHeader forFloat32(final long nVolumes) {
		return forType(nVolumes, DT_FLOAT32, 32);
	}

	/**
	 * As {@link #forFloat32(long)}, for float64 data (datatype 64, bitpix 64): HarmonIJ writes
	 * saved-model parameters this way so that they read back with the same bits.
	 *
	 * @param nVolumes number of 3-D volumes, at least 1
	 */
	public NiftiHeader forFloat64(final long nVolumes) {
		return forType(nVolumes, DT_FLOAT64, 64);
	}

	private NiftiHeader forType(final long nVolumes, final int datatype, final int bitpix) {
		if (nVolumes < 1)
			throw new IllegalArgumentException("nVolumes must be at least 1, got " + nVolumes);
		final Builder b = toBuilder();
		if (nVolumes != nVolumes()) {
			final long[] d = new long[8];
			final long d0 = dim[0];
			d[0] = nVolumes > 1 ? 4 : Math.min(Math.max(d0, 1), 3);
			d[1] = nx();
			d[2] = ny();
			d[3] = nz();
			d[4] = nVolumes;
			for (int i = 5; i < 8; i++)
				d[i] = 1;
			b.dim(d);
		}
		b.datatype(datatype).bitpix(bitpix).scaling(1, 0).calRange(0, 0).pair(false);
		int v = version == 0 ? 1 : version;
		if (v == 1) {
			for (int i = 1; i < 8; i++)
				if (b.dim[i] > NIFTI1_MAX_DIM) v = 2;
		}
		b.version(v);
		if (version == 0) b.qformCode(0).sformCode(0);
		b.voxOffset(alignedVoxOffset(v, extensions));
		return b.build();
	}

	/** @return a builder holding every field of this header */
	public Builder toBuilder() {
		return new Builder(this);
	}

	/**
	 * @return a builder for a little-endian NIfTI-1 float32 header with dim
	 *         {@code [3,1,1,1,1,1,1,1]}, pixdim 1, no scaling, both codes 0
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * @return {@code vox_offset} of a single file: header, 4 extension bytes and the extensions
	 *         (352 or 544 without extensions)
	 */
	static long alignedVoxOffset(final int version, final List<Extension> extensions) {
		long offset = version == 2 ? 544 : 352;
		for (final Extension e : extensions)
			offset += e.paddedSize();
		return offset;
	}

	@Override
	public String toString() {
		return format() + " " + sizeText() + " datatype " + datatype + " (" +
			datatypeName(datatype) + "), " + affineSource() + " affine";
	}

	/** @return e.g. "int16", "RGB24", or "unknown" */
	public static String datatypeName(final int datatype) {
		switch (datatype) {
			case DT_BINARY: return "binary";
			case DT_UINT8: return "uint8";
			case DT_INT8: return "int8";
			case DT_INT16: return "int16";
			case DT_UINT16: return "uint16";
			case DT_INT32: return "int32";
			case DT_UINT32: return "uint32";
			case DT_INT64: return "int64";
			case DT_UINT64: return "uint64";
			case DT_FLOAT32: return "float32";
			case DT_FLOAT64: return "float64";
			case DT_FLOAT128: return "float128";
			case DT_COMPLEX64: return "complex64";
			case DT_COMPLEX128: return "complex128";
			case DT_COMPLEX256: return "complex256";
			case DT_RGB24: return "RGB24";
			case DT_RGBA32: return "RGBA32";
			default: return "unknown";
		}
	}

	/** @return bytes per voxel of a supported real datatype, or 0 if it is not supported */
	static int bytesPerVoxel(final int datatype) {
		switch (datatype) {
			case DT_UINT8:
			case DT_INT8:
				return 1;
			case DT_INT16:
			case DT_UINT16:
				return 2;
			case DT_INT32:
			case DT_UINT32:
			case DT_FLOAT32:
				return 4;
			case DT_INT64:
			case DT_UINT64:
			case DT_FLOAT64:
				return 8;
			default:
				return 0;
		}
	}

	// -- Helper methods --

	private static String round(final double mm) {
		if (mm >= 0.1) return String.format(Locale.ROOT, "%.1f", mm);
		return String.format(Locale.ROOT, "%.2g", mm);
	}

	private static double[][] copy(final double[][] m) {
		final double[][] c = new double[m.length][];
		for (int i = 0; i < m.length; i++)
			c[i] = m[i].clone();
		return c;
	}

	/**
	 * Builds a {@link NiftiHeader}. Not thread-safe. Arrays passed in are copied on
	 * {@link #build()}.
	 */
	public static final class Builder {

		private int version = 1;
		private boolean littleEndian = true;
		private long[] dim = { 3, 1, 1, 1, 1, 1, 1, 1 };
		private int datatype = DT_FLOAT32;
		private int bitpix = 32;
		private double[] pixdim = { 1, 1, 1, 1, 1, 1, 1, 1 };
		private long voxOffset = 352;
		private double sclSlope = 1;
		private double sclInter;
		private double calMin;
		private double calMax;
		private double sliceDuration;
		private double toffset;
		private long sliceStart;
		private long sliceEnd;
		private int sliceCode;
		private int dimInfo;
		private int xyztUnits;
		private int intentCode;
		private double[] intentParams = new double[3];
		private String intentName = "";
		private String descrip = "";
		private String auxFile = "";
		private int qformCode;
		private int sformCode;
		private double[] quatern = new double[3];
		private double[] qoffset = new double[3];
		private double[][] srow = new double[3][4];
		private List<Extension> extensions = new ArrayList<>();
		private boolean pair;

		private Builder() {}

		private Builder(final NiftiHeader h) {
			version = h.version;
			littleEndian = h.littleEndian;
			dim = h.dim.clone();
			datatype = h.datatype;
			bitpix = h.bitpix;
			pixdim = h.pixdim.clone();
			voxOffset = h.voxOffset;
			sclSlope = h.sclSlope;
			sclInter = h.sclInter;
			calMin = h.calMin;
			calMax = h.calMax;
			sliceDuration = h.sliceDuration;
			toffset = h.toffset;
			sliceStart = h.sliceStart;
			sliceEnd = h.sliceEnd;
			sliceCode = h.sliceCode;
			dimInfo = h.dimInfo;
			xyztUnits = h.xyztUnits;
			intentCode = h.intentCode;
			intentParams = h.intentParams.clone();
			intentName = h.intentName;
			descrip = h.descrip;
			auxFile = h.auxFile;
			qformCode = h.qformCode;
			sformCode = h.sformCode;
			quatern = h.quatern.clone();
			qoffset = h.qoffset.clone();
			srow = copy(h.srow);
			extensions = new ArrayList<>(h.extensions);
			pair = h.pair;
		}

		/** @param v 0 (ANALYZE), 1 or 2 */
		public Builder version(final int v) {
			if (v < 0 || v > 2) throw new IllegalArgumentException("version must be 0, 1 or 2");
			version = v;
			return this;
		}

		public Builder littleEndian(final boolean le) {
			littleEndian = le;
			return this;
		}

		/** @param d the raw {@code dim[0..7]} (8 values) */
		public Builder dim(final long[] d) {
			if (d.length != 8) throw new IllegalArgumentException("dim needs 8 values");
			dim = d.clone();
			return this;
		}

		/**
		 * Sets dim for a 3-D image ({@code nVolumes == 1}) or a 4-D one.
		 */
		public Builder size(final long nx, final long ny, final long nz, final long nVolumes) {
			return dim(new long[] { nVolumes > 1 ? 4 : 3, nx, ny, nz, nVolumes, 1, 1, 1 });
		}

		public Builder datatype(final int dt) {
			datatype = dt;
			return this;
		}

		public Builder bitpix(final int bp) {
			bitpix = bp;
			return this;
		}

		/** @param p {@code pixdim[0..7]} (8 values) */
		public Builder pixdim(final double[] p) {
			if (p.length != 8) throw new IllegalArgumentException("pixdim needs 8 values");
			pixdim = p.clone();
			return this;
		}

		public Builder voxOffset(final long offset) {
			voxOffset = offset;
			return this;
		}

		public Builder scaling(final double slope, final double inter) {
			sclSlope = slope;
			sclInter = inter;
			return this;
		}

		public Builder calRange(final double min, final double max) {
			calMin = min;
			calMax = max;
			return this;
		}

		public Builder slice(final int code, final long start, final long end,
			final double duration)
		{
			sliceCode = code;
			sliceStart = start;
			sliceEnd = end;
			sliceDuration = duration;
			return this;
		}

		public Builder toffset(final double t) {
			toffset = t;
			return this;
		}

		public Builder dimInfo(final int info) {
			dimInfo = info;
			return this;
		}

		public Builder xyztUnits(final int units) {
			xyztUnits = units;
			return this;
		}

		/** @param params {@code intent_p1..p3} (3 values) */
		public Builder intent(final int code, final double[] params, final String name) {
			if (params.length != 3) throw new IllegalArgumentException("3 intent params");
			intentCode = code;
			intentParams = params.clone();
			intentName = name == null ? "" : name;
			return this;
		}

		public Builder descrip(final String s) {
			descrip = s == null ? "" : s;
			return this;
		}

		public Builder auxFile(final String s) {
			auxFile = s == null ? "" : s;
			return this;
		}

		public Builder qformCode(final int code) {
			qformCode = code;
			return this;
		}

		public Builder sformCode(final int code) {
			sformCode = code;
			return this;
		}

		/**
		 * @param bcd {@code quatern_b, c, d}
		 * @param offset {@code qoffset_x, y, z}
		 */
		public Builder quatern(final double[] bcd, final double[] offset) {
			if (bcd.length != 3 || offset.length != 3)
				throw new IllegalArgumentException("quatern and qoffset need 3 values each");
			quatern = bcd.clone();
			qoffset = offset.clone();
			return this;
		}

		/** @param rows {@code srow_x, srow_y, srow_z}, 3x4 */
		public Builder srow(final double[][] rows) {
			if (rows.length != 3) throw new IllegalArgumentException("srow needs 3 rows");
			for (final double[] r : rows)
				if (r.length != 4) throw new IllegalArgumentException("srow rows need 4 values");
			srow = copy(rows);
			return this;
		}

		public Builder extensions(final List<Extension> list) {
			extensions = new ArrayList<>(list);
			return this;
		}

		public Builder pair(final boolean p) {
			pair = p;
			return this;
		}

		/** @return the header */
		public NiftiHeader build() {
			return new NiftiHeader(this);
		}
	}
}

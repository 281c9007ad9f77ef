// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.GZIPOutputStream;

import io.github.harmonij.core.InputException;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * Reads and writes NIfTI images.
 * <p>
 * <b>Reading</b>: NIfTI-1 and NIfTI-2, single files ({@code .nii}, {@code .nii.gz}) and pairs
 * ({@code .hdr}+{@code .img}, either of them optionally gzipped, in any mix); ANALYZE 7.5 pairs
 * (no NIfTI magic) are read with the NIfTI-1 layout and no qform/sform. Either byte order
 * (detected from {@code sizeof_hdr}). Datatypes uint8, int8, int16, uint16, int32, uint32, int64,
 * uint64, float32 and float64; values become float32 after {@code value * scl_slope + scl_inter}
 * (computed in double; a slope of 0 or non-finite means no scaling, a non-finite intercept is read
 * as 0). Gzip is detected from the content, not the name. Dims 5 to 7 fold into volumes.
 * <p>
 * Every problem with a file throws {@link InputException} naming the file: not NIfTI, unsupported
 * datatype (complex, RGB, 1-bit), impossible sizes, a damaged header field (see
 * {@link NiftiHeader#damage()}), truncated data, a missing {@code .img}, a damaged gzip stream.
 * Sizes are checked against the file size (or, for gzip, the most the compressed size can expand
 * to) when the header is read, before any large allocation, so damaged files fail fast. One file
 * is open at a time; gzip is decoded through buffered streams, never into a whole-file byte array.
 * <p>
 * <b>Gzip integrity</b>: every reader of voxels reads a gzipped file to its end and checks the
 * CRC-32 and length of each member ({@link CheckedGzipInputStream}; concatenated members are one
 * file), even when it needs only the first volume, and returns nothing if they do not match.
 * {@link #readHeader} alone does not decompress the whole file, so it cannot check them: it is for
 * checks before the data are read, never instead of reading them.
 * <p>
 * <b>Writing</b>: float32 (float64 with {@link #writeFloat64}, for saved-model parameters),
 * little-endian, single file; gzip if the name ends in
 * {@code .nii.gz} (at {@link #DEFAULT_DEFLATE_LEVEL} unless told otherwise), plain for
 * {@code .nii}. The header is {@link NiftiHeader#forFloat32(long) geometry.forFloat32}: every
 * geometry field and extension of the source is kept, and the NIfTI version too (a NIfTI-2 source
 * gives a NIfTI-2 output, so its double-precision geometry is written exactly; ANALYZE gives
 * NIfTI-1). Writers never overwrite: an existing target throws {@link InputException} and nothing
 * is written. Data go to a hidden temporary file in the target folder, which is then linked (or
 * atomically moved) to the final name, so a failure never leaves a finished-looking file.
 * <p>
 * All methods are static and thread-safe (no shared state).
 */
public final class NiftiIO {

	/** Deflate level used by the writers unless told otherwise: fast, about 10 % larger than 6. */
	public static final int DEFAULT_DEFLATE_LEVEL = 1;

	/**
	 * Deflate "level" for {@link ZeroRunGzipOutputStream}: zero runs coded, the rest stored. As
	 * fast as copying and nearly as small as level 1 for brain images (a zero background around
	 * float32 voxels that hardly compress); what harmonisation results are written with.
	 */
	public static final int ZERO_RUN = -1;

	/** Largest number of values in one Java array. */
	static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

	/** Extensions larger than this are taken as a damaged {@code vox_offset}. */
	private static final long MAX_EXTENSION_BYTES = 256L << 20;

	/** Deflate never expands more than 1032:1; with margin, an upper bound for gzip content. */
	private static final long MAX_GZIP_RATIO = 1100;

	private static final int GZIP_BUFFER = 1 << 16;
	private static final int STREAM_BUFFER = 1 << 20;
	private static final int CHUNK = 1 << 20;

	private NiftiIO() {}

	/** Receives the volumes of an image one by one. */
	@FunctionalInterface
	public interface VolumeConsumer {

		/**
		 * @param volume index from 0
		 * @param data {@code nx * ny * nz} scaled values, x fastest; a new array per call, so it
		 *          may be kept
		 */
		void accept(long volume, float[] data);
	}

	/** Supplies the volumes of an image to write, one by one. */
	@FunctionalInterface
	public interface DoubleVolumeSource {

		/**
		 * @param volume index from 0, in increasing order
		 * @param data receives the {@code nx * ny * nz} values of that volume, x fastest; one
		 *          array for every call, holding the previous volume's values
		 */
		void fill(int volume, double[] data);
	}

	// -- Reading --

	/**
	 * Reads and checks a header (and its extensions) without reading voxel data. For a pair the
	 * {@code .img} need not exist (if it does, its size is checked against the dims). Accepts the
	 * {@code .hdr} or the {@code .img} of a pair. A gzip file's checksum is not checked here, only
	 * by the readers of voxels (see the class javadoc).
	 *
	 * @throws InputException if the file is missing, not NIfTI/ANALYZE, or has an impossible or
	 *           unsupported header; the message names the file
	 */
	public static NiftiHeader readHeader(final Path p) {
		try (Opened o = open(p, false)) {
			return o.header;
		}
	}

	/**
	 * Reads a whole image: all volumes, scaled to float32.
	 *
	 * @throws InputException on any problem with the file (message names it), or if the image
	 *           has more than 2^31 - 9 voxels
	 */
	public static NiftiImage read(final Path p) {
		try (Opened o = open(p, true)) {
			final NiftiHeader h = o.header;
			final long n = h.voxelsPerVolume() * h.nVolumes();
			if (n > MAX_ARRAY) throw new InputException(o.name + " has " + n +
				" voxels; HarmonIJ can hold at most " + MAX_ARRAY + " in one image. Split the " +
				"volumes into separate files (e.g. with fslsplit).");
			o.checkAvailable(n);
			final float[] data = new float[(int) n];
			o.readFloats(data, 0, (int) n, 0);
			o.finish();
			return new NiftiImage(h, data);
		}
	}

	/**
	 * Reads every volume of an image as float64, without the float32 rounding of the other readers:
	 * float64 data (as HarmonIJ writes saved-model maps) come back with the same bits. Scaling is
	 * applied in double as for the other readers.
	 *
	 * @return {@code nx * ny * nz * nVolumes} values, x fastest
	 * @throws InputException on any problem with the file, or if it has more than 2^31 - 9 voxels
	 */
	public static double[] readDoubles(final Path p) {
		try (Opened o = open(p, true)) {
			final NiftiHeader h = o.header;
			final long n = h.voxelsPerVolume() * h.nVolumes();
			if (n > MAX_ARRAY) throw new InputException(o.name + " has " + n +
				" voxels; HarmonIJ can hold at most " + MAX_ARRAY + " in one image.");
			o.checkAvailable(n);
			final double[] data = new double[(int) n];
			o.read(null, data, 0, (int) n, 0);
			o.finish();
			return data;
		}
	}

	/**
	 * Reads one 3-D volume, streaming past the earlier ones.
	 *
	 * @param volume 0 to {@code nVolumes - 1}
	 * @return {@code nx * ny * nz} scaled values, x fastest
	 * @throws InputException on any problem with the file, or if the volume does not exist
	 */
	public static float[] readVolume(final Path p, final long volume) {
		try (Opened o = open(p, true)) {
			final long nv = o.header.nVolumes();
			if (volume < 0 || volume >= nv) throw new InputException(o.name + " has " + nv +
				" volume" + (nv == 1 ? "" : "s") + "; volume " + volume + " does not exist " +
				"(volumes are numbered from 0).");
			final int vpv = o.volumeSize();
			o.checkAvailable(vpv * (volume + 1));
			o.skipVoxels(vpv * volume);
			final float[] data = new float[vpv];
			o.readFloats(data, 0, vpv, vpv * volume);
			o.finish();
			return data;
		}
	}

	/**
	 * Streams an image volume by volume: holds one volume at a time, so a 4-D file of many
	 * subjects can be read in little memory. The consumer gets a new array for each volume.
	 *
	 * @throws InputException on any problem with the file; volumes before the problem have been
	 *           delivered already. A gzip file's checksum is checked after the last volume, so
	 *           if this throws, discard every volume delivered: they may be damaged
	 */
	public static void forEachVolume(final Path p, final VolumeConsumer consumer) {
		try (Opened o = open(p, true)) {
			final int vpv = o.volumeSize();
			final long nv = o.header.nVolumes();
			o.checkAvailable(vpv * nv);
			for (long v = 0; v < nv; v++) {
				final float[] data = new float[vpv];
				o.readFloats(data, 0, vpv, vpv * v);
				consumer.accept(v, data);
			}
			o.finish();
		}
	}

	/**
	 * @return true if the file name ends in .nii, .nii.gz, .hdr, .hdr.gz, .img or .img.gz (any
	 *         case); the content is not checked
	 */
	public static boolean isNifti(final Path p) {
		final Path f = p.getFileName();
		if (f == null) return false;
		final String n = f.toString().toLowerCase(Locale.ROOT);
		return n.endsWith(".nii") || n.endsWith(".nii.gz") || n.endsWith(".hdr") ||
			n.endsWith(".hdr.gz") || n.endsWith(".img") || n.endsWith(".img.gz");
	}

	// -- Writing --

	/**
	 * Writes float32 data with the geometry of {@code geometry}, gzipped at
	 * {@link #DEFAULT_DEFLATE_LEVEL} if the name ends in .nii.gz.
	 *
	 * @see #write(Path, NiftiHeader, float[], long, int)
	 */
	public static void write(final Path p, final NiftiHeader geometry, final float[] data,
		final long nVolumes)
	{
		write(p, geometry, data, nVolumes, DEFAULT_DEFLATE_LEVEL);
	}

	/**
	 * Writes float32 data as a single NIfTI file with the header
	 * {@code geometry.forFloat32(nVolumes)}. Refuses to overwrite.
	 *
	 * @param p target; must end in .nii.gz (gzip) or .nii (plain); must not exist; its folder must
	 * @param geometry the header whose geometry the output carries (sizes x, y, z must match)
	 * @param data {@code nx * ny * nz * nVolumes} values, x fastest
	 * @param nVolumes number of 3-D volumes in {@code data}
	 * @param deflateLevel {@link #ZERO_RUN} (fast, zero runs coded) or 0 (store) to 9 (smallest);
	 *          ignored for .nii
	 * @throws InputException if the target exists, the name or folder is wrong, or writing fails;
	 *           nothing is left at {@code p} then
	 * @throws IllegalArgumentException if the data length does not match
	 */
	public static void write(final Path p, final NiftiHeader geometry, final float[] data,
		final long nVolumes, final int deflateLevel)
	{
		checkWrite(geometry, data.length, nVolumes, deflateLevel);
		writeFile(p, geometry.forFloat32(nVolumes), deflateLevel, (out, bb) -> {
			for (int i = 0; i < data.length; ) {
				final int n = Math.min(CHUNK / 4, data.length - i);
				bb.clear().asFloatBuffer().put(data, i, n);
				out.write(bb.array(), 0, 4 * n);
				i += n;
			}
		});
	}

	/**
	 * Writes float64 data (datatype 64) as a single NIfTI file with the header
	 * {@code geometry.forFloat64(nVolumes)}, so that {@link #readDoubles} gives back the same bits.
	 * Otherwise as {@link #write(Path, NiftiHeader, float[], long, int)}: refuses to overwrite.
	 *
	 * @throws InputException if the target exists, the name or folder is wrong, or writing fails
	 * @throws IllegalArgumentException if the data length does not match
	 */
	public static void writeFloat64(final Path p, final NiftiHeader geometry, final double[] data,
		final long nVolumes, final int deflateLevel)
	{
		checkWrite(geometry, data.length, nVolumes, deflateLevel);
		writeFile(p, geometry.forFloat64(nVolumes), deflateLevel, (out, bb) -> writeDoubles(out,
			bb, data));
	}

	/**
	 * Writes float64 data as {@link #writeFloat64(Path, NiftiHeader, double[], long, int)} does
	 * (the same bytes), but asks {@code source} for the volumes one by one: only one volume is
	 * held, not {@code nVolumes}. For maps built from smaller data, such as a saved model's
	 * parameters at the masked voxels.
	 *
	 * @throws InputException if the target exists, the name or folder is wrong, writing fails, or
	 *           a volume has more than 2^31 - 9 voxels
	 */
	public static void writeFloat64(final Path p, final NiftiHeader geometry, final int nVolumes,
		final DoubleVolumeSource source, final int deflateLevel)
	{
		final long vpv = geometry.voxelsPerVolume();
		checkWrite(geometry, vpv * nVolumes, nVolumes, deflateLevel);
		if (vpv > MAX_ARRAY) throw new InputException("Cannot write " + p + ": " + vpv +
			" voxels per volume is more than HarmonIJ can hold (" + MAX_ARRAY + ").");
		writeFile(p, geometry.forFloat64(nVolumes), deflateLevel, (out, bb) -> {
			final double[] volume = new double[(int) vpv];
			for (int t = 0; t < nVolumes; t++) {
				source.fill(t, volume);
				writeDoubles(out, bb, volume);
			}
		});
	}

	/** The writers' preconditions: a known deflate level and data that fill the volumes. */
	private static void checkWrite(final NiftiHeader geometry, final long length,
		final long nVolumes, final int deflateLevel)
	{
		if (deflateLevel < ZERO_RUN || deflateLevel > 9) throw new IllegalArgumentException(
			"deflate level must be ZERO_RUN or 0 to 9, got " + deflateLevel);
		final long n = geometry.voxelsPerVolume() * nVolumes;
		if (nVolumes < 1 || length != n) throw new IllegalArgumentException("data has " + length +
			" values but " + nVolumes + " volume(s) of " + geometry.nx() + "x" + geometry.ny() + "x" +
			geometry.nz() + " need " + n);
	}

	/**
	 * Writes an image as float32 with the geometry of {@code geometry}. Dimensions 0 to 2 must
	 * equal nx, ny, nz (a 2-D image needs nz = 1); dimensions from 3 on are volumes.
	 *
	 * @throws InputException as {@link #write(Path, NiftiHeader, float[], long, int)}, or if the
	 *           sizes do not match the geometry
	 */
	public static void write(final Path p, final NiftiHeader geometry,
		final RandomAccessibleInterval<? extends RealType<?>> img)
	{
		final int nd = img.numDimensions();
		final long[] size = new long[Math.max(nd, 3)];
		for (int d = 0; d < size.length; d++)
			size[d] = d < nd ? img.dimension(d) : 1;
		long nVolumes = 1;
		for (int d = 3; d < size.length; d++)
			nVolumes *= size[d];
		if (size[0] != geometry.nx() || size[1] != geometry.ny() || size[2] != geometry.nz())
			throw new InputException("Cannot write " + p + ": the image is " + size[0] + "x" +
				size[1] + "x" + size[2] + " but its geometry source is " + geometry.nx() + "x" +
				geometry.ny() + "x" + geometry.nz() + ". Use the header of an image on the same " +
				"grid.");
		final long n = geometry.voxelsPerVolume() * nVolumes;
		if (n > MAX_ARRAY) throw new InputException("Cannot write " + p + ": " + n +
			" voxels is more than one image can hold (" + MAX_ARRAY + ").");
		final float[] data = new float[(int) n];
		final Cursor<? extends RealType<?>> c = Views.flatIterable(img).cursor();
		for (int i = 0; i < data.length; i++)
			data[i] = c.next().getRealFloat();
		write(p, geometry, data, nVolumes, DEFAULT_DEFLATE_LEVEL);
	}

	// -- Helper methods: opening and header parsing --

	/** An open image: parsed header and, if requested, a stream at the first voxel. */
	private static final class Opened implements AutoCloseable {

		final String name;
		NiftiHeader header;
		Path dataFile;
		InputStream data;
		boolean gzipped;
		long dataFileSize;
		int bytesPerVoxel;

		Opened(final String name) {
			this.name = name;
		}

		int volumeSize() {
			final long vpv = header.voxelsPerVolume();
			if (vpv > MAX_ARRAY) throw new InputException(name + " has " + vpv +
				" voxels per volume; HarmonIJ can hold at most " + MAX_ARRAY + ".");
			return (int) vpv;
		}

		/** Fails fast, before allocating, if the data file cannot hold {@code nVoxels}. */
		void checkAvailable(final long nVoxels) {
			final long need = nVoxels * bytesPerVoxel;
			final long offset = header.voxOffset();
			if (!gzipped) {
				final long found = Math.max(0, dataFileSize - offset);
				if (found < need) throw truncated(need, found);
			}
			else if (offset + need > dataFileSize * MAX_GZIP_RATIO + (1 << 16)) {
				// Impossible for deflate: count what is really there (bounded by the same limit).
				throw truncated(need, countRemaining());
			}
		}

		private long countRemaining() {
			long count = 0;
			try {
				final byte[] buf = new byte[CHUNK];
				int r;
				while ((r = data.read(buf)) > 0)
					count += r;
			}
			catch (final IOException e) {
				// Damaged stream: what was counted is what was found.
			}
			return count;
		}

		/** Names the data file: the .img of a pair, where the bytes are missing. */
		InputException truncated(final long need, final long found) {
			return new InputException((dataFile != null ? dataFile : name) + " is truncated: " +
				"expected " + need + " bytes of voxel data, found " + found + ". Copy or " +
				"download the file again.");
		}

		void skipVoxels(final long nVoxels) {
			final long bytes = nVoxels * bytesPerVoxel;
			try {
				final long skipped = skip(data, bytes);
				if (skipped < bytes) throw truncated(header.voxelsPerVolume() * header.nVolumes() *
					bytesPerVoxel, skipped);
			}
			catch (final IOException e) {
				throw readError(e);
			}
		}

		InputException readError(final IOException e) {
			if (e instanceof CheckedGzipInputStream.DamagedException) return new InputException(e
				.getMessage(), e);
			return new InputException("Could not read " + name + ": " + e.getMessage(), e);
		}

		/**
		 * Reads a gzipped data file to its end, so that the CRC-32 and length of every member are
		 * checked: data are used only after this returns. Plain files have nothing to check.
		 */
		void finish() {
			if (!gzipped) return;
			try {
				final byte[] sink = new byte[GZIP_BUFFER];
				while (data.read(sink) >= 0) {
					// Bytes after the voxels (further volumes, padding) are checked, not used.
				}
			}
			catch (final EOFException e) {
				throw new InputException(dataFile + " is truncated: its gzip data end before " +
					"their checksum (the file was cut short in copying or downloading). Copy it " +
					"again from its source.", e);
			}
			catch (final IOException e) {
				throw readError(e);
			}
		}

		/**
		 * Reads {@code n} voxels into {@code dst[off..off+n)}. {@code before} is the number of
		 * voxels already consumed from the stream, for the truncation message.
		 */
		void readFloats(final float[] dst, final int off, final int n, final long before) {
			read(dst, null, off, n, before);
		}

		/** Reads into {@code dst} (float32) or, if it is null, into {@code dstD} (float64). */
		void read(final float[] dst, final double[] dstD, final int off, final int n,
			final long before)
		{
			final byte[] buf = new byte[(int) Math.min(CHUNK, (long) n * bytesPerVoxel)];
			final ByteBuffer bb = ByteBuffer.wrap(buf).order(header.littleEndian() ?
				ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
			final double slope = header.sclSlope();
			final boolean scale = slope != 0 && Double.isFinite(slope);
			final double inter = scale && Double.isFinite(header.sclInter()) ? header
				.sclInter() : 0;
			final int perChunk = buf.length / bytesPerVoxel;
			int done = 0;
			while (done < n) {
				final int count = Math.min(perChunk, n - done);
				final int bytes = count * bytesPerVoxel;
				int got = 0;
				try {
					while (got < bytes) {
						final int r = data.read(buf, got, bytes - got);
						if (r < 0) break;
						got += r;
					}
				}
				catch (final EOFException e) {
					// The gzip data end early: reported below as truncation.
				}
				catch (final IOException e) {
					throw readError(e);
				}
				if (got < bytes) {
					final long total = header.voxelsPerVolume() * header.nVolumes() * bytesPerVoxel;
					throw truncated(total, (before + done) * bytesPerVoxel + got);
				}
				if (dst != null) decode(bb, header.datatype(), count, scale, slope, inter, dst, off +
					done);
				else decode(bb, header.datatype(), count, scale, slope, inter, dstD, off + done);
				done += count;
			}
		}

		@Override
		public void close() {
			if (data == null) return;
			try {
				data.close();
			}
			catch (final IOException e) {
				// Nothing was written; a failed close of an input loses nothing.
			}
			data = null;
		}
	}

	/** Converts {@code count} stored voxels from {@code bb} (position 0) into floats. */
	private static void decode(final ByteBuffer bb, final int datatype, final int count,
		final boolean scale, final double slope, final double inter, final float[] dst,
		final int off)
	{
		if (datatype == NiftiHeader.DT_FLOAT32 && !scale) {
			// Bit-exact: no detour through double.
			for (int i = 0; i < count; i++)
				dst[off + i] = bb.getFloat(4 * i);
			return;
		}
		for (int i = 0; i < count; i++) {
			final double v = raw(bb, datatype, i);
			dst[off + i] = (float) (scale ? v * slope + inter : v);
		}
	}

	/** As the float32 decode, into doubles: float64 data keep every bit. */
	private static void decode(final ByteBuffer bb, final int datatype, final int count,
		final boolean scale, final double slope, final double inter, final double[] dst,
		final int off)
	{
		// slope 1, intercept 0 (what HarmonIJ writes) is no scaling: keeps -0.0 as -0.0
		if (datatype == NiftiHeader.DT_FLOAT64 && (!scale || slope == 1 && inter == 0)) {
			for (int i = 0; i < count; i++)
				dst[off + i] = bb.getDouble(8 * i);
			return;
		}
		final float[] f = new float[count];
		if (datatype == NiftiHeader.DT_FLOAT32 && !scale) {
			decode(bb, datatype, count, false, slope, inter, f, 0);
			for (int i = 0; i < count; i++)
				dst[off + i] = f[i];
			return;
		}
		for (int i = 0; i < count; i++) {
			final double v = raw(bb, datatype, i);
			dst[off + i] = scale ? v * slope + inter : v;
		}
	}

	/** Voxel {@code i} of a buffer of {@code datatype} values, unscaled. */
	private static double raw(final ByteBuffer bb, final int datatype, final int i) {
		switch (datatype) {
			case NiftiHeader.DT_UINT8: return bb.get(i) & 0xFF;
			case NiftiHeader.DT_INT8: return bb.get(i);
			case NiftiHeader.DT_INT16: return bb.getShort(2 * i);
			case NiftiHeader.DT_UINT16: return bb.getShort(2 * i) & 0xFFFF;
			case NiftiHeader.DT_INT32: return bb.getInt(4 * i);
			case NiftiHeader.DT_UINT32: return bb.getInt(4 * i) & 0xFFFFFFFFL;
			case NiftiHeader.DT_INT64: return bb.getLong(8 * i);
			case NiftiHeader.DT_UINT64: {
				final long u = bb.getLong(8 * i);
				return (u & Long.MAX_VALUE) + (u < 0 ? 0x1p63 : 0);
			}
			case NiftiHeader.DT_FLOAT32: return bb.getFloat(4 * i);
			case NiftiHeader.DT_FLOAT64: return bb.getDouble(8 * i);
			default: throw new IllegalStateException("datatype " + datatype);
		}
	}

	/**
	 * Finds the header file for {@code p}, parses it, checks it, and (if {@code withData}) opens
	 * the data stream at {@code vox_offset}.
	 */
	private static Opened open(final Path p, final boolean withData) {
		final String lower = lowerName(p);
		Path headerFile = p;
		if (lower.endsWith(".img") || lower.endsWith(".img.gz")) {
			headerFile = sibling(p, ".hdr", ".hdr.gz");
			if (headerFile == null) {
				if (!Files.exists(p)) throw notFound(p);
				throw new InputException(p + " has no header file " + stem(p) +
					".hdr (or .hdr.gz). Keep the .hdr and .img files of a pair together.");
			}
		}
		if (!Files.isRegularFile(headerFile)) throw notFound(headerFile);
		final Opened o = new Opened(headerFile.toString());
		boolean ok = false;
		InputStream in = null;
		try {
			in = openStream(headerFile);
			final boolean headerGzipped = in instanceof GzipStream;
			final byte[] first = readUpTo(in, 4);
			if (first.length < 4) throw new InputException(o.name + " is not a NIfTI-1/NIfTI-2 " +
				"file (it has only " + first.length + " bytes; a header needs 348).");
			final int le = ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN).getInt();
			final int be = ByteBuffer.wrap(first).order(ByteOrder.BIG_ENDIAN).getInt();
			final int size;
			final boolean littleEndian;
			if (le == 348 || le == 540) {
				size = le;
				littleEndian = true;
			}
			else if (be == 348 || be == 540) {
				size = be;
				littleEndian = false;
			}
			else {
				throw new InputException(o.name + " is not a NIfTI-1/NIfTI-2 file (sizeof_hdr is " +
					le + ", expected 348 or 540). Check that it is a NIfTI image" +
					(headerGzipped ? "" : " and that it was not renamed from another format") +
					".");
			}
			final byte[] rest = readUpTo(in, size - 4);
			if (rest.length < size - 4) throw new InputException(o.name + " is truncated: its " +
				"header needs " + size + " bytes, found " + (4 + rest.length) + ".");
			final byte[] raw = new byte[size];
			System.arraycopy(first, 0, raw, 0, 4);
			System.arraycopy(rest, 0, raw, 4, rest.length);
			final ByteBuffer bb = ByteBuffer.wrap(raw).order(littleEndian ?
				ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
			final NiftiHeader.Builder b = size == 348 ? parse1(bb, o.name, lower) : parse2(bb,
				o.name);
			b.littleEndian(littleEndian);
			final NiftiHeader parsed = b.build();
			check(parsed, o.name);
			final boolean pair = parsed.pair();
			// Extensions: after the header, up to vox_offset (single file) or the end (.hdr).
			long consumed = size;
			List<NiftiHeader.Extension> ext = new ArrayList<>();
			if (!pair) {
				final long offset = parsed.voxOffset();
				if (offset < size) throw new InputException(o.name + " has vox_offset " + offset +
					", inside its " + size + "-byte header; the file is damaged.");
				if (offset - size > MAX_EXTENSION_BYTES) throw new InputException(o.name +
					" has vox_offset " + offset + ", implausibly far after the header; the file " +
					"is damaged.");
				if (offset >= size + 4) {
					final byte[] region = readUpTo(in, (int) (offset - size));
					if (region.length < offset - size) throw new InputException(o.name +
						" is truncated: its header and extensions need " + offset +
						" bytes, found " + (size + region.length) + ".");
					ext = parseExtensions(region, bb.order());
					consumed = offset;
				}
			}
			else {
				final byte[] region = readUpTo(in, (int) MAX_EXTENSION_BYTES);
				if (region.length >= 4) ext = parseExtensions(region, bb.order());
			}
			b.extensions(ext);
			o.header = b.build();
			o.bytesPerVoxel = NiftiHeader.bytesPerVoxel(o.header.datatype());
			if (!pair) checkFits(o.header, headerFile, headerGzipped);
			else {
				final Path img = lower.endsWith(".img") || lower.endsWith(".img.gz") ? p : sibling(
					headerFile, ".img", ".img.gz");
				if (img != null && Files.isRegularFile(img)) checkFits(o.header, img, isGzip(img));
			}
			if (withData) {
				if (!pair) {
					o.dataFile = headerFile;
					o.gzipped = headerGzipped;
					o.dataFileSize = Files.size(headerFile);
					o.data = in;
					in = null;
					skip(o.data, o.header.voxOffset() - consumed);
				}
				else {
					o.dataFile = lower.endsWith(".img") || lower.endsWith(".img.gz") ? p :
						sibling(headerFile, ".img", ".img.gz");
					if (o.dataFile == null || !Files.isRegularFile(o.dataFile))
						throw new InputException(o.name + " is the header of a pair, but its " +
							"image file " + stem(headerFile) + ".img (or .img.gz) was not found. " +
							"Keep the .hdr and .img files together.");
					in.close();
					in = null;
					o.data = openStream(o.dataFile);
					o.gzipped = o.data instanceof GzipStream;
					o.dataFileSize = Files.size(o.dataFile);
					final long skipped = skip(o.data, o.header.voxOffset());
					if (skipped < o.header.voxOffset()) throw new InputException(o.dataFile +
						" is truncated: vox_offset is " + o.header.voxOffset() +
						" but the file has " + skipped + " bytes.");
				}
			}
			ok = true;
			return o;
		}
		catch (final InputException e) {
			// A header that makes no sense in a gzip file that fails its checksum is damage.
			if (in instanceof GzipStream) {
				final InputException damage = damage(in);
				if (damage != null) throw damage;
			}
			throw e;
		}
		catch (final NoSuchFileException e) {
			throw notFound(Path.of(e.getFile()));
		}
		catch (final CheckedGzipInputStream.DamagedException e) {
			throw new InputException(e.getMessage(), e);
		}
		catch (final EOFException e) {
			throw new InputException(o.name + " is truncated: it ends inside its gzip header. " +
				"Copy it again from its source.", e);
		}
		catch (final IOException e) {
			throw new InputException("Could not read " + o.name + ": " + e, e);
		}
		finally {
			if (in != null) {
				try {
					in.close();
				}
				catch (final IOException e) {
					// Input only: nothing to lose.
				}
			}
			if (!ok) o.close();
		}
	}

	/** Reads the NIfTI-1 / ANALYZE 7.5 layout (348 bytes). */
	private static NiftiHeader.Builder parse1(final ByteBuffer bb, final String name,
		final String lowerName)
	{
		final String magic = ascii(bb, 344, 4);
		final int version;
		final boolean pair;
		if (magic.equals("n+1")) {
			version = 1;
			pair = false;
		}
		else if (magic.equals("ni1")) {
			version = 1;
			pair = true;
		}
		else if (isPairName(lowerName)) {
			version = 0;
			pair = true;
		}
		else {
			throw new InputException(name + " has a 348-byte header but no NIfTI-1 magic " +
				"(found \"" + printable(magic) + "\", expected \"n+1\"). If it is an ANALYZE 7.5 " +
				"image, keep it as a .hdr/.img pair.");
		}
		final NiftiHeader.Builder b = NiftiHeader.builder().version(version).pair(pair);
		final long[] dim = new long[8];
		for (int i = 0; i < 8; i++)
			dim[i] = bb.getShort(40 + 2 * i);
		final double[] pixdim = new double[8];
		for (int i = 0; i < 8; i++)
			pixdim[i] = bb.getFloat(76 + 4 * i);
		b.dim(dim).pixdim(pixdim).datatype(bb.getShort(70)).bitpix(bb.getShort(72));
		final double voxOffset = bb.getFloat(108);
		b.voxOffset(checkedOffset(voxOffset, name));
		b.scaling(bb.getFloat(112), bb.getFloat(116));
		b.calRange(bb.getFloat(128), bb.getFloat(124));
		b.slice(bb.get(122) & 0xFF, bb.getShort(74), bb.getShort(120), bb.getFloat(132));
		b.toffset(bb.getFloat(136)).dimInfo(bb.get(39) & 0xFF).xyztUnits(bb.get(123) & 0xFF);
		b.intent(bb.getShort(68), new double[] { bb.getFloat(56), bb.getFloat(60),
			bb.getFloat(64) }, ascii(bb, 328, 16));
		b.descrip(ascii(bb, 148, 80)).auxFile(ascii(bb, 228, 24));
		if (version == 1) {
			b.qformCode(bb.getShort(252)).sformCode(bb.getShort(254));
		}
		b.quatern(new double[] { bb.getFloat(256), bb.getFloat(260), bb.getFloat(264) },
			new double[] { bb.getFloat(268), bb.getFloat(272), bb.getFloat(276) });
		final double[][] srow = new double[3][4];
		for (int r = 0; r < 3; r++)
			for (int c = 0; c < 4; c++)
				srow[r][c] = bb.getFloat(280 + 16 * r + 4 * c);
		return b.srow(srow);
	}

	/** Reads the NIfTI-2 layout (540 bytes). */
	private static NiftiHeader.Builder parse2(final ByteBuffer bb, final String name) {
		final String magic = ascii(bb, 4, 4);
		final boolean pair;
		if (magic.equals("n+2")) pair = false;
		else if (magic.equals("ni2")) pair = true;
		else throw new InputException(name + " has a 540-byte header but no NIfTI-2 magic " +
			"(found \"" + printable(magic) + "\", expected \"n+2\"); the file is damaged.");
		final NiftiHeader.Builder b = NiftiHeader.builder().version(2).pair(pair);
		final long[] dim = new long[8];
		for (int i = 0; i < 8; i++)
			dim[i] = bb.getLong(16 + 8 * i);
		final double[] pixdim = new double[8];
		for (int i = 0; i < 8; i++)
			pixdim[i] = bb.getDouble(104 + 8 * i);
		b.dim(dim).pixdim(pixdim).datatype(bb.getShort(12)).bitpix(bb.getShort(14));
		final long voxOffset = bb.getLong(168);
		if (voxOffset < 0) throw new InputException(name + " has a negative vox_offset (" +
			voxOffset + "); the file is damaged.");
		b.voxOffset(voxOffset);
		b.scaling(bb.getDouble(176), bb.getDouble(184));
		b.calRange(bb.getDouble(200), bb.getDouble(192));
		b.slice(bb.getInt(496), bb.getLong(224), bb.getLong(232), bb.getDouble(208));
		b.toffset(bb.getDouble(216)).dimInfo(bb.get(524) & 0xFF).xyztUnits(bb.getInt(500));
		b.intent(bb.getInt(504), new double[] { bb.getDouble(80), bb.getDouble(88),
			bb.getDouble(96) }, ascii(bb, 508, 16));
		b.descrip(ascii(bb, 240, 80)).auxFile(ascii(bb, 320, 24));
		b.qformCode(bb.getInt(344)).sformCode(bb.getInt(348));
		b.quatern(new double[] { bb.getDouble(352), bb.getDouble(360), bb.getDouble(368) },
			new double[] { bb.getDouble(376), bb.getDouble(384), bb.getDouble(392) });
		final double[][] srow = new double[3][4];
		for (int r = 0; r < 3; r++)
			for (int c = 0; c < 4; c++)
				srow[r][c] = bb.getDouble(400 + 32 * r + 8 * c);
		return b.srow(srow);
	}

	private static long checkedOffset(final double voxOffset, final String name) {
		if (!(voxOffset >= 0) || voxOffset > Long.MAX_VALUE / 2) throw new InputException(name +
			" has an impossible vox_offset (" + voxOffset + "); the file is damaged.");
		return (long) voxOffset;
	}

	/**
	 * Reads {@code in} to its end.
	 *
	 * @return the damage found (a checksum or length that does not match, or data that cannot be
	 *         decoded), or null if none; a file that is only cut short is not reported here
	 */
	private static InputException damage(final InputStream in) {
		try {
			final byte[] sink = new byte[GZIP_BUFFER];
			while (in.read(sink) >= 0) {
				// only the checks count
			}
		}
		catch (final CheckedGzipInputStream.DamagedException e) {
			return new InputException(e.getMessage(), e);
		}
		catch (final IOException e) {
			// cut short or unreadable: the caller's own message says more
		}
		return null;
	}

	/**
	 * Checks that a file is not damaged: for gzip, reads it to its end and checks the CRC-32 and
	 * length of every member (of both files of a pair); a plain file has nothing to check. For
	 * telling a damaged file from one that is really on another grid, after a grid comparison of
	 * headers from {@link #readHeader} failed.
	 *
	 * @return a message naming the damaged file, or null if none is found damaged
	 */
	public static String damage(final Path p) {
		final String lower = lowerName(p);
		final boolean pair = isPairName(lower);
		final Path headerFile = pair && (lower.endsWith(".img") || lower.endsWith(".img.gz"))
			? sibling(p, ".hdr", ".hdr.gz") : p;
		final Path dataFile = pair && headerFile != null ? sibling(headerFile, ".img", ".img.gz")
			: null;
		for (final Path f : new Path[] { headerFile, dataFile }) {
			if (f == null || !Files.isRegularFile(f)) continue;
			try (InputStream in = openStream(f)) {
				if (!(in instanceof GzipStream)) continue;
				final InputException e = damage(in);
				if (e != null) return e.getMessage();
			}
			catch (final CheckedGzipInputStream.DamagedException e) {
				return e.getMessage();
			}
			catch (final IOException e) {
				// unreadable: reported by the readers
			}
		}
		return null;
	}

	/**
	 * Checks that {@code dataFile} can hold the voxels the header's dims promise, before any grid
	 * comparison or allocation: from the file size for a plain file; for gzip, only if the
	 * compressed size cannot expand to that much, by counting what it does decompress to (cheap:
	 * the file is small then). Catches damaged dims (say 32767^3) as well as cut-off files.
	 */
	private static void checkFits(final NiftiHeader h, final Path dataFile, final boolean gzipped)
		throws IOException
	{
		final long need = h.voxelsPerVolume() * h.nVolumes() * NiftiHeader.bytesPerVoxel(h
			.datatype());
		final long size = Files.size(dataFile);
		long total = size;
		if (gzipped) {
			if (h.voxOffset() + need <= size * MAX_GZIP_RATIO + (1 << 16)) return;
			total = 0;
			try (InputStream in = openStream(dataFile)) {
				total = skip(in, Long.MAX_VALUE);
			}
			catch (final CheckedGzipInputStream.DamagedException e) {
				// Its checksum says the file is damaged: that, not its size, is the problem.
				throw new InputException(e.getMessage(), e);
			}
			catch (final IOException e) {
				// Short (or unreadable): what was decompressed is what was found.
			}
		}
		final long found = Math.max(0, total - h.voxOffset());
		if (found < need) throw new InputException(dataFile + " is truncated: expected " + need +
			" bytes of voxel data, found " + found + ". The file is too small for its dims (" +
			sizeText(h) + " voxels of " + NiftiHeader.datatypeName(h.datatype()) + "): it was " +
			"cut short (copy it again from its source) or its header's dim field is damaged.");
	}

	/** @return e.g. "91x109x91", or "91x109x91x3" with the volumes */
	private static String sizeText(final NiftiHeader h) {
		final StringBuilder sb = new StringBuilder();
		final long[] dim = h.dim();
		for (int d = 1; d <= dim[0]; d++)
			sb.append(d > 1 ? "x" : "").append(dim[d]);
		return sb.toString();
	}

	/** @return true if the file starts with the gzip magic bytes */
	private static boolean isGzip(final Path f) throws IOException {
		try (InputStream in = Files.newInputStream(f)) {
			return in.read() == 0x1f && in.read() == 0x8b;
		}
	}

	/** Checks sizes and datatype so later arithmetic cannot overflow. */
	private static void check(final NiftiHeader h, final String name) {
		final long[] dim = h.dim();
		if (dim[0] < 1 || dim[0] > 7) throw new InputException(name + " has dim[0] = " + dim[0] +
			"; expected 1 to 7 dimensions. The file is damaged or not NIfTI.");
		long total = 1;
		for (int d = 1; d <= dim[0]; d++) {
			if (dim[d] < 1) throw new InputException(name + " has dim[" + d + "] = " + dim[d] +
				"; every size must be at least 1. The file is damaged.");
			if (d <= 3 && dim[d] > Integer.MAX_VALUE) throw new InputException(name +
				" has dim[" + d + "] = " + dim[d] + "; HarmonIJ reads at most " +
				Integer.MAX_VALUE + " voxels along x, y or z.");
			try {
				total = Math.multiplyExact(total, dim[d]);
				Math.multiplyExact(total, 16L);
			}
			catch (final ArithmeticException e) {
				throw new InputException(name + " claims more voxels than can exist (dim " +
					java.util.Arrays.toString(dim) + "); the file is damaged.");
			}
		}
		final int dt = h.datatype();
		if (dt == NiftiHeader.DT_BINARY) throw new InputException(name + ": 1-bit binary " +
			"images (datatype 1) are not supported; save it as uint8 (datatype 2).");
		if (NiftiHeader.bytesPerVoxel(dt) == 0) {
			final String dtName = NiftiHeader.datatypeName(dt);
			if (dtName.equals("unknown")) throw new InputException(name + " has datatype code " +
				dt + ", which is not a NIfTI datatype; the file is damaged or not NIfTI.");
			throw new InputException(name + ": datatype " + dtName + " (code " + dt + ") is not " +
				"supported. HarmonIJ reads scalar images (uint8 to uint64, float32, float64); " +
				"convert it to a scalar type first (e.g. magnitude of complex data, or " +
				"greyscale).");
		}
		final String damage = h.damage();
		if (damage != null) throw new InputException(name + ": " + damage + "; the header is " +
			"damaged. Copy the file again from its source, or correct that field (e.g. with " +
			"nibabel or fslorient).");
	}

	private static List<NiftiHeader.Extension> parseExtensions(final byte[] region,
		final ByteOrder order)
	{
		final List<NiftiHeader.Extension> list = new ArrayList<>();
		if (region.length < 4 || region[0] == 0) return list;
		final ByteBuffer bb = ByteBuffer.wrap(region).order(order);
		int off = 4;
		while (off + 8 <= region.length) {
			final int esize = bb.getInt(off);
			final int ecode = bb.getInt(off + 4);
			// A malformed extension ends the list: extensions never stop an image from being read.
			if (esize < 8 || esize > region.length - off) break;
			final byte[] content = new byte[esize - 8];
			System.arraycopy(region, off + 8, content, 0, content.length);
			list.add(new NiftiHeader.Extension(ecode, content));
			off += esize;
		}
		return list;
	}

	// -- Helper methods: writing --

	/** Writes the voxel data of a file, after its header. */
	private interface VoxelWriter {

		/** @param bb a {@link #CHUNK}-byte little-endian buffer to stage the bytes in */
		void write(OutputStream out, ByteBuffer bb) throws IOException;
	}

	/** Writes the header {@code h}, then the voxel data from {@code voxels}. */
	private static void writeFile(final Path p, final NiftiHeader h, final int level,
		final VoxelWriter voxels)
	{
		final String lower = lowerName(p);
		final boolean gz = lower.endsWith(".nii.gz");
		if (!gz && !lower.endsWith(".nii")) throw new InputException("Cannot write " + p +
			": output names must end in .nii.gz or .nii.");
		if (Files.exists(p)) throw exists(p);
		final Path abs = p.toAbsolutePath();
		final Path folder = abs.getParent();
		if (folder == null || !Files.isDirectory(folder)) throw new InputException("Cannot write " +
			p + ": the folder " + folder + " does not exist. Create it or choose another folder.");
		final Path tmp = folder.resolve("." + abs.getFileName() + "." +
			Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".part");
		try {
			try (OutputStream raw = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW,
				StandardOpenOption.WRITE); OutputStream out = gz ?
					new BufferedOutputStream(level == ZERO_RUN ? new ZeroRunGzipOutputStream(raw)
						: new LevelGzipOutputStream(raw, level), STREAM_BUFFER) :
					new BufferedOutputStream(raw, STREAM_BUFFER))
			{
				out.write(encodeHeader(h));
				voxels.write(out, ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN));
			}
			publish(tmp, p);
		}
		catch (final IOException e) {
			throw new InputException("Could not write " + p + ": " + WriteFailures.explain(e), e);
		}
		finally {
			try {
				Files.deleteIfExists(tmp);
			}
			catch (final IOException e) {
				// A leftover hidden .part file is harmless and obviously unfinished.
			}
		}
	}

	/** Writes {@code data} as float64 through {@code bb}, a chunk at a time. */
	private static void writeDoubles(final OutputStream out, final ByteBuffer bb,
		final double[] data) throws IOException
	{
		for (int i = 0; i < data.length; ) {
			final int n = Math.min(CHUNK / 8, data.length - i);
			bb.clear().asDoubleBuffer().put(data, i, n);
			out.write(bb.array(), 0, 8 * n);
			i += n;
		}
	}

	/** Gives the finished temporary file its name without ever replacing an existing file. */
	private static void publish(final Path tmp, final Path p) throws IOException {
		try {
			Files.createLink(p, tmp); // atomic, and fails if p exists
			return;
		}
		catch (final FileAlreadyExistsException e) {
			throw exists(p);
		}
		catch (final UnsupportedOperationException | IOException e) {
			// No hard links on this file system: fall back to a move.
		}
		if (Files.exists(p)) throw exists(p);
		try {
			Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (final AtomicMoveNotSupportedException e) {
			try {
				Files.move(tmp, p);
			}
			catch (final FileAlreadyExistsException e2) {
				throw exists(p);
			}
		}
	}

	private static InputException exists(final Path p) {
		return new InputException(p + " already exists; choose an empty output folder " +
			"(nothing was overwritten).");
	}

	/** The whole header block: header, extension flag, extensions, padding to vox_offset. */
	static byte[] encodeHeader(final NiftiHeader h) {
		final int size = h.version() == 2 ? 540 : 348;
		final long offset = NiftiHeader.alignedVoxOffset(h.version(), h.extensions());
		final ByteBuffer bb = ByteBuffer.allocate((int) offset).order(ByteOrder.LITTLE_ENDIAN);
		final long[] dim = h.dim();
		final double[] pixdim = h.pixdim();
		final double[] ip = h.intentParams();
		final double[] q = h.quatern();
		final double[] qo = h.qoffset();
		final double[][] srow = h.srow();
		if (h.version() == 2) {
			bb.putInt(0, 540);
			putAscii(bb, 4, 8, "n+2\0\r\n\u001a\n");
			bb.putShort(12, (short) h.datatype());
			bb.putShort(14, (short) h.bitpix());
			for (int i = 0; i < 8; i++)
				bb.putLong(16 + 8 * i, dim[i]);
			for (int i = 0; i < 3; i++)
				bb.putDouble(80 + 8 * i, ip[i]);
			for (int i = 0; i < 8; i++)
				bb.putDouble(104 + 8 * i, pixdim[i]);
			bb.putLong(168, offset);
			bb.putDouble(176, h.sclSlope());
			bb.putDouble(184, h.sclInter());
			bb.putDouble(192, h.calMax());
			bb.putDouble(200, h.calMin());
			bb.putDouble(208, h.sliceDuration());
			bb.putDouble(216, h.toffset());
			bb.putLong(224, h.sliceStart());
			bb.putLong(232, h.sliceEnd());
			putAscii(bb, 240, 80, h.descrip());
			putAscii(bb, 320, 24, h.auxFile());
			bb.putInt(344, h.qformCode());
			bb.putInt(348, h.sformCode());
			for (int i = 0; i < 3; i++) {
				bb.putDouble(352 + 8 * i, q[i]);
				bb.putDouble(376 + 8 * i, qo[i]);
			}
			for (int r = 0; r < 3; r++)
				for (int c = 0; c < 4; c++)
					bb.putDouble(400 + 32 * r + 8 * c, srow[r][c]);
			bb.putInt(496, h.sliceCode());
			bb.putInt(500, h.xyztUnits());
			bb.putInt(504, h.intentCode());
			putAscii(bb, 508, 16, h.intentName());
			bb.put(524, (byte) h.dimInfo());
		}
		else {
			bb.putInt(0, 348);
			bb.put(38, (byte) 'r');
			bb.put(39, (byte) h.dimInfo());
			for (int i = 0; i < 8; i++)
				bb.putShort(40 + 2 * i, (short) dim[i]);
			for (int i = 0; i < 3; i++)
				bb.putFloat(56 + 4 * i, (float) ip[i]);
			bb.putShort(68, (short) h.intentCode());
			bb.putShort(70, (short) h.datatype());
			bb.putShort(72, (short) h.bitpix());
			bb.putShort(74, (short) h.sliceStart());
			for (int i = 0; i < 8; i++)
				bb.putFloat(76 + 4 * i, (float) pixdim[i]);
			bb.putFloat(108, offset);
			bb.putFloat(112, (float) h.sclSlope());
			bb.putFloat(116, (float) h.sclInter());
			bb.putShort(120, (short) h.sliceEnd());
			bb.put(122, (byte) h.sliceCode());
			bb.put(123, (byte) h.xyztUnits());
			bb.putFloat(124, (float) h.calMax());
			bb.putFloat(128, (float) h.calMin());
			bb.putFloat(132, (float) h.sliceDuration());
			bb.putFloat(136, (float) h.toffset());
			putAscii(bb, 148, 80, h.descrip());
			putAscii(bb, 228, 24, h.auxFile());
			bb.putShort(252, (short) h.qformCode());
			bb.putShort(254, (short) h.sformCode());
			for (int i = 0; i < 3; i++) {
				bb.putFloat(256 + 4 * i, (float) q[i]);
				bb.putFloat(268 + 4 * i, (float) qo[i]);
			}
			for (int r = 0; r < 3; r++)
				for (int c = 0; c < 4; c++)
					bb.putFloat(280 + 16 * r + 4 * c, (float) srow[r][c]);
			putAscii(bb, 328, 16, h.intentName());
			putAscii(bb, 344, 4, "n+1\0");
		}
		int off = size;
		bb.put(off, (byte) (h.extensions().isEmpty() ? 0 : 1));
		off += 4;
		for (final NiftiHeader.Extension e : h.extensions()) {
			bb.putInt(off, e.paddedSize());
			bb.putInt(off + 4, e.code());
			final byte[] content = e.rawData();
			for (int i = 0; i < content.length; i++)
				bb.put(off + 8 + i, content[i]);
			off += e.paddedSize();
		}
		return bb.array();
	}

	/** GZIPOutputStream with a chosen deflate level. */
	private static final class LevelGzipOutputStream extends GZIPOutputStream {

		LevelGzipOutputStream(final OutputStream out, final int level) throws IOException {
			super(out, GZIP_BUFFER);
			def.setLevel(level);
		}
	}

	// -- Helper methods: streams and names --

	/** Marks a decompressing stream, which checks each gzip member's CRC-32 and length. */
	private static final class GzipStream extends BufferedInputStream {

		GzipStream(final InputStream in, final Path f) throws IOException {
			super(new CheckedGzipInputStream(in, f, GZIP_BUFFER), STREAM_BUFFER);
		}
	}

	/** Opens a file, decompressing it if it starts with the gzip magic bytes. */
	private static InputStream openStream(final Path f) throws IOException {
		final BufferedInputStream in = new BufferedInputStream(Files.newInputStream(f),
			GZIP_BUFFER);
		try {
			in.mark(2);
			final int b0 = in.read(), b1 = in.read();
			in.reset();
			if (b0 == 0x1f && b1 == 0x8b) return new GzipStream(in, f);
			return in;
		}
		catch (final IOException | RuntimeException e) {
			in.close();
			throw e;
		}
	}

	/** Reads up to {@code n} bytes; fewer only at the end of the stream. Grows as data arrive. */
	private static byte[] readUpTo(final InputStream in, final int n) throws IOException {
		try {
			return in.readNBytes(n);
		}
		catch (final EOFException e) {
			// Truncated gzip: report it as missing bytes, which the caller names.
			return new byte[0];
		}
	}

	/** Skips up to {@code n} bytes; returns how many were skipped (fewer only at the end). */
	private static long skip(final InputStream in, final long n) throws IOException {
		long done = 0;
		try {
			while (done < n) {
				final long s = in.skip(n - done);
				if (s > 0) {
					done += s;
				}
				else {
					if (in.read() < 0) break;
					done++;
				}
			}
		}
		catch (final EOFException e) {
			// Truncated gzip: counted as missing bytes.
		}
		return done;
	}

	private static Path sibling(final Path p, final String ext, final String gzExt) {
		final String stem = stem(p);
		final Path folder = p.toAbsolutePath().getParent();
		final boolean preferGz = lowerName(p).endsWith(".gz");
		final Path plain = folder.resolve(stem + ext);
		final Path gz = folder.resolve(stem + gzExt);
		final Path first = preferGz ? gz : plain, second = preferGz ? plain : gz;
		if (Files.isRegularFile(first)) return p.resolveSibling(first.getFileName());
		if (Files.isRegularFile(second)) return p.resolveSibling(second.getFileName());
		// Upper-case extensions (.HDR/.IMG) from old scanners.
		final Path upper = folder.resolve(stem + ext.toUpperCase(Locale.ROOT));
		if (Files.isRegularFile(upper)) return p.resolveSibling(upper.getFileName());
		return null;
	}

	/** The file name without .nii/.hdr/.img and .gz. */
	private static String stem(final Path p) {
		String n = p.getFileName().toString();
		if (n.toLowerCase(Locale.ROOT).endsWith(".gz")) n = n.substring(0, n.length() - 3);
		final String l = n.toLowerCase(Locale.ROOT);
		if (l.endsWith(".nii") || l.endsWith(".hdr") || l.endsWith(".img"))
			n = n.substring(0, n.length() - 4);
		return n;
	}

	private static String lowerName(final Path p) {
		final Path f = p.getFileName();
		return f == null ? "" : f.toString().toLowerCase(Locale.ROOT);
	}

	private static boolean isPairName(final String lower) {
		return lower.endsWith(".hdr") || lower.endsWith(".hdr.gz") || lower.endsWith(".img") ||
			lower.endsWith(".img.gz");
	}

	private static InputException notFound(final Path p) {
		return new InputException(p + " was not found. Check the path and file name.");
	}

	private static String ascii(final ByteBuffer bb, final int offset, final int length) {
		int n = 0;
		while (n < length && bb.get(offset + n) != 0)
			n++;
		final byte[] b = new byte[n];
		for (int i = 0; i < n; i++)
			b[i] = bb.get(offset + i);
		return new String(b, StandardCharsets.ISO_8859_1);
	}

	private static void putAscii(final ByteBuffer bb, final int offset, final int length,
		final String s)
	{
		final byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
		for (int i = 0; i < Math.min(length, b.length); i++)
			bb.put(offset + i, b[i]);
	}

	private static String printable(final String s) {
		final StringBuilder sb = new StringBuilder();
		for (final char c : s.toCharArray())
			sb.append(c >= 32 && c < 127 ? String.valueOf(c) : String.format("\\x%02x", (int) c));
		return sb.toString();
	}
}

// SPDX-License-Identifier: MIT
package io.github.harmonij.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

import net.imglib2.parallel.Parallelization;

import io.github.harmonij.cohort.Cohort;
import io.github.harmonij.cohort.CohortManifest;
import io.github.harmonij.cohort.CohortMatrix;
import io.github.harmonij.cohort.CohortSpec;
import io.github.harmonij.core.ComBatOptions;
import io.github.harmonij.core.Design;
import io.github.harmonij.core.FeatureMatrix;
import io.github.harmonij.core.FeatureStatus;
import io.github.harmonij.core.HarmonisationFit;
import io.github.harmonij.core.HarmonisationMethod;
import io.github.harmonij.core.HarmonisationModel;
import io.github.harmonij.core.InputException;
import io.github.harmonij.core.Progress;
import io.github.harmonij.core.stats.SiteTestResult;
import io.github.harmonij.core.stats.SiteTests;
import io.github.harmonij.io.NiftiHeader;
import io.github.harmonij.io.NiftiIO;
import io.github.harmonij.io.OutputFolder;
import io.github.harmonij.io.RunRecord;
import io.github.harmonij.model.SavedModel;

/**
 * Voxelwise harmonisation of a cohort of NIfTI images listed in a manifest: validates everything,
 * reads the masked voxels of every image into one float32 subjects-by-voxels matrix, fits ComBat or
 * the linear site adjustment, and writes a result folder:
 * <ul>
 * <li>{@code harmonised/<input name>}: each image harmonised, in its own geometry (float32;
 * {@code .nii.gz} unless the input was {@code .nii}); voxels outside the mask (unless
 * {@link OutsideMask#ZERO}), non-finite voxels and voxels of zero variance are copied unchanged;</li>
 * <li>{@code difference/<input name>}: harmonised minus original (unless left out);</li>
 * <li>{@code model/}: the saved model ({@link SavedModel}, docs/models.md): the fitted parameters
 * as float64 NIfTI maps (one volume per site or covariate column) and {@code model.json} (design,
 * levels, knots, options, priors, grid, mask checksum), for {@link #apply} to new subjects; the
 * diagnostic maps that apply does not read may be left out;</li>
 * <li>{@code summary.csv}: per site, n and the mean and SD inside the mask before and after, plus
 * the counts of voxels left unchanged and why;</li>
 * <li>{@code run.json}: provenance (version, options, inputs with sizes, counts) and timings.</li>
 * </ul>
 * The folder appears only when complete (see {@link OutputFolder}); on failure or cancel nothing
 * that looks like a result is left.
 */
public final class VoxelwiseHarmonisation {

	/**
	 * What to run and where to write. Immutable: the commands build it from their parameters with
	 * {@link #combat} or {@link #regression} and the optional steps of {@link Builder}.
	 */
	public static final class Request {

		private final Path manifest;

		private final CohortSpec spec;

		private final Path mask;

		private final HarmonisationMethod method;

		private final Path out;

		private final Map<String, Object> invocation;

		private final int deflateLevel;

		private final boolean chunked, siteEffects, difference, diagnostics;

		private final OutsideMask outside;

		private final String interest;

		private final double q;

		private final ReportWriter report;

		private Request(final Builder b) {
			manifest = b.manifest;
			spec = b.spec;
			mask = b.mask;
			method = b.method;
			out = b.out;
			invocation = Collections.unmodifiableMap(new LinkedHashMap<>(b.invocation));
			deflateLevel = b.deflateLevel;
			chunked = b.chunked;
			siteEffects = b.siteEffects;
			difference = b.difference;
			diagnostics = b.diagnostics;
			outside = b.outside;
			interest = b.interest;
			q = b.q;
			report = b.report;
		}

		/**
		 * @param manifest the cohort manifest
		 * @param spec its columns; its reference batch is ComBat's if {@code options} has one
		 * @param out a new or empty folder
		 */
		public static Builder combat(final Path manifest, final CohortSpec spec,
			final ComBatOptions options, final Path out)
		{
			return new Builder(manifest, options.meanOnly() ? spec.meanOnly(true) : spec,
				HarmonisationMethod.combat(options), out);
		}

		/**
		 * @param spec the manifest's columns, with the reference batch if any
		 * @param out a new or empty folder
		 */
		public static Builder regression(final Path manifest, final CohortSpec spec,
			final Path out)
		{
			final CohortSpec s = spec.regression(true);
			return new Builder(manifest, s, HarmonisationMethod.siteRegression(s.referenceBatch(),
				false), out);
		}

		/** @return the output folder */
		public Path out() {
			return out;
		}
	}

	/** The optional steps of a {@link Request}; {@link #build} checks it. */
	public static final class Builder {

		private final Path manifest, out;

		private final CohortSpec spec;

		private final HarmonisationMethod method;

		private Path mask;

		private Map<String, Object> invocation = Map.of();

		private int deflateLevel = NiftiIO.ZERO_RUN;

		private boolean chunked, siteEffects;

		private boolean difference = true, diagnostics = true;

		private OutsideMask outside = OutsideMask.COPY;

		private String interest;

		private double q = SiteEffectMaps.DEFAULT_Q;

		private ReportWriter report;

		/** @param spec the manifest's columns as the method needs them (its checks, its messages) */
		private Builder(final Path manifest, final CohortSpec spec,
			final HarmonisationMethod method, final Path out)
		{
			this.manifest = manifest;
			this.spec = spec;
			this.method = method;
			this.out = out;
		}

		/**
		 * @param file a brain mask (non-zero = inside), or null: voxels zero or non-finite in all
		 *          images are out
		 */
		public Builder mask(final Path file) {
			mask = file;
			return this;
		}

		/** @param parameters how the run was asked for (command and options), for run.json */
		public Builder invocation(final Map<String, Object> parameters) {
			invocation = new LinkedHashMap<>(parameters);
			return this;
		}

		/**
		 * @param level deflate level of the .nii.gz outputs (default {@link NiftiIO#ZERO_RUN}:
		 *          fast, since outputs are large and rewritten rarely)
		 */
		public Builder deflateLevel(final int level) {
			deflateLevel = level;
			return this;
		}

		/**
		 * @param outOfCore out of core even if the matrix would fit in memory (it is out of core
		 *          anyway when the masked float32 matrix would take more than
		 *          {@link #IN_MEMORY_FRACTION} of the heap)
		 */
		public Builder chunked(final boolean outOfCore) {
			chunked = outOfCore;
			return this;
		}

		/**
		 * @param write whether to write {@code difference/} (default true); it is up to half of
		 *          the images written, and harmonised - original is one subtraction away
		 */
		public Builder difference(final boolean write) {
			difference = write;
			return this;
		}

		/**
		 * @param write whether the model keeps its diagnostic maps (default true): ComBat's
		 *          unshrunk {@code gamma_hat} and {@code delta_hat_sq}, which apply does not read
		 *          (add-site extends them when present)
		 */
		public Builder diagnostics(final boolean write) {
			diagnostics = write;
			return this;
		}

		/** @param mode what the harmonised images hold outside the mask (default copy) */
		public Builder outsideMask(final OutsideMask mode) {
			outside = mode;
			return this;
		}

		/**
		 * Tests site effects before and after ({@link SiteEffectMaps}) and writes them to
		 * {@code site_effects/}.
		 *
		 * @param covariate the covariate of interest for the maps, or null
		 * @param fdr their false discovery rate level
		 */
		public Builder siteEffects(final String covariate, final double fdr) {
			siteEffects = true;
			interest = covariate;
			q = fdr;
			return this;
		}

		/** @param writer writes the report when everything else is written, before the commit */
		public Builder report(final ReportWriter writer) {
			report = writer;
			return this;
		}

		/**
		 * @throws InputException if there is no output folder, or q is not a rate
		 */
		public Request build() {
			if (out == null) throw new InputException("No output folder given: set out=[folder].");
			if (siteEffects) SiteEffectMaps.checkQ(q);
			return new Request(this);
		}
	}

	/**
	 * What a run did: the numbers run.json and the summary report. Immutable; the pipeline fills
	 * a {@link Builder} as the run goes and builds the result once the outputs are written.
	 */
	public static final class Result {

		private final Path out;

		private final int nSubjects, nSites;

		private final long maskVoxels;

		private final Map<FeatureStatus, Long> counts;

		private final Map<String, Double> timings;

		private final double peakHeapMb, peakLiveHeapMb;

		private final boolean chunked;

		private final int inputDecodes;

		private final List<String> reread;

		private final Map<String, Long> written;

		private Result(final Builder b) {
			out = b.out;
			nSubjects = b.nSubjects;
			nSites = b.nSites;
			maskVoxels = b.maskVoxels;
			counts = Collections.unmodifiableMap(new LinkedHashMap<>(b.counts));
			timings = Collections.unmodifiableMap(new LinkedHashMap<>(b.timings));
			peakHeapMb = b.peakHeapMb;
			peakLiveHeapMb = b.peakLiveHeapMb;
			chunked = b.chunked;
			inputDecodes = b.inputDecodes;
			reread = List.copyOf(b.reread);
			written = Collections.unmodifiableMap(new LinkedHashMap<>(b.written));
		}

		/** @return the output folder */
		public Path out() {
			return out;
		}

		/** @return the subjects harmonised */
		public int nSubjects() {
			return nSubjects;
		}

		/** @return the sites with subjects in the run */
		public int nSites() {
			return nSites;
		}

		/** @return the voxels in the mask */
		public long maskVoxels() {
			return maskVoxels;
		}

		/** @return the mask's voxels by status, in {@link FeatureStatus} order */
		public Map<FeatureStatus, Long> counts() {
			return counts;
		}

		/** @return run.json's timings in seconds, by phase, ending with "total" */
		public Map<String, Double> timings() {
			return timings;
		}

		/** @return the raw peak heap in MB (see {@link HeapMonitor}) */
		public double peakHeapMb() {
			return peakHeapMb;
		}

		/** @return the live peak heap in MB (see {@link HeapMonitor}) */
		public double peakLiveHeapMb() {
			return peakLiveHeapMb;
		}

		/** @return whether the matrix was out of core */
		public boolean chunked() {
			return chunked;
		}

		/** @return how many times input images were decoded (one per image when read once) */
		public int inputDecodes() {
			return inputDecodes;
		}

		/**
		 * @return subjects whose image was read again to write it (too many voxels outside the
		 *         mask)
		 */
		public List<String> reread() {
			return reread;
		}

		/** @return bytes written, per top-level entry of the output folder, in name order */
		public Map<String, Long> written() {
			return written;
		}

		/** One-paragraph summary for logs and the command line. */
		public String summary() {
			return String.format(Locale.ROOT, "Harmonised %d images from %d sites (%d voxels in " +
				"the mask; %d left unchanged: %d non-finite, %d constant in every image, %d " +
				"constant within a site) in %.1f s. %sResults: %s", nSubjects, nSites, maskVoxels,
				maskVoxels - counts.getOrDefault(FeatureStatus.HARMONISED, 0L), counts.getOrDefault(
					FeatureStatus.NON_FINITE, 0L), counts.getOrDefault(FeatureStatus.CONSTANT, 0L),
				counts.getOrDefault(FeatureStatus.CONSTANT_IN_SITE, 0L), timings.get("total"),
				writtenText(written), out);
		}

		/**
		 * A result as a run fills it, phase by phase (how the matrix is stored, how the inputs
		 * were read, the counts and timings); {@link #build} takes a copy.
		 */
		static final class Builder {

			private Path out;

			private int nSubjects, nSites;

			private long maskVoxels;

			private final Map<FeatureStatus, Long> counts = new LinkedHashMap<>();

			private final Map<String, Double> timings = new LinkedHashMap<>();

			private double peakHeapMb, peakLiveHeapMb;

			private boolean chunked;

			private int inputDecodes;

			private final List<String> reread = new ArrayList<>();

			private final Map<String, Long> written = new LinkedHashMap<>();

			Result build() {
				return new Result(this);
			}
		}
	}

	/**
	 * Largest share of the maximum heap the masked float32 matrix may take in memory; beyond it
	 * the run is out of core.
	 */
	public static final double IN_MEMORY_FRACTION = 0.6;

	/** Work-area folder of the temporary block files; gone before the results are committed. */
	static final String SPILL_DIR = ".spill";

	private VoxelwiseHarmonisation() {}

	/**
	 * Runs a harmonisation.
	 *
	 * @param status told what phase runs ("Reading 60 images", ...)
	 * @param progress told the progress of each phase
	 * @throws InputException for bad input, found before heavy work
	 * @throws CancellationException if canceled; nothing is left in the output folder's place
	 */
	public static Result run(final Request r, final Progress progress,
		final Consumer<String> status, final BooleanSupplier canceled)
	{
		try (HeapMonitor heap = HeapMonitor.start()) {
			return run(r, progress, status, canceled, heap);
		}
	}

	private static Result run(final Request r, final Progress progress,
		final Consumer<String> status, final BooleanSupplier canceled, final HeapMonitor heap)
	{
		final long t0 = System.nanoTime();
		OutputFolder.checkUsable(r.out);
		final String ref = r.method.refBatch();
		final Cohort cohort = CohortManifest.read(r.manifest, ref == null ? r.spec : r.spec
			.referenceBatch(ref));
		final Design design = cohort.design();
		r.method.validate(design);
		final int[] interest = r.siteEffects ? SiteEffectMaps.prepare(cohort, r.interest, r.q)
			: new int[0];
		final int n = cohort.nSubjects();
		final Result.Builder result = new Result.Builder();
		final Result done;
		// The work area exists from the start: out of core, the temporary block files live there
		// and go with it on failure or cancel.
		try (OutputFolder out = OutputFolder.create(r.out, canceled)) {
			final Path dir = out.path();
			final Path spill = dir.resolve(SPILL_DIR);
			final boolean chunked = r.chunked || wouldNotFit(r.mask, cohort);
			final CohortMatrix.Storage storage = storage(spill, chunked, r.outside, !chunked &&
				!wouldNotFit(firstReadableVolumeSize(cohort), n), result);
			final HarmonisationFit fit;
			final double[][] before = new double[n][], after = new double[n][];
			final SiteTestResult testsBefore, testsAfter;
			final NiftiHeader first;
			final boolean[] mask;
			final int[] index;
			final long tRead, tFit, tPrepared, tTests, adjustNanos;
			final String[] names = outputNames(cohort);
			try (CohortMatrix cm = CohortMatrix.read(cohort, r.mask, storage, progress, status,
				canceled))
			{
				index = cm.index();
				mask = cm.mask();
				first = cm.grid();
				tRead = System.nanoTime();

				// -- Fit --
				status.accept("Fitting " + r.method.label() + " to " + n + " subjects x " +
					index.length + " voxels" + (cm.spilled() ? " (out of core)" : ""));
				final FeatureMatrix matrix = cm.matrix();
				fit = r.method.fit(matrix, design, progress, canceled);
				tFit = System.nanoTime();
				// The matrix stays as read: each subject's row is harmonised when its images are
				// written (original and difference come from the same row), and the site tests
				// after harmonisation read a view that harmonises on the fly.
				final HarmonisationModel.Adjustment adjustment = fit.model().adjustment(design);
				tPrepared = System.nanoTime();
				testsBefore = r.siteEffects ? siteTests(matrix, design, interest, "original",
					progress, status, canceled) : null;
				testsAfter = r.siteEffects ? siteTests(adjustment.view(matrix), design, interest,
					"harmonised", progress, status, canceled) : null;
				tTests = System.nanoTime();

				// -- Adjust and write --
				if (r.siteEffects) {
					status.accept("Writing site-effect maps");
					SiteEffectMaps.writeBeforeAfter(dir.resolve("site_effects"), cm, testsBefore,
						testsAfter, r.interest, r.q, r.deflateLevel);
				}
				status.accept("Harmonising and writing " + n + " subjects");
				adjustNanos = writeSubjects(dir, names, cm, adjustment, fit.model(), before, after,
					r.deflateLevel, r.difference, r.outside, progress, canceled, result);
			}
			deleteIfEmpty(spill);
			status.accept("Writing the model and summary");
			createDirectories(dir.resolve("model"));
			SavedModel.writeVoxelwise(dir.resolve("model"), fit, r.method.combatOptions(), cohort,
				first, mask, index, r.deflateLevel, r.diagnostics);
			final long tWrite = System.nanoTime();

			result.out = r.out;
			result.nSubjects = n;
			result.nSites = design.nBatches();
			result.maskVoxels = index.length;
			for (final FeatureStatus s : FeatureStatus.values())
				result.counts.put(s, fit.count(s));
			result.timings.put("read", seconds(t0, tRead));
			putTimings(result, tRead, tFit, tPrepared, adjustNanos, tTests, tWrite,
				r.siteEffects);
			result.timings.put("total", seconds(t0, System.nanoTime()));
			result.peakHeapMb = heap.rawPeakMb();
			result.peakLiveHeapMb = heap.livePeakMb();
			record(r.method.label(), r.invocation, cohort, names, design, before, after, result
				.build()).mask(r.mask).write(dir);
			if (r.report != null) {
				status.accept("Writing the report");
				r.report.write(dir);
			}
			result.written.putAll(written(dir));
			done = result.build();
			out.commit();
		}
		return done;
	}

	/**
	 * Whether the masked float32 matrix would not fit in {@link #IN_MEMORY_FRACTION} of the
	 * maximum heap. With a mask its voxel count is known from the mask; without one, the whole
	 * volume is the (pessimistic) bound.
	 */
	static boolean wouldNotFit(final Path mask, final Cohort cohort) {
		final long voxels;
		if (mask != null) {
			final float[] m = NiftiIO.readVolume(mask, 0);
			long c = 0;
			for (final float x : m)
				if (x != 0 && !Float.isNaN(x)) c++;
			voxels = c;
		}
		else voxels = firstReadableVolumeSize(cohort);
		return wouldNotFit(voxels, cohort.nSubjects());
	}

	/**
	 * The voxels per volume of the first image whose header reads, or 0 if none does: a damaged
	 * image is left for {@link CohortMatrix#checkGrids} to name with its row, with the others.
	 */
	private static long firstReadableVolumeSize(final Cohort cohort) {
		for (int j = 0; j < cohort.nSubjects(); j++) {
			try {
				return NiftiIO.readHeader(cohort.image(j)).voxelsPerVolume();
			}
			catch (final InputException e) {
				// named by the grid check
			}
		}
		return 0;
	}

	/** Whether n subjects x {@code voxels} float32 values would not fit (see above). */
	private static boolean wouldNotFit(final long voxels, final int n) {
		return 4.0 * voxels * n > IN_MEMORY_FRACTION * Runtime.getRuntime().maxMemory();
	}

	/**
	 * How the matrix is held: in memory, or out of core in {@code spill} (made here) when
	 * {@code chunked}; the voxels outside the mask are kept for writing whole images when they are
	 * copied, densely if {@code wholeVolumesFit}.
	 */
	private static CohortMatrix.Storage storage(final Path spill, final boolean chunked,
		final OutsideMask outside, final boolean wholeVolumesFit, final Result.Builder result)
	{
		createDirectories(spill);
		CohortMatrix.Storage storage = CohortMatrix.Storage.inMemory();
		if (outside == OutsideMask.COPY) storage = storage.keepingOutside();
		if (wholeVolumesFit) storage = storage.denseOutside();
		result.chunked = chunked;
		return chunked ? storage.spilledTo(spill) : storage;
	}

	/**
	 * Harmonises each subject's row and writes its harmonised and difference images (parallel
	 * over subjects, one volume and two rows per thread), with the per-subject moments of the
	 * harmonised voxels before and after. The difference is the float32 {@code harmonised -
	 * original}, 0 where the bits are equal (voxels left unchanged, and outside the mask). Puts
	 * how the inputs were read (decodes, subjects read again) into {@code result}.
	 *
	 * @param difference whether to write the difference images
	 * @param outside what the harmonised images hold outside the mask
	 *
	 * @return nanoseconds spent harmonising rows, summed over the threads
	 */
	private static long writeSubjects(final Path dir, final String[] names, final CohortMatrix cm,
		final HarmonisationModel.Adjustment adjustment, final HarmonisationModel model,
		final double[][] before, final double[][] after, final int deflateLevel,
		final boolean difference, final OutsideMask outside, final Progress progress,
		final BooleanSupplier canceled, final Result.Builder result)
	{
		createDirectories(dir.resolve("harmonised"));
		if (difference) createDirectories(dir.resolve("difference"));
		final int nv = cm.nVoxels();
		final boolean[] harmonised = new boolean[nv];
		for (int k = 0; k < nv; k++)
			harmonised[k] = model.status(k) == FeatureStatus.HARMONISED;
		final int volumeSize = cm.mask().length;
		final ThreadLocal<float[][]> buffers = ThreadLocal.withInitial(() -> new float[][] {
			new float[volumeSize], new float[nv], cm.spilled() ? new float[nv] : null });
		final int[] index = cm.index();
		final AtomicLong adjusting = new AtomicLong();
		CohortMatrix.forEachSubject(names.length, progress, canceled, j -> {
			final float[][] b = buffers.get();
			final float[] volume = b[0], h = b[1];
			final float[] o = cm.row(j, b[2]); // the matrix's own row in memory: read only
			final long t = System.nanoTime();
			adjustment.adjustRow(j, o, h);
			adjusting.addAndGet(System.nanoTime() - t);
			final NiftiHeader g = cm.header(j).forFloat32(1);
			if (outside == OutsideMask.COPY) cm.volume(j, h, volume);
			else {
				Arrays.fill(volume, 0f);
				for (int k = 0; k < index.length; k++)
					volume[index[k]] = h[k];
			}
			NiftiIO.write(dir.resolve("harmonised").resolve(names[j]), g, volume, 1, deflateLevel);
			// moments before and after (two independent sums in one loop), and the difference
			if (difference) Arrays.fill(volume, 0f);
			double sb = 0, sb2 = 0, sa = 0, sa2 = 0;
			long count = 0;
			for (int k = 0; k < index.length; k++) {
				final float hk = h[k], ok = o[k];
				if (harmonised[k]) {
					sb += ok;
					sb2 += (double) ok * ok;
					sa += hk;
					sa2 += (double) hk * hk;
					count++;
				}
				volume[index[k]] = Float.floatToIntBits(hk) == Float.floatToIntBits(ok) ? 0f : hk - ok;
			}
			before[j] = new double[] { sb, sb2, count };
			after[j] = new double[] { sa, sa2, count };
			if (difference) NiftiIO.write(dir.resolve("difference").resolve(names[j]), g, volume, 1,
				deflateLevel);
		});
		result.inputDecodes = cm.decodes();
		for (final int j : cm.reread())
			result.reread.add(cm.cohort().subjectId(j));
		return adjusting.get();
	}

	/**
	 * run.json's timings after the read: fit (estimating the model); adjust (preparing the
	 * per-site coefficients, and harmonising the rows while they are written: the threads' summed
	 * time over the thread count), which with the fit is what sva::ComBat computes; summary or
	 * site tests; write (the rest of writing).
	 */
	private static void putTimings(final Result.Builder result, final long tRead, final long tFit,
		final long tPrepared, final long adjustNanos, final long tTests, final long tWrite,
		final boolean siteTests)
	{
		final long rows = wallShare(adjustNanos);
		result.timings.put("fit", seconds(tRead, tFit));
		result.timings.put("adjust", seconds(tFit, tPrepared + rows));
		if (siteTests) result.timings.put("site_tests", seconds(tPrepared, tTests));
		result.timings.put("write", seconds(tTests + rows, tWrite));
	}

	/**
	 * What to apply a saved model to, and where to write. Immutable: built with {@link #of} and
	 * the optional steps.
	 */
	public static final class ApplyRequest {

		private final Path model, manifest, out;

		private final boolean clamp, chunked, difference;

		private final Map<String, Object> invocation;

		private final int deflateLevel;

		private final OutsideMask outside;

		private ApplyRequest(final Path model, final Path manifest, final Path out,
			final boolean clamp, final boolean chunked, final Map<String, Object> invocation,
			final int deflateLevel, final boolean difference, final OutsideMask outside)
		{
			this.model = model;
			this.manifest = manifest;
			this.out = out;
			this.clamp = clamp;
			this.chunked = chunked;
			this.invocation = Collections.unmodifiableMap(new LinkedHashMap<>(invocation));
			this.deflateLevel = deflateLevel;
			this.difference = difference;
			this.outside = outside;
		}

		/**
		 * @param model the model folder ({@code OUT/model} of a combat or regress run)
		 * @param manifest the new subjects: image, the model's site column and covariates
		 * @param out a new or empty folder
		 * @throws InputException if there is no output folder
		 */
		public static ApplyRequest of(final Path model, final Path manifest, final Path out) {
			if (out == null) throw new InputException("No output folder given: set out=[folder].");
			return new ApplyRequest(model, manifest, out, false, false, Map.of(),
				NiftiIO.ZERO_RUN, true, OutsideMask.COPY);
		}

		/**
		 * @param clampSmooth clamp smooth covariates to the training range (with a warning)
		 *          instead of failing
		 * @return a changed copy
		 */
		public ApplyRequest clamp(final boolean clampSmooth) {
			return new ApplyRequest(model, manifest, out, clampSmooth, chunked, invocation,
				deflateLevel, difference, outside);
		}

		/**
		 * @param outOfCore out of core even if the matrix would fit in memory (see
		 *          {@link Builder#chunked})
		 * @return a changed copy
		 */
		public ApplyRequest chunked(final boolean outOfCore) {
			return new ApplyRequest(model, manifest, out, clamp, outOfCore, invocation,
				deflateLevel, difference, outside);
		}

		/**
		 * @param write whether to write {@code difference/} (see {@link Builder#difference})
		 * @param mode what the harmonised images hold outside the mask
		 * @return a changed copy
		 */
		public ApplyRequest outputs(final boolean write, final OutsideMask mode) {
			return new ApplyRequest(model, manifest, out, clamp, chunked, invocation, deflateLevel,
				write, mode);
		}

		/**
		 * @param parameters how the run was asked for (command and options), for run.json
		 * @return a changed copy
		 */
		public ApplyRequest invocation(final Map<String, Object> parameters) {
			return new ApplyRequest(model, manifest, out, clamp, chunked, parameters, deflateLevel,
				difference, outside);
		}

		/** @return the model folder */
		public Path model() {
			return model;
		}

		/** @return the manifest of the new subjects */
		public Path manifest() {
			return manifest;
		}

		/** @return the output folder */
		public Path out() {
			return out;
		}

		/** @return whether smooth covariates are clamped to the training range */
		public boolean clamp() {
			return clamp;
		}

		/** @return the deflate level of the .nii.gz outputs */
		public int deflateLevel() {
			return deflateLevel;
		}
	}

	/**
	 * A model made from the images themselves, after they are read and before they are
	 * harmonised (add-site fits the new site against the saved model): the images are read once.
	 */
	@FunctionalInterface
	interface ModelFromImages {

		/**
		 * @param matrix the masked images as read (subjects in manifest order)
		 * @param dir the output's work folder, where the model may be written
		 * @return the model to apply
		 */
		SavedModel fit(FeatureMatrix matrix, Path dir);
	}

	/**
	 * Harmonises new subjects with a saved voxelwise model ({@link SavedModel}): each subject's
	 * own covariates are coded with the model's coding and their effects are kept
	 * ({@link io.github.harmonij.core.HarmonisationModel#apply}). Writes {@code harmonised/},
	 * {@code difference/}, {@code summary.csv} and {@code run.json} as {@link #run} does (no
	 * model). Applied to the training subjects it reproduces the training outputs bit for bit.
	 *
	 * @throws InputException before any image data are read, listing every problem: a model that
	 *           is not voxelwise or is damaged, subjects of sites the model does not know,
	 *           covariate levels it does not know, smooth covariates outside the training range
	 *           (unless clamp), images on another grid than the model
	 * @throws CancellationException if canceled; nothing is left in the output folder's place
	 */
	public static Result apply(final ApplyRequest r, final Progress progress,
		final Consumer<String> status, final BooleanSupplier canceled)
	{
		try (HeapMonitor heap = HeapMonitor.start()) {
			return apply(r, progress, status, canceled, heap);
		}
	}

	private static Result apply(final ApplyRequest r, final Progress progress,
		final Consumer<String> status, final BooleanSupplier canceled, final HeapMonitor heap)
	{
		final long t0 = System.nanoTime();
		OutputFolder.checkUsable(r.out);
		final SavedModel saved = SavedModel.read(r.model);
		if (!saved.voxelwise()) throw new InputException(r.model + " is a table model; use " +
			"apply-table for tables, or give the model folder of a voxelwise run (OUT/model).");
		final Cohort cohort = CohortManifest.readForApply(r.manifest, CohortSpec.batch(saved
			.batchColumn()).minSubjectsPerBatch(1));
		final List<String> warnings = new ArrayList<>();
		final Design design = saved.designFor(cohort.table(), cohort.subjectIds(), cohort.batches(),
			r.clamp, warnings);
		for (final String w : warnings)
			status.accept("Warning: " + w);
		final NiftiHeader[] headers = checkImages(cohort, saved.grid());
		return apply(r, saved, design, cohort, headers, warnings, null, null, progress, status,
			canceled, heap, t0);
	}

	/**
	 * The headers of the cohort's images, checked against the model's grid (one volume each).
	 *
	 * @throws InputException listing every image that cannot be read or does not fit
	 */
	static NiftiHeader[] checkImages(final Cohort cohort, final NiftiHeader grid) {
		final int n = cohort.nSubjects();
		final NiftiHeader[] headers = new NiftiHeader[n];
		final List<String> problems = new ArrayList<>();
		for (int j = 0; j < n; j++) {
			try {
				headers[j] = NiftiIO.readHeader(cohort.image(j));
			}
			catch (final InputException e) {
				problems.add(CohortMatrix.where(cohort, j) + ": " + e.getMessage());
				continue;
			}
			final String where = CohortMatrix.where(cohort, j) + ": ";
			final Path name = cohort.image(j).getFileName();
			final String diff = headers[j].gridDifference(grid);
			if (headers[j].nVolumes() != 1) problems.add(where + name + " has " + headers[j]
				.nVolumes() + " volumes; each manifest row needs one 3-D image. Split the file " +
				"into volumes.");
			else if (diff != null) {
				// A damaged file is named as damaged, not as on another grid.
				final String damage = NiftiIO.damage(cohort.image(j));
				problems.add(where + (damage != null ? damage : name + " is not on the model's " +
					"grid (" + diff + "). Resample it to the template the model was fitted on."));
			}
		}
		InputException.throwIfAny(cohort.manifest().getFileName() + ": " + problems.size() +
			" images do not fit the model:", problems);
		return headers;
	}

	/**
	 * Reads the checked images once into the output's work folder and harmonises them with
	 * {@code saved} and {@code design}, or with the model {@code fitFirst} makes from them and the
	 * cohort's design for it (the fit's time is run.json's "fit").
	 *
	 * @param addedSite run.json's record of the site {@code fitFirst} added, asked for after the
	 *          fit; or null
	 */
	static Result apply(final ApplyRequest r, final SavedModel saved, final Design given,
		final Cohort cohort, final NiftiHeader[] headers, final List<String> warnings,
		final ModelFromImages fitFirst, final Supplier<Map<String, Object>> addedSite,
		final Progress progress, final Consumer<String> status, final BooleanSupplier canceled,
		final HeapMonitor heap, final long t0)
	{
		final int n = cohort.nSubjects();
		final boolean[] mask = saved.mask();
		final String[] names = outputNames(cohort);
		final Result.Builder result = new Result.Builder();
		final Result done;
		try (OutputFolder out = OutputFolder.create(r.out, canceled)) {
			final Path dir = out.path();
			final Path spill = dir.resolve(SPILL_DIR);
			long maskVoxels = 0;
			for (final boolean m : mask)
				if (m) maskVoxels++;
			final boolean chunked = r.chunked || wouldNotFit(maskVoxels, n);
			final CohortMatrix.Storage storage = storage(spill, chunked, r.outside, !chunked &&
				!wouldNotFit(mask.length, n), result);
			status.accept("Reading " + n + " images");
			final double[][] before = new double[n][], after = new double[n][];
			final long tRead, tFit, tPrepared, adjustNanos;
			final HarmonisationModel model;
			final Design design;
			try (CohortMatrix cm = CohortMatrix.read(cohort, headers, mask, storage, progress,
				canceled))
			{
				tRead = System.nanoTime();
				final SavedModel use = fitFirst == null ? saved : fitFirst.fit(cm.matrix(), dir);
				model = use.model();
				design = fitFirst == null ? given : use.designFor(cohort.table(), cohort.subjectIds(),
					cohort.batches(), r.clamp, new ArrayList<>());
				tFit = System.nanoTime();
				final int[] index = cm.index();
				final HarmonisationModel.Adjustment adjustment = model.adjustment(design);
				tPrepared = System.nanoTime();
				status.accept("Applying the model to " + n + " subjects x " + index.length + " voxels" +
					(cm.spilled() ? " (out of core)" : "") + " and writing the results");
				adjustNanos = writeSubjects(dir, names, cm, adjustment, model, before, after,
					r.deflateLevel, r.difference, r.outside, progress, canceled, result);
				result.maskVoxels = index.length;
				for (final FeatureStatus s : FeatureStatus.values()) {
					long c = 0;
					for (int k = 0; k < index.length; k++)
						if (model.status(k) == s) c++;
					result.counts.put(s, c);
				}
			}
			deleteIfEmpty(spill);
			final long tWrite = System.nanoTime();
			result.out = r.out;
			result.nSubjects = n;
			result.nSites = (int) Arrays.stream(design.batchSizes()).filter(c -> c > 0).count();
			// apply: preparing the coefficients and harmonising the rows while they are written
			// (the threads' summed time over the thread count); write: the rest of writing
			final long rows = wallShare(adjustNanos);
			result.timings.put("read", seconds(t0, tRead));
			if (fitFirst != null) result.timings.put("fit", seconds(tRead, tFit));
			result.timings.put("apply", seconds(tFit, tPrepared + rows));
			result.timings.put("write", seconds(tPrepared + rows, tWrite));
			result.timings.put("total", seconds(t0, System.nanoTime()));
			result.peakHeapMb = heap.rawPeakMb();
			result.peakLiveHeapMb = heap.livePeakMb();
			final Map<String, Object> invocation = new LinkedHashMap<>(r.invocation);
			invocation.put("model", saved.source().toString());
			invocation.put("warnings", warnings);
			final RunRecord.Builder record = record(HarmonisationMethod.label(saved.method()),
				invocation, cohort, names, design, before, after, result.build());
			if (addedSite != null) record.addedSite(addedSite.get());
			record.write(dir);
			result.written.putAll(written(dir));
			done = result.build();
			out.commit();
		}
		return done;
	}

	// -- Helper methods --

	private static SiteTestResult siteTests(final FeatureMatrix m, final Design d,
		final int[] interest, final String what, final Progress progress,
		final Consumer<String> status, final BooleanSupplier canceled)
	{
		status.accept("Testing site effects in the " + what + " images");
		return SiteTests.run(m, d, interest, progress, canceled);
	}

	/** Output file names: the inputs' names, prefixed with the subject id if two would collide. */
	private static String[] outputNames(final Cohort cohort) {
		final int n = cohort.nSubjects();
		final String[] names = new String[n];
		final Set<String> seen = new HashSet<>();
		boolean collide = false;
		for (int j = 0; j < n; j++) {
			names[j] = outputName(cohort.image(j));
			collide |= !seen.add(names[j]);
		}
		if (collide) for (int j = 0; j < n; j++)
			names[j] = cohort.subjectId(j).replaceAll("[^A-Za-z0-9._-]", "_") + "_" + names[j];
		return names;
	}

	/** {@code x.nii} stays {@code x.nii}; everything else becomes {@code <base>.nii.gz}. */
	static String outputName(final Path input) {
		final String name = input.getFileName().toString();
		final String lower = name.toLowerCase(Locale.ROOT);
		if (lower.endsWith(".nii")) return name;
		for (final String ext : new String[] { ".nii.gz", ".hdr.gz", ".img.gz", ".hdr", ".img" })
			if (lower.endsWith(ext)) return name.substring(0, name.length() - ext.length()) + ".nii.gz";
		return name + ".nii.gz";
	}

	/**
	 * The run record of a voxelwise run (with its per-site rows for summary.csv), but for the
	 * mask and the record of a site added.
	 */
	/** @param method the method's label, as {@link HarmonisationMethod#label()} */
	private static RunRecord.Builder record(final String method,
		final Map<String, Object> invocation, final Cohort cohort, final String[] names,
		final Design d, final double[][] before, final double[][] after, final Result result)
	{
		final List<RunRecord.Input> inputs = new ArrayList<>();
		for (int j = 0; j < cohort.nSubjects(); j++)
			inputs.add(new RunRecord.Input(cohort.subjectId(j), cohort.batch(j), cohort.image(j)
				.toString(), size(cohort.image(j)), names[j]));
		final Map<String, Long> counts = new LinkedHashMap<>();
		counts.put("subjects", (long) result.nSubjects());
		counts.put("sites", (long) result.nSites());
		counts.put("mask_voxels", result.maskVoxels());
		for (final Map.Entry<FeatureStatus, Long> e : result.counts().entrySet())
			counts.put("voxels_" + e.getKey().name().toLowerCase(Locale.ROOT), e.getValue());
		return RunRecord.builder().method(method).invocation(invocation).manifest(cohort
			.manifest()).inputs(inputs).counts(counts).timings(result.timings()).heap(
				result.peakHeapMb(), result.peakLiveHeapMb(), Math.round(Runtime.getRuntime()
					.maxMemory() / 1048576.0)).chunked(result.chunked()).inputReading(
						new RunRecord.InputReading(result.inputDecodes(), cohort.nSubjects(),
							result.reread())).platform(Parallelization.getTaskExecutor()
								.getParallelism(), System.getProperty("java.version")).sites(
									siteSummaries(d, before, after));
	}

	/**
	 * summary.csv's rows: per site (then all sites) the mean and SD over subjects of the mean of
	 * their harmonised voxels, from their sums {@code {sum, sum of squares, count}} before and
	 * after.
	 */
	private static List<RunRecord.SiteSummary> siteSummaries(final Design d,
		final double[][] before, final double[][] after)
	{
		final List<RunRecord.SiteSummary> rows = new ArrayList<>();
		final int nb = d.nBatches();
		// Sites first, then the total, as a reader scans it.
		for (int b = 0; b <= nb; b++) {
			final boolean all = b == nb;
			final double[] mb = new double[3], ma = new double[3];
			int count = 0;
			for (int j = 0; j < d.nSubjects(); j++)
				if (all || d.batch(j) == b) {
					count++;
					for (int q = 0; q < 3; q++) {
						mb[q] += before[j][q];
						ma[q] += after[j][q];
					}
				}
			rows.add(new RunRecord.SiteSummary(all ? RunRecord.ALL_SITES : d.batchLevel(b), count,
				mean(mb), sd(mb), mean(ma), sd(ma)));
		}
		return rows;
	}

	private static double mean(final double[] m) {
		return m[2] > 0 ? m[0] / m[2] : Double.NaN;
	}

	private static double sd(final double[] m) {
		if (m[2] < 2) return Double.NaN;
		final double mean = m[0] / m[2];
		return Math.sqrt(Math.max(0, (m[1] - m[2] * mean * mean) / (m[2] - 1)));
	}

	private static long size(final Path p) {
		try {
			return Files.size(p);
		}
		catch (final IOException e) {
			return -1;
		}
	}

	private static void createDirectories(final Path... dirs) {
		for (final Path d : dirs)
			try {
				Files.createDirectories(d);
			}
			catch (final IOException e) {
				throw new InputException("Cannot create " + d + ": " + e.getMessage());
			}
	}

	private static void deleteIfEmpty(final Path dir) {
		try {
			Files.deleteIfExists(dir);
		}
		catch (final IOException e) {
			throw new InputException("Cannot remove the temporary folder " + dir + ": " + e
				.getMessage());
		}
	}

	/**
	 * Bytes under each top-level entry of {@code dir} (a folder's files summed), in name order;
	 * the work area's own hidden entries left out.
	 */
	private static Map<String, Long> written(final Path dir) {
		final Map<String, Long> sizes = new LinkedHashMap<>();
		try (java.util.stream.Stream<Path> top = Files.list(dir)) {
			for (final Path p : (Iterable<Path>) top.sorted()::iterator) {
				final String name = p.getFileName().toString();
				if (name.startsWith(".")) continue;
				try (java.util.stream.Stream<Path> all = Files.walk(p)) {
					long bytes = 0;
					for (final Path f : (Iterable<Path>) all::iterator)
						if (Files.isRegularFile(f)) bytes += Files.size(f);
					sizes.put(Files.isDirectory(p) ? name + "/" : name, bytes);
				}
			}
		}
		catch (final IOException e) {
			throw new InputException("Cannot list " + dir + ": " + e.getMessage());
		}
		return sizes;
	}

	/**
	 * "Wrote 446.0 MB: model/ 269.0 MB, harmonised/ 89.0 MB, ..., other files 12 kB. " (folders
	 * largest first, then the files together), or "" if nothing was counted.
	 */
	static String writtenText(final Map<String, Long> written) {
		if (written.isEmpty()) return "";
		long total = 0, files = 0;
		final List<Map.Entry<String, Long>> folders = new ArrayList<>();
		for (final Map.Entry<String, Long> e : written.entrySet()) {
			total += e.getValue();
			if (e.getKey().endsWith("/")) folders.add(e);
			else files += e.getValue();
		}
		folders.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
		final StringBuilder s = new StringBuilder("Wrote " + megabytes(total) + ":");
		for (final Map.Entry<String, Long> e : folders)
			s.append(' ').append(e.getKey()).append(' ').append(megabytes(e.getValue())).append(',');
		return s.append(" other files ").append(megabytes(files)).append(". ").toString();
	}

	private static String megabytes(final long bytes) {
		return bytes < 100_000 ? String.format(Locale.ROOT, "%.0f kB", bytes / 1e3) : String
			.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
	}

	/** Time summed over the threads of the current executor, as wall time: over their number. */
	private static long wallShare(final long threadNanos) {
		return threadNanos / Math.max(1, Parallelization.getTaskExecutor().getParallelism());
	}

	private static double seconds(final long from, final long to) {
		return Math.round((to - from) / 1e6) / 1e3;
	}
}

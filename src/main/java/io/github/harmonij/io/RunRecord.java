// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.TypeAdapter;
import com.google.gson.TypeAdapterFactory;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;

import io.github.harmonij.core.InputException;

/**
 * What a run did and how it was asked for: the value behind a result folder's {@code run.json}
 * and, for a voxelwise harmonisation, its {@code summary.csv}. Written and read with gson: each
 * field is the run.json key of its name in snake case ({@code peakHeapMb} is
 * {@code peak_heap_mb}), in the order declared here. Three kinds of run fill different fields,
 * and the others stay null and are left out of the file:
 * <ul>
 * <li>a voxelwise harmonisation, apply or site addition: {@link #method}, the invocation, the
 * manifest, the mask (harmonisations only), the inputs, counts, timings, heap and threads, the
 * site added (site additions only), and the per-site rows of summary.csv (not in run.json);</li>
 * <li>site-effect maps: {@link #analysis} "site effects", the invocation, the manifest and mask,
 * the design, q and the counts tested;</li>
 * <li>table site effects: {@link #analysis} "table site effects", the two tables, the design, the
 * features, q and, from a table harmonisation, how it was made.</li>
 * </ul>
 * Every kind ends with {@code outputs}, the files of the folder with their sizes, which
 * {@link OutputFolder#commit()} checks. Immutable: built with {@link #builder()}.
 */
public final class RunRecord {

	/** One input image of a voxelwise run. */
	public static final class Input {

		private final String subject, batch, image;

		private final long bytes;

		private final String output;

		/**
		 * @param bytes the image file's size, or -1 if it could not be read
		 * @param output the file name of its harmonised and difference images
		 */
		public Input(final String subject, final String batch, final String image,
			final long bytes, final String output)
		{
			this.subject = subject;
			this.batch = batch;
			this.image = image;
			this.bytes = bytes;
			this.output = output;
		}

		public String subject() {
			return subject;
		}

		public String batch() {
			return batch;
		}

		public String image() {
			return image;
		}

		public String output() {
			return output;
		}
	}

	/** One file of a result folder, by path relative to it with {@code /}, and its size. */
	public static final class Output {

		private final String file;

		private final long bytes;

		public Output(final String file, final long bytes) {
			this.file = file;
			this.bytes = bytes;
		}

		public String file() {
			return file;
		}

		public long bytes() {
			return bytes;
		}
	}

	/** How a voxelwise run read its inputs. */
	public static final class InputReading {

		private final int decodes;

		private final double decodesPerInput;

		private final List<String> rereadForOutsideMask;

		/**
		 * @param decodes how many times input images were decoded
		 * @param nInputs the number of input images
		 * @param reread the subjects whose image was read again to write it
		 */
		public InputReading(final int decodes, final int nInputs, final List<String> reread) {
			this.decodes = decodes;
			// two decimals: "1.0" means each image was decoded once
			this.decodesPerInput = nInputs == 0 ? 0 : Math.round(100.0 * decodes / nInputs) / 100.0;
			this.rereadForOutsideMask = List.copyOf(reread);
		}
	}

	/** How a harmonised table was made, for the run.json of its report folder. */
	public static final class Harmonisation {

		private final String command, method, options, modelOut;

		/**
		 * @param options the method's options as text
		 * @param modelOut the saved model's absolute path, or "" if none was saved
		 */
		public Harmonisation(final String command, final String method, final String options,
			final String modelOut)
		{
			this.command = command;
			this.method = method;
			this.options = options;
			this.modelOut = modelOut;
		}

		public String method() {
			return method;
		}
	}

	/**
	 * One row of a harmonisation's summary.csv: a site (or all sites), its subjects, and the mean
	 * and SD of the per-subject means inside the mask before and after.
	 */
	public static final class SiteSummary {

		final String site;

		final int n;

		final double meanBefore, sdBefore, meanAfter, sdAfter;

		public SiteSummary(final String site, final int n, final double meanBefore,
			final double sdBefore, final double meanAfter, final double sdAfter)
		{
			this.site = site;
			this.n = n;
			this.meanBefore = meanBefore;
			this.sdBefore = sdBefore;
			this.meanAfter = meanAfter;
			this.sdAfter = sdAfter;
		}
	}

	/** summary.csv's label of the row of all sites. */
	public static final String ALL_SITES = "(all sites)";

	/** The counts of voxels that summary.csv's row of all sites shows, by counts key. */
	private static final String[] SUMMARY_COUNTS = { "mask_voxels", "voxels_harmonised",
		"voxels_non_finite", "voxels_constant", "voxels_constant_in_site" };

	private static final List<String> SUMMARY_HEADER = Arrays.asList("site", "n", "mean_before",
		"sd_before", "mean_after", "sd_after", "mask_voxels", "harmonised_voxels",
		"unchanged_nonfinite", "unchanged_constant", "unchanged_constant_in_site");

	private static final Gson GSON = Json.builder().setFieldNamingPolicy(
		FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).registerTypeAdapterFactory(new Layout())
		.create();

	private final String harmonijVersion;

	private final String method, analysis;

	private final Map<String, Object> invocation;

	private final String manifest;

	/** Empty: a run without a mask (run.json says null); null: a kind of run with no mask entry. */
	private final Optional<String> mask;

	private final String table;

	/** Empty: no harmonised table (run.json says null); null: not a table run. */
	private final Optional<String> harmonised;

	private final String batchColumn;

	private final List<String> batchLevels, covariates, categorical, smooth;

	private final Integer smoothDf;

	private final List<String> features;

	private final String interest;

	private final Double q;

	private final Integer subjects;

	private final Long maskVoxels, testedVoxels;

	private final Double seconds;

	private final Harmonisation harmonisation;

	private final List<Input> inputs;

	private final Map<String, Long> counts;

	private final Map<String, Double> timingsS;

	private final Double peakHeapMb, peakLiveHeapMb;

	private final Long maxHeapMb;

	private final Boolean chunked;

	private final InputReading inputReading;

	private final Integer threads;

	private final String java;

	private final Map<String, Object> addedSite;

	private final List<Output> outputs;

	/** summary.csv's rows (sites, then all sites); not in run.json. */
	private final transient List<SiteSummary> sites;

	private RunRecord(final Builder b) {
		harmonijVersion = Version.get();
		method = b.method;
		analysis = b.analysis;
		invocation = b.invocation;
		manifest = b.manifest;
		mask = b.mask;
		table = b.table;
		harmonised = b.harmonised;
		batchColumn = b.batchColumn;
		batchLevels = b.batchLevels;
		covariates = b.covariates;
		categorical = b.categorical;
		smooth = b.smooth;
		smoothDf = b.smoothDf;
		features = b.features;
		interest = b.interest;
		q = b.q;
		subjects = b.subjects;
		maskVoxels = b.maskVoxels;
		testedVoxels = b.testedVoxels;
		seconds = b.seconds;
		harmonisation = b.harmonisation;
		inputs = b.inputs;
		counts = b.counts;
		timingsS = b.timings;
		peakHeapMb = b.peakHeapMb;
		peakLiveHeapMb = b.peakLiveHeapMb;
		maxHeapMb = b.maxHeapMb;
		chunked = b.chunked;
		inputReading = b.inputReading;
		threads = b.threads;
		java = b.java;
		addedSite = b.addedSite;
		outputs = b.outputs;
		sites = b.sites;
	}

	/** @return a builder of a record of this HarmonIJ's version */
	public static Builder builder() {
		return new Builder();
	}

	/** The fields of a record, set by name; see the class description for which kind has which. */
	public static final class Builder {

		private String method, analysis, manifest, table, batchColumn, interest, java;

		private Map<String, Object> invocation, addedSite;

		private Optional<String> mask, harmonised;

		private List<String> batchLevels, covariates, categorical, smooth, features;

		private Integer smoothDf, subjects, threads;

		private Double q, seconds, peakHeapMb, peakLiveHeapMb;

		private Long maskVoxels, testedVoxels, maxHeapMb;

		private Harmonisation harmonisation;

		private List<Input> inputs;

		private Map<String, Long> counts;

		private Map<String, Double> timings;

		private Boolean chunked;

		private InputReading inputReading;

		private List<Output> outputs;

		private List<SiteSummary> sites;

		private Builder() {}

		/** @param label the method's label, e.g. "ComBat": marks a voxelwise harmonisation run */
		public Builder method(final String label) {
			method = label;
			return this;
		}

		/** @param what "site effects" or "table site effects" */
		public Builder analysis(final String what) {
			analysis = what;
			return this;
		}

		/** @param parameters the command and its options, as the command recorded them */
		public Builder invocation(final Map<String, Object> parameters) {
			invocation = new LinkedHashMap<>(parameters);
			return this;
		}

		public Builder manifest(final Path file) {
			manifest = file.toString();
			return this;
		}

		/** @param file the mask, or null for a run without one (recorded as null) */
		public Builder mask(final Path file) {
			mask = Optional.ofNullable(file == null ? null : file.toAbsolutePath().toString());
			return this;
		}

		public Builder table(final Path file) {
			table = file.toString();
			return this;
		}

		/** @param file the harmonised table, or null for none (recorded as null) */
		public Builder harmonised(final Path file) {
			harmonised = Optional.ofNullable(file == null ? null : file.toAbsolutePath().normalize()
				.toString());
			return this;
		}

		public Builder batchColumn(final String column) {
			batchColumn = column;
			return this;
		}

		public Builder batchLevels(final List<String> levels) {
			batchLevels = List.copyOf(levels);
			return this;
		}

		/** The covariates, the categorical ones among them, and the smooth ones (or null). */
		public Builder covariates(final List<String> all, final List<String> categories,
			final List<String> splines)
		{
			covariates = List.copyOf(all);
			categorical = List.copyOf(categories);
			smooth = splines == null ? null : List.copyOf(splines);
			return this;
		}

		public Builder smoothDf(final int df) {
			smoothDf = df;
			return this;
		}

		public Builder features(final List<String> names) {
			features = List.copyOf(names);
			return this;
		}

		/** @param covariate the covariate of interest, or null for none (recorded as "") */
		public Builder interest(final String covariate) {
			interest = covariate == null ? "" : covariate.trim();
			return this;
		}

		public Builder q(final double fdr) {
			q = fdr;
			return this;
		}

		/** The counts of a site-effect run: subjects, mask voxels, voxels tested. */
		public Builder tested(final int nSubjects, final long nMaskVoxels, final long nTested) {
			subjects = nSubjects;
			maskVoxels = nMaskVoxels;
			testedVoxels = nTested;
			return this;
		}

		/** @param s the run's time in seconds (to the millisecond) */
		public Builder seconds(final double s) {
			seconds = s;
			return this;
		}

		public Builder harmonisation(final Harmonisation how) {
			harmonisation = how;
			return this;
		}

		public Builder inputs(final List<Input> images) {
			inputs = List.copyOf(images);
			return this;
		}

		/** @param byName subjects, sites, mask_voxels and voxels_STATUS, in that order */
		public Builder counts(final Map<String, Long> byName) {
			counts = new LinkedHashMap<>(byName);
			return this;
		}

		/** @param seconds by phase, in the order run */
		public Builder timings(final Map<String, Double> seconds) {
			timings = new LinkedHashMap<>(seconds);
			return this;
		}

		/** The peak heap in MB, raw and live (see the pipeline's HeapMonitor), and the maximum. */
		public Builder heap(final double rawPeakMb, final double livePeakMb, final long maxMb) {
			peakHeapMb = rawPeakMb;
			peakLiveHeapMb = livePeakMb;
			maxHeapMb = maxMb;
			return this;
		}

		/** @param outOfCore whether the matrix was out of core */
		public Builder chunked(final boolean outOfCore) {
			chunked = outOfCore;
			return this;
		}

		public Builder inputReading(final InputReading how) {
			inputReading = how;
			return this;
		}

		/** The threads of the run and the Java version that ran it. */
		public Builder platform(final int nThreads, final String javaVersion) {
			threads = nThreads;
			java = javaVersion;
			return this;
		}

		/** @param record the site added to the model and its priors */
		public Builder addedSite(final Map<String, Object> record) {
			addedSite = new LinkedHashMap<>(record);
			return this;
		}

		/** @param rows summary.csv's rows: the sites, then {@link #ALL_SITES} */
		public Builder sites(final List<SiteSummary> rows) {
			sites = List.copyOf(rows);
			return this;
		}

		/**
		 * Writes the record into a result's work folder as new files: summary.csv if per-site
		 * rows were given, then run.json, which lists the files then in the folder
		 * ({@link OutputFolder#inventory}) with their sizes.
		 *
		 * @return the record written
		 * @throws InputException if a file cannot be written (or exists)
		 */
		public RunRecord write(final Path dir) {
			if (sites != null) new RunRecord(this).writeSummary(dir.resolve("summary.csv"));
			outputs = OutputFolder.inventory(dir);
			final RunRecord record = new RunRecord(this);
			Json.writeText(dir.resolve("run.json"), record.toJson());
			return record;
		}
	}

	// -- Reading --

	/** @return the method's label of a voxelwise harmonisation run, or null */
	public String method() {
		return method;
	}

	/** @return "site effects" or "table site effects", or null */
	public String analysis() {
		return analysis;
	}

	/** @return the cohort manifest's path, or null */
	public String manifest() {
		return manifest;
	}

	/** @return the table's path, or null */
	public String table() {
		return table;
	}

	/** @return the harmonised table's path, or null */
	public String harmonised() {
		return harmonised == null ? null : harmonised.orElse(null);
	}

	/** @return how the harmonised table was made, or null */
	public Harmonisation harmonisation() {
		return harmonisation;
	}

	/** @return the HarmonIJ version that wrote the record, or null if the file does not say */
	public String version() {
		return harmonijVersion;
	}

	/** @return the input images of a voxelwise run, or an empty list */
	public List<Input> inputs() {
		return inputs == null ? List.of() : inputs;
	}

	/** @return the files of the folder with their sizes, or null if the record does not list them */
	public List<Output> outputs() {
		return outputs;
	}

	/** @return the record as its JSON tree, for showing every field */
	public JsonObject tree() {
		return GSON.toJsonTree(this).getAsJsonObject();
	}

	/** @return the record as run.json's text */
	String toJson() {
		return GSON.toJson(this) + "\n";
	}

	/**
	 * Reads a run.json.
	 *
	 * @throws IllegalArgumentException if it is not a JSON object of a run record
	 */
	public static RunRecord read(final String text) {
		final JsonElement e = Json.read(text, JsonElement.class);
		if (e == null || !e.isJsonObject()) throw new IllegalArgumentException("not a JSON object");
		try {
			return GSON.fromJson(e, RunRecord.class);
		}
		catch (final RuntimeException x) {
			throw new IllegalArgumentException("not a run record: " + x.getMessage(), x);
		}
	}

	/**
	 * Writes summary.csv as a new file: per site (sites first, then all sites) n and the mean and
	 * SD inside the mask before and after; the row of all sites also has the mask's voxels and
	 * those harmonised and left unchanged, by reason.
	 */
	private void writeSummary(final Path file) {
		final List<String[]> rows = new ArrayList<>();
		for (final SiteSummary s : sites) {
			final String[] row = new String[SUMMARY_HEADER.size()];
			row[0] = s.site;
			row[1] = String.valueOf(s.n);
			row[2] = Csv.formatDouble(s.meanBefore);
			row[3] = Csv.formatDouble(s.sdBefore);
			row[4] = Csv.formatDouble(s.meanAfter);
			row[5] = Csv.formatDouble(s.sdAfter);
			final boolean all = ALL_SITES.equals(s.site);
			for (int i = 0; i < SUMMARY_COUNTS.length; i++)
				row[6 + i] = all ? String.valueOf(counts.get(SUMMARY_COUNTS[i])) : "";
			rows.add(row);
		}
		Csv.write(file, SUMMARY_HEADER, rows);
	}

	// -- Helper methods --

	/**
	 * How the record is laid out in JSON: its null fields (those of other kinds of run) are left
	 * out, while nulls inside its maps are written, as in every HarmonIJ JSON file; an empty
	 * {@link Optional} is written as null.
	 */
	private static final class Layout implements TypeAdapterFactory {

		@Override
		public <T> TypeAdapter<T> create(final Gson gson, final TypeToken<T> type) {
			final Class<? super T> raw = type.getRawType();
			if (raw == Optional.class) {
				@SuppressWarnings("unchecked")
				final TypeAdapter<T> optional = (TypeAdapter<T>) new OptionalText();
				return optional;
			}
			if (raw != RunRecord.class && !Map.class.isAssignableFrom(raw)) return null;
			final TypeAdapter<T> delegate = gson.getDelegateAdapter(this, type);
			final boolean nulls = raw != RunRecord.class;
			return new TypeAdapter<>() {

				@Override
				public void write(final JsonWriter out, final T value) throws IOException {
					if (value == null) {
						out.nullValue(); // a field of another kind of run: left out
						return;
					}
					final boolean before = out.getSerializeNulls();
					out.setSerializeNulls(nulls);
					delegate.write(out, value);
					out.setSerializeNulls(before);
				}

				@Override
				public T read(final JsonReader in) throws IOException {
					return delegate.read(in);
				}
			};
		}
	}

	/** Text that may be null in the file: null (the field is left out), empty (null), or a value. */
	private static final class OptionalText extends TypeAdapter<Optional<String>> {

		@Override
		public void write(final JsonWriter out, final Optional<String> value) throws IOException {
			if (value == null) {
				out.nullValue(); // left out: the record's fields do not write nulls
				return;
			}
			if (value.isPresent()) {
				out.value(value.get());
				return;
			}
			final boolean before = out.getSerializeNulls();
			out.setSerializeNulls(true);
			out.nullValue();
			out.setSerializeNulls(before);
		}

		@Override
		public Optional<String> read(final JsonReader in) throws IOException {
			if (in.peek() != JsonToken.NULL) return Optional.of(in.nextString());
			in.nextNull();
			return Optional.empty();
		}
	}
}

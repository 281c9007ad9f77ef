// SPDX-License-Identifier: MIT
package io.github.harmonij.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;

import io.github.harmonij.cohort.Cohort;
import io.github.harmonij.cohort.CovariateCoding;
import io.github.harmonij.cohort.FeatureTable;
import io.github.harmonij.cohort.Tables;
import io.github.harmonij.core.ComBatFit;
import io.github.harmonij.core.ComBatOptions;
import io.github.harmonij.core.Design;
import io.github.harmonij.core.EmpiricalBayes;
import io.github.harmonij.core.FeatureStatus;
import io.github.harmonij.core.HarmonisationFit;
import io.github.harmonij.core.HarmonisationModel;
import io.github.harmonij.core.InputException;
import io.github.harmonij.core.SiteAddition;
import io.github.harmonij.io.Csv;
import io.github.harmonij.io.CsvTable;
import io.github.harmonij.io.NiftiHeader;
import io.github.harmonij.io.Version;

/**
 * A harmonisation model saved to disk and read back: the design (site column and levels,
 * covariate coding with categorical levels and spline knots, reference site, options) and the
 * per-feature parameters of a {@link HarmonisationModel}, at full double precision, so that a
 * model read back harmonises with the same bits as the fit that wrote it. The format is described
 * in {@code docs/models.md}; its version is {@link #FORMAT_VERSION}.
 * <ul>
 * <li>Tables ({@code combat-table --model-out FILE.json}): one JSON file; per-feature parameters
 * are arrays in feature order (NaN as null).</li>
 * <li>Voxelwise ({@code combat --out DIR}, in {@code DIR/model/}): {@code model.json} plus one
 * float64 NIfTI map per parameter (a volume per site or covariate column) and {@code status}
 * (0 outside the mask, 1 + {@link FeatureStatus} ordinal inside).</li>
 * </ul>
 * This class is the value and what it answers (the design of new subjects); the JSON file's
 * fields are {@link ModelJson}, and the maps are read and written by {@link ModelMaps}.
 * Immutable.
 */
public final class SavedModel {

	/** The format written; readers accept this version only (version 1 maps were float32). */
	public static final int FORMAT_VERSION = 2;

	/** The value of the {@code format} field. */
	public static final String FORMAT = "harmonij-model";

	/** What model.json says each value of the status map means, by value. */
	private static final List<String> STATUS_CODES = List.of("outside the mask", "harmonised",
		"non-finite in some image (unchanged)", "constant in all images (unchanged)",
		"constant within a site (unchanged)");

	/** How model.json describes the basis of a smooth covariate. */
	private static final String SPLINE_BASIS =
		"natural cubic spline, truncated-power form (docs/models.md)";

	private final Path source;

	private final ModelJson json;

	private final String idColumn;

	private final CovariateCoding coding;

	private final HarmonisationModel model;

	private final List<String> features;

	/** The maps of a voxelwise model; null for a table model. */
	private final ModelMaps maps;

	private SavedModel(final Path source, final ModelJson json, final CovariateCoding coding,
		final HarmonisationModel model, final List<String> features, final ModelMaps maps)
	{
		this.source = source;
		this.json = json;
		this.idColumn = json.idColumn == null || json.idColumn.isEmpty() ? null : json.idColumn;
		this.coding = coding;
		this.model = model;
		this.features = features;
		this.maps = maps;
	}

	/** @return the file or folder the model was read from */
	public Path source() {
		return source;
	}

	/** @return true for a voxelwise model (NIfTI maps), false for a table model */
	public boolean voxelwise() {
		return maps != null;
	}

	/** @return "combat" or "regression" */
	public String method() {
		return json.method;
	}

	/** @return the manifest or table column holding the site */
	public String batchColumn() {
		return json.batchColumn;
	}

	/** @return the id column of a table model, or null for the default */
	public String idColumn() {
		return idColumn;
	}

	/** @return how new subjects' covariates are coded (levels and knots of the training data) */
	public CovariateCoding coding() {
		return coding;
	}

	/** @return the parameters */
	public HarmonisationModel model() {
		return model;
	}

	/** @return the feature columns of a table model, in model order; empty for voxelwise */
	public List<String> features() {
		return features;
	}

	/** @return the training grid of a voxelwise model, or null */
	public NiftiHeader grid() {
		return maps == null ? null : maps.grid();
	}

	/** @return a copy of the training mask of a voxelwise model, or null */
	public boolean[] mask() {
		return maps == null ? null : maps.mask().clone();
	}

	/** @return whether a ComBat model was fitted in mean-only mode ({@code options.mean_only}) */
	public boolean meanOnly() {
		return json.options != null && Boolean.TRUE.equals(json.options.meanOnly);
	}

	/**
	 * @return the empirical Bayes mode of a ComBat model ({@code options.eb}; parametric if
	 *         absent)
	 */
	public EmpiricalBayes eb() {
		final String eb = json.options == null ? null : json.options.eb;
		return eb == null ? EmpiricalBayes.PARAMETRIC : EmpiricalBayes.parse(eb);
	}

	// -- Writing --

	/**
	 * Writes a table model as one JSON file; refuses to overwrite.
	 *
	 * @param combat the ComBat options, or null for the linear site adjustment
	 * @throws InputException if the file exists or cannot be written
	 */
	public static void writeTable(final Path file, final HarmonisationFit fit,
		final FeatureTable table, final ComBatOptions combat)
	{
		final ModelJson json = header(fit, combat, table.spec().batchColumn(), table.coding());
		json.kind = "table";
		json.idColumn = table.spec().idColumn() == null ? "" : table.spec().idColumn();
		json.features = table.featureNames();
		json.parameters = parameters(fit.model(), combat != null);
		writeNew(file, json.text());
	}

	/**
	 * Writes a voxelwise model into {@code dir} (which must exist and be empty of these names):
	 * {@code model.json} and the float64 maps.
	 *
	 * @param diagnostics whether to write ComBat's diagnostic maps, {@code gamma_hat} and
	 *          {@code delta_hat_sq} (the estimates before empirical Bayes): {@link #read} and
	 *          apply never read them, so a model without them applies with the same bits; they
	 *          are 2 of the model's float64 volumes per site
	 */
	public static void writeVoxelwise(final Path dir, final HarmonisationFit fit,
		final ComBatOptions combat, final Cohort cohort, final NiftiHeader grid,
		final boolean[] mask, final int[] index, final int deflateLevel, final boolean diagnostics)
	{
		final ModelJson json = header(fit, combat, cohort.spec().batchColumn(), cohort.coding());
		json.kind = "voxelwise";
		json.grid = new ModelJson.Grid();
		json.grid.dim = Arrays.copyOfRange(grid.dim(), 1, 4);
		json.grid.pixdim = Arrays.copyOfRange(grid.pixdim(), 1, 4);
		json.grid.affine = grid.affine();
		json.maskVoxels = index.length;
		json.maskSha256 = ModelMaps.checksum(mask);
		json.maps = ModelMaps.write(dir, fit, combat != null, diagnostics, grid, index,
			deflateLevel);
		json.statusCodes = STATUS_CODES;
		writeNew(dir.resolve("model.json"), json.text());
	}

	/**
	 * Writes a table model extended by {@link SiteAddition} as one JSON file (refuses to
	 * overwrite): the old model's fields, the new site appended to {@code batch_levels},
	 * {@code batch_sizes} and {@code priors}, a record in {@code added_sites}, and the parameters
	 * of the extended model.
	 *
	 * @param eb the empirical Bayes mode the site was fitted with
	 * @param table the table of the new site's subjects
	 * @param fromModel the old model's file
	 */
	public static void writeTableExtended(final Path file, final SavedModel old,
		final SiteAddition.Result r, final EmpiricalBayes eb, final Path table,
		final Path fromModel)
	{
		if (old.voxelwise()) throw new IllegalArgumentException("not a table model");
		final ModelJson.AddedSite added = added(r, eb, fromModel);
		added.table = table.toString();
		writeNew(file, ModelJson.extendedText(old.json, r.nSubjects(), prior(r), added,
			parameters(r.model(), "combat".equals(old.json.method)), null));
	}

	/**
	 * Writes a voxelwise model extended by {@link SiteAddition} into {@code dir}: the old model's
	 * maps that do not depend on the site are copied byte for byte; the per-site maps get the new
	 * site's volume appended ({@code gamma_hat} and {@code delta_hat_sq}: its unshrunk estimates).
	 *
	 * @param eb the empirical Bayes mode the site was fitted with
	 * @param manifest the manifest of the new site's subjects
	 * @param fromModel the old model's folder
	 * @return the extended model, as {@link #read} would read it from {@code dir} (its parameters
	 *         are doubles, which the float64 maps keep bit for bit)
	 */
	public static SavedModel writeVoxelwiseExtended(final Path dir, final SavedModel old,
		final SiteAddition.Result r, final EmpiricalBayes eb, final Path manifest,
		final Path fromModel, final int deflateLevel)
	{
		if (!old.voxelwise()) throw new IllegalArgumentException("not a voxelwise model");
		final ModelJson.AddedSite added = added(r, eb, fromModel);
		added.manifest = manifest.toString();
		final Map<String, ModelJson.MapFile> files = old.maps.writeExtended(dir, r, deflateLevel);
		final String text = ModelJson.extendedText(old.json, r.nSubjects(), prior(r), added, null,
			files);
		writeNew(dir.resolve("model.json"), text);
		return new SavedModel(dir, ModelJson.of(ModelJson.tree(text)), old.coding, r.model(),
			List.of(), old.maps.in(dir, files));
	}

	/** The added site's empirical Bayes priors, as the model's "priors" list records a site's. */
	public static Map<String, Object> priors(final SiteAddition.Result r) {
		final Map<String, Object> p = new LinkedHashMap<>();
		p.put("batch", r.site());
		p.put("gamma_bar", r.gammaBar());
		p.put("tau2", r.tau2());
		p.put("a_prior", r.aPrior());
		p.put("b_prior", r.bPrior());
		p.put("iterations", r.iterations());
		return p;
	}

	// -- Reading --

	/**
	 * Reads a saved model: a table model's JSON file, or a voxelwise model's folder (or its
	 * {@code model.json}).
	 *
	 * @throws InputException naming the file if it is not a HarmonIJ model, has another format
	 *           version, or is damaged (a map missing, on another grid, or not matching the mask
	 *           checksum)
	 */
	public static SavedModel read(final Path path) {
		final Path file = Files.isDirectory(path) ? path.resolve("model.json") : path;
		if (!Files.isRegularFile(file)) throw new InputException(path + " is not a saved model: " +
			(Files.isDirectory(path) ? "it has no model.json" : "the file was not found") +
			". Give the model folder written by combat or regress (OUT/model) or the file written " +
			"by combat-table --model-out.");
		final JsonObject tree;
		try {
			tree = ModelJson.tree(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
		}
		catch (final IOException | IllegalArgumentException e) {
			throw new InputException(file + " is not a HarmonIJ model (" + e.getMessage() + ").");
		}
		final JsonElement format = tree.get("format");
		if (!isString(format) || !FORMAT.equals(format.getAsString())) throw new InputException(
			file + " is not a HarmonIJ model (its \"format\" is " + shown(format) +
				", expected \"" + FORMAT + "\").");
		final JsonElement version = tree.get("format_version");
		final boolean number = version != null && version.isJsonPrimitive() && version
			.getAsJsonPrimitive().isNumber();
		if (!number || (int) version.getAsDouble() != FORMAT_VERSION) throw new InputException(
			file + " has model format version " + (number ? Csv.formatDouble(version
				.getAsDouble()) : shown(version)) + "; this HarmonIJ (" + Version.get() +
				") reads version " + FORMAT_VERSION + ". Fit the model again with this version.");
		try {
			final ModelJson json = ModelJson.of(tree);
			return "voxelwise".equals(json.kind) ? readVoxelwise(file, json) : readTable(file,
				json);
		}
		catch (final JsonParseException | NullPointerException | IndexOutOfBoundsException e) {
			throw new InputException(file + " is damaged: a field is missing or has the wrong " +
				"type (" + e + "). Fit the model again.");
		}
	}

	/**
	 * Builds the design of new subjects for this model: their sites (which must be among the
	 * model's) and their covariates coded with the model's coding (levels and knots of the
	 * training data).
	 *
	 * @param t the manifest or table of the new subjects
	 * @param ids subject id per row
	 * @param batches site per row
	 * @param clamp clamp smooth covariates to the training range (with a warning) instead of
	 *          failing
	 * @param warnings receives warnings (clamped values)
	 * @throws InputException listing every problem with its row and subject: a missing covariate
	 *           column, a site or level the model does not know, a value that is not a number or
	 *           (without clamp) is outside a smooth covariate's training range
	 */
	public Design designFor(final CsvTable t, final List<String> ids, final List<String> batches,
		final boolean clamp, final List<String> warnings)
	{
		final List<String> problems = new ArrayList<>();
		final String[] levels = model.batchLevels();
		final List<String> known = Arrays.asList(levels);
		final int n = t.nRows();
		final String[] idArray = ids.toArray(new String[0]);
		final String[] where = new String[n];
		final double[][] x = codeRows(t, idArray, where, clamp, warnings, problems);
		final int[] batch = new int[n];
		final Map<String, List<String>> unknown = new LinkedHashMap<>();
		for (int r = 0; r < n; r++) {
			batch[r] = known.indexOf(batches.get(r));
			if (batch[r] < 0) {
				unknown.computeIfAbsent(batches.get(r), b -> new ArrayList<>()).add(where[r]);
				batch[r] = 0;
			}
		}
		final List<String> siteProblems = new ArrayList<>();
		for (final Map.Entry<String, List<String>> e : unknown.entrySet()) {
			final List<String> rows = e.getValue();
			siteProblems.add(which(rows) + ": " + json.batchColumn + " \"" + e.getKey() +
				"\" is not one of the sites the model was fitted with (" + String.join(", ",
					levels) + "). Remove " + (rows.size() == 1 ? "the row" : "those rows") +
				", or add the site to the model (docs/models.md).");
		}
		problems.addAll(0, siteProblems);
		InputException.throwIfAny(t.name() + ": " + problems.size() + " problems with the " +
			"subjects to harmonise (nothing was written):", problems);
		return new Design(levels, batch, coding.codedNames().toArray(new String[0]), x, idArray);
	}

	/**
	 * Builds the design of the subjects of a site to add to this model ({@link SiteAddition}):
	 * one site the model does not know, covariates coded with the model's coding.
	 *
	 * @throws InputException listing every problem with its row and subject: a site the model
	 *           knows (use apply), subjects of more than one new site (add one at a time), a
	 *           missing covariate column, a level the model does not know, a value that is not a
	 *           number or (without clamp) outside a smooth covariate's training range
	 */
	public Design designForNewSite(final CsvTable t, final List<String> ids,
		final List<String> batches, final boolean clamp, final List<String> warnings)
	{
		final List<String> problems = new ArrayList<>();
		final List<String> known = Arrays.asList(model.batchLevels());
		final int n = t.nRows();
		final String[] idArray = ids.toArray(new String[0]);
		final String[] where = new String[n];
		final double[][] x = codeRows(t, idArray, where, clamp, warnings, problems);
		final Map<String, List<String>> sites = new LinkedHashMap<>();
		for (int r = 0; r < n; r++)
			sites.computeIfAbsent(batches.get(r), b -> new ArrayList<>()).add(where[r]);
		final List<String> siteProblems = new ArrayList<>();
		final List<String> fresh = new ArrayList<>();
		for (final Map.Entry<String, List<String>> e : sites.entrySet()) {
			final List<String> rows = e.getValue();
			final String which = which(rows);
			if (known.contains(e.getKey())) siteProblems.add(which + ": " + json.batchColumn +
				" \"" + e.getKey() + "\" is already in the model (" + String.join(", ", known) +
				"); harmonise its subjects with apply (apply-table), or remove " + (rows.size() ==
					1 ? "the row." : "those rows."));
			else fresh.add("\"" + e.getKey() + "\" (" + which + ")");
		}
		if (fresh.size() > 1) siteProblems.add("the rows come from " + fresh.size() + " new " +
			"sites: " + String.join(", ", fresh) + ". Add one site at a time: run add-site once " +
			"per site, each time on the model the previous run wrote.");
		problems.addAll(0, siteProblems);
		InputException.throwIfAny(t.name() + ": " + problems.size() + " problems with the " +
			"subjects of the site to add (nothing was written):", problems);
		if (n == 0) throw new InputException(t.name() + " has no subjects; give the rows of the " +
			"site to add.");
		return new Design(new String[] { batches.get(0) }, new int[n], coding.codedNames().toArray(
			new String[0]), x, idArray);
	}

	/**
	 * The rows' covariates coded with the model's coding; {@code where[r]} receives how messages
	 * name row r.
	 *
	 * @throws InputException if the table lacks a covariate column of the model
	 */
	private double[][] codeRows(final CsvTable t, final String[] ids, final String[] where,
		final boolean clamp, final List<String> warnings, final List<String> problems)
	{
		final List<String> names = coding.names();
		final int[] cols = new int[names.size()];
		final List<String> missing = new ArrayList<>();
		for (int c = 0; c < cols.length; c++)
			cols[c] = Tables.require(t, names.get(c), "covariate of the model", missing);
		InputException.throwIfAny(t.name() + " lacks columns the model needs:", missing);
		final double[][] x = new double[t.nRows()][];
		for (int r = 0; r < x.length; r++) {
			where[r] = Tables.where(t, r, ids);
			final String[] raw = new String[cols.length];
			for (int c = 0; c < cols.length; c++)
				raw[c] = t.cell(r, cols[c]);
			x[r] = coding.code(raw, where[r], clamp, warnings, problems);
		}
		return x;
	}

	/** "row 3 (subject s1)", or "row 3 (subject s1) and 4 more rows". */
	private static String which(final List<String> rows) {
		return rows.size() == 1 ? rows.get(0) : rows.get(0) + " and " + (rows.size() - 1) +
			" more rows";
	}

	// -- Helper methods --

	/** The fields both kinds of model have, up to {@code kind}. */
	private static ModelJson header(final HarmonisationFit fit, final ComBatOptions combat,
		final String batchColumn, final CovariateCoding coding)
	{
		final Design d = fit.design();
		final HarmonisationModel m = fit.model();
		final String ref = m.refBatch() < 0 ? "" : d.batchLevel(m.refBatch());
		final ModelJson json = new ModelJson();
		json.format = FORMAT;
		json.formatVersion = FORMAT_VERSION;
		json.harmonijVersion = Version.get();
		json.method = combat != null ? "combat" : "regression";
		json.batchColumn = batchColumn;
		json.batchLevels = Arrays.asList(d.batchLevels());
		json.batchSizes = d.batchSizes();
		json.referenceBatch = ref;
		json.covariates = covariates(coding);
		json.designColumns = Arrays.asList(d.covariateNames());
		json.options = new ModelJson.Options();
		if (combat != null) {
			json.options.eb = combat.eb().key();
			json.options.meanOnly = combat.meanOnly();
			json.options.missingValues = combat.missingValues();
		}
		json.options.refBatch = ref;
		if (fit instanceof ComBatFit) {
			final ComBatFit c = (ComBatFit) fit;
			json.priors = new ArrayList<>();
			for (int b = 0; b < d.nBatches(); b++) {
				final ModelJson.Prior p = new ModelJson.Prior();
				p.batch = d.batchLevel(b);
				p.gammaBar = c.gammaBar(b);
				p.tau2 = c.tau2(b);
				p.aPrior = c.aPrior(b);
				p.bPrior = c.bPrior(b);
				p.iterations = c.iterations(b);
				json.priors.add(p);
			}
		}
		json.featureCounts = new LinkedHashMap<>();
		for (final FeatureStatus s : FeatureStatus.values())
			json.featureCounts.put(s.name().toLowerCase(Locale.ROOT), fit.count(s));
		return json;
	}

	/** The covariate coding as model.json has it: names, kinds, levels and reference, knots. */
	private static List<ModelJson.Covariate> covariates(final CovariateCoding coding) {
		final List<ModelJson.Covariate> list = new ArrayList<>();
		for (int c = 0; c < coding.nCovariates(); c++) {
			final ModelJson.Covariate m = new ModelJson.Covariate();
			m.name = coding.names().get(c);
			m.kind = coding.kind(c).name().toLowerCase(Locale.ROOT);
			if (coding.kind(c) == CovariateCoding.Kind.CATEGORICAL) {
				m.levels = coding.levels(c);
				m.reference = coding.reference(c);
			}
			if (coding.kind(c) == CovariateCoding.Kind.SMOOTH) {
				m.knots = coding.knots(c);
				m.basis = SPLINE_BASIS;
			}
			list.add(m);
		}
		return list;
	}

	/** Per-feature parameters of a table model, as arrays in feature order. */
	private static ModelJson.Parameters parameters(final HarmonisationModel m,
		final boolean combat)
	{
		final int nf = m.nFeatures(), nb = m.nBatches(), nc = m.covariateNames().length;
		final String[] status = new String[nf];
		final double[] location = new double[nf], var = new double[nf];
		final double[][] beta = new double[nc][nf], gamma = new double[nb][nf], delta =
			new double[nb][nf];
		for (int v = 0; v < nf; v++) {
			status[v] = m.status(v).name().toLowerCase(Locale.ROOT);
			location[v] = m.location(v);
			var[v] = m.varPooled(v);
			for (int q = 0; q < nc; q++)
				beta[q][v] = m.betaHat(q, v);
			for (int b = 0; b < nb; b++) {
				gamma[b][v] = m.gamma(b, v);
				delta[b][v] = m.delta(b, v);
			}
		}
		final ModelJson.Parameters p = new ModelJson.Parameters();
		p.status = status;
		p.betaHat = beta;
		if (combat) {
			p.grandMean = location;
			p.varPooled = var;
			p.gammaStar = gamma;
			p.deltaStar = delta;
		}
		else {
			p.alpha = location;
			p.gamma = gamma;
		}
		return p;
	}

	/** model.json's record of an added site, but for what it was added from. */
	private static ModelJson.AddedSite added(final SiteAddition.Result r,
		final EmpiricalBayes eb, final Path fromModel)
	{
		final ModelJson.AddedSite a = new ModelJson.AddedSite();
		a.batch = r.site();
		a.subjects = r.nSubjects();
		a.usableFeatures = r.usable();
		a.leftOutFeatures = r.leftOut();
		a.harmonijVersion = Version.get();
		a.eb = eb.key();
		a.fromModel = fromModel.toString();
		return a;
	}

	/** The added site's priors as model.json's priors list records a site's. */
	private static ModelJson.Prior prior(final SiteAddition.Result r) {
		final ModelJson.Prior p = new ModelJson.Prior();
		p.batch = r.site();
		p.gammaBar = r.gammaBar();
		p.tau2 = r.tau2();
		p.aPrior = r.aPrior();
		p.bPrior = r.bPrior();
		p.iterations = r.iterations();
		return p;
	}

	private static CovariateCoding coding(final ModelJson json) {
		final List<String> names = new ArrayList<>();
		final List<CovariateCoding.Kind> kinds = new ArrayList<>();
		final List<List<String>> levels = new ArrayList<>();
		final List<double[]> knots = new ArrayList<>();
		for (final ModelJson.Covariate m : json.covariates) {
			names.add(m.name);
			final CovariateCoding.Kind k = CovariateCoding.Kind.valueOf(m.kind.toUpperCase(
				Locale.ROOT));
			kinds.add(k);
			levels.add(k == CovariateCoding.Kind.CATEGORICAL ? new ArrayList<>(m.levels)
				: new ArrayList<>());
			knots.add(k == CovariateCoding.Kind.SMOOTH ? m.knots.clone() : null);
		}
		return new CovariateCoding(names, kinds, levels, knots);
	}

	private static SavedModel readTable(final Path file, final ModelJson json) {
		final CovariateCoding coding = coding(json);
		final String[] levels = json.batchLevels.toArray(new String[0]);
		final List<String> features = List.copyOf(json.features);
		final ModelJson.Parameters p = json.parameters;
		final boolean combat = "combat".equals(json.method);
		final byte[] status = new byte[p.status.length];
		for (int v = 0; v < status.length; v++)
			status[v] = (byte) FeatureStatus.valueOf(p.status[v].toUpperCase(Locale.ROOT))
				.ordinal();
		final HarmonisationModel m = new HarmonisationModel(combat
			? HarmonisationModel.Kind.COMBAT : HarmonisationModel.Kind.SITE_REGRESSION, levels,
			Arrays.asList(levels).indexOf(json.referenceBatch), json.designColumns.toArray(
				new String[0]), status, combat ? p.grandMean : p.alpha, combat ? p.varPooled
					: null, flat(p.betaHat), flat(combat ? p.gammaStar : p.gamma), combat
						? flat(p.deltaStar) : null);
		check(file, coding, m);
		return new SavedModel(file, json, coding, m, features, null);
	}

	private static SavedModel readVoxelwise(final Path file, final ModelJson json) {
		final Path dir = file.toAbsolutePath().getParent();
		final CovariateCoding coding = coding(json);
		final String[] levels = json.batchLevels.toArray(new String[0]);
		final String[] columns = json.designColumns.toArray(new String[0]);
		final boolean combat = "combat".equals(json.method);
		final ModelMaps maps = ModelMaps.open(dir, json);
		final int nb = levels.length, nc = columns.length;
		final double[] loc = maps.masked(combat ? "grand_mean" : "alpha", 1);
		final double[] var = combat ? maps.masked("var_pooled", 1) : null;
		final double[] gamma = maps.masked(combat ? "gamma_star" : "gamma", nb);
		final double[] delta = combat ? maps.masked("delta_star", nb) : null;
		final double[] beta = nc > 0 ? maps.masked("beta_hat", nc) : new double[0];
		final HarmonisationModel m = new HarmonisationModel(combat
			? HarmonisationModel.Kind.COMBAT : HarmonisationModel.Kind.SITE_REGRESSION, levels,
			Arrays.asList(levels).indexOf(json.referenceBatch), columns, maps.status(), loc, var,
			beta, gamma, delta);
		check(file, coding, m);
		return new SavedModel(dir, json, coding, m, List.of(), maps);
	}

	private static void check(final Path file, final CovariateCoding coding,
		final HarmonisationModel m)
	{
		if (!coding.codedNames().equals(Arrays.asList(m.covariateNames()))) throw new InputException(
			file + " is damaged: its covariates code to " + coding.codedNames() + " but its " +
				"design columns are " + Arrays.asList(m.covariateNames()) + ". Fit the model again.");
	}

	/** Rows of equal length, row after row. */
	private static double[] flat(final double[][] rows) {
		int n = 0;
		for (final double[] r : rows)
			n += r.length;
		final double[] out = new double[n];
		int off = 0;
		for (final double[] r : rows) {
			System.arraycopy(r, 0, out, off, r.length);
			off += r.length;
		}
		return out;
	}

	private static boolean isString(final JsonElement e) {
		return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
	}

	/** A field's value as a message shows it: text without quotes, null as "null". */
	private static String shown(final JsonElement e) {
		return e == null || e.isJsonNull() ? "null" : isString(e) ? e.getAsString() : e.toString();
	}

	/** Complete or not at all, never over an existing file (see {@link Csv#writeNew}). */
	private static void writeNew(final Path file, final String text) {
		Csv.writeNew(file, text.getBytes(StandardCharsets.UTF_8));
	}
}

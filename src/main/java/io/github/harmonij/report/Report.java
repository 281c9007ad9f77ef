// SPDX-License-Identifier: MIT
package io.github.harmonij.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import io.github.harmonij.core.InputException;
import io.github.harmonij.io.Csv;
import io.github.harmonij.io.CsvTable;
import io.github.harmonij.io.NiftiIO;
import io.github.harmonij.io.NiftiImage;
import io.github.harmonij.io.RunRecord;
import io.github.harmonij.io.Version;

/**
 * A self-contained HTML report of the evidence in a HarmonIJ result folder: every figure is an
 * inline PNG ({@code data:} URI), every style inline, no script and no external reference, so the
 * file can be mailed to a reviewer or attached to a paper.
 * <p>
 * It is built only from the files of the folder, so that it can be made during a run (the
 * harmonisation and site-effect commands with {@code report}) or afterwards ({@code harmonij
 * report --run DIR --out FILE.html}). Sections appear when their files are there:
 * <ul>
 * <li>cohort: {@code cohort.csv} (subjects and covariates per site);</li>
 * <li>at a glance and numbers: {@code site_effects/summary.csv} or {@code summary.csv} (measure,
 * before, after), or a single run's {@code summary.csv} (per test);</li>
 * <li>maps: {@code site_effects/{before,after}/*_neglog10p.nii.gz} as axial montages with one
 * colour scale per pair, or a single run's maps;</li>
 * <li>residuals by site: {@code subjects.csv} (mean residual per subject), drawn as box plots, and
 * {@code plots/*.png} (tables);</li>
 * <li>per-feature tests: {@code effects.csv} (tables);</li>
 * <li>per-site means: the harmonisation's {@code summary.csv};</li>
 * <li>options and version: {@code run.json}.</li>
 * </ul>
 */
public final class Report {

	/** The report's file name inside a result folder. */
	public static final String FILE_NAME = "report.html";

	/** Measure key, its label, and for tables (if different) the table label. */
	private static final String[][] MEASURES = {
		{ "site_percent_fdr_significant", "Voxels with a site effect (F test, FDR), %",
			"Features with a site effect (F test, FDR), %" },
		{ "site_median_F", "Median F of site" },
		{ "site_lrt_percent_fdr_significant",
			"With a site effect by likelihood-ratio test (FDR), %" },
		{ "levene_percent_fdr_significant",
			"With unequal variance across sites (Brown-Forsythe, FDR), %" },
		{ "levene_median_F", "Median Brown-Forsythe F" },
		{ "interest_percent_fdr_significant", "Significant for the covariate of interest (FDR), %" },
		{ "interest_median_abs_t", "Median |t| of the covariate of interest" },
		{ "interest_median_abs_F", "Median F of the covariate of interest" },
		{ "interest_map_correlation", "Correlation of the interest maps, before vs after" },
		{ "features", "Voxels tested (in the mask)", "Features tested (table columns)" },
		{ "q", "FDR level q" }, { "interest", "Covariate of interest" } };

	private Report() {}

	/**
	 * Writes the report of a result folder into a new file.
	 *
	 * @param run the result folder (finished, or the work folder of a run)
	 * @param html the new file; never overwritten
	 * @throws InputException if the file exists or the folder has nothing to report
	 */
	public static void writeNew(final Path run, final Path html) {
		if (Files.exists(html)) throw new InputException(html + " already exists; choose a new " +
			"file name (nothing was overwritten).");
		if (!Files.isDirectory(run)) throw new InputException(run + " is not a folder; give a " +
			"HarmonIJ result folder.");
		final String text = build(run);
		try {
			Files.write(html, text.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE_NEW);
		}
		catch (final IOException e) {
			throw new InputException("Cannot write " + html + ": " + e.getMessage());
		}
	}

	/** @return the HTML text of the report of a result folder */
	public static String build(final Path run) {
		final Path evidence = Files.isDirectory(run.resolve("site_effects")) ? run.resolve(
			"site_effects") : run;
		final RunRecord json = readRecord(run.resolve("run.json"));
		final CsvTable comparison = csvWithFirstColumn(evidence.resolve("summary.csv"), "measure");
		final CsvTable tests = csvWithFirstColumn(run.resolve("summary.csv"), "test");
		final CsvTable perSite = csvWithFirstColumn(run.resolve("summary.csv"), "site");
		final CsvTable cohort = csvWithFirstColumn(evidence.resolve("cohort.csv"), "site");
		final CsvTable effects = csvWithFirstColumn(run.resolve("effects.csv"), "feature");
		if (json == null && comparison == null && tests == null && effects == null)
			throw new InputException(run + " has no run.json or summary.csv; give a folder written " +
				"by harmonij combat/regress --site-effects, site-effects or table-effects.");

		// a table's tests are per feature (column), an image's per voxel
		final boolean table = effects != null || json != null && json.table() != null;
		final Html h = new Html();
		h.open(json);
		atAGlance(h, comparison, tests, table ? "features" : "voxels", json, run);
		if (cohort != null) {
			h.section("cohort", "Cohort");
			h.p("Subjects per site, with the mean and standard deviation of each continuous " +
				"covariate and the count of each level of each categorical one (age in years). " +
				"Sites that differ in their covariates are why the tests below adjust for them.");
			h.table(cohort, Integer.MAX_VALUE, Report::withAgeInYears);
		}
		if (comparison != null) {
			h.section("numbers", "Site effects before and after harmonisation");
			if (effects != null) h.p("Each test is done per feature (table column) by ordinary " +
				"least squares; the percentages count the features whose Benjamini-Hochberg " +
				"adjusted p is at most q. After a successful harmonisation the site rows fall to " +
				"about q or below.");
			else h.p("Each test is done per voxel by ordinary least squares; the " +
				"percentages count the voxels whose Benjamini-Hochberg adjusted p is at most q. " +
				"After a successful harmonisation the site rows fall to about q or below, while the " +
				"covariate of interest keeps its strength.");
			h.measureTable(comparison, effects != null);
		}
		if (tests != null) {
			h.section("numbers", "Tests");
			h.table(tests, Integer.MAX_VALUE, c -> c);
		}
		maps(h, evidence, run);
		residuals(h, evidence, run, effects == null ? 0 : effects.nRows());
		if (effects != null) {
			h.section("features", "Per-feature tests");
			h.p("Per feature: type-II ANOVA F of site given the covariates (equal to the nested-model " +
				"F), its p and BH-adjusted p, the likelihood-ratio test of the model with site against " +
				"the model without, and the Brown-Forsythe test of equal variance, before and after.");
			h.table(effects, Integer.MAX_VALUE, c -> c);
		}
		if (perSite != null) {
			h.section("per-site", "Per-site means inside the mask");
			h.p("Mean and standard deviation of all harmonised voxels of each site's images, " +
				"before and after, in the images' intensity units (a.u.: a NIfTI image records no " +
				"unit for its values).");
			h.table(perSite, 6, c -> c.startsWith("mean") || c.startsWith("sd") ? c + " (a.u.)" : c);
		}
		options(h, json);
		return h.close();
	}

	// -- Helper methods --

	/**
	 * @param unit what a test is done on: "voxels" or "features"
	 * @param json the run record, for the command line that adds the tests when there are none
	 */
	private static void atAGlance(final Html h, final CsvTable comparison, final CsvTable tests,
		final String unit, final RunRecord json, final Path run)
	{
		h.section("glance", "At a glance");
		final List<String> items = new ArrayList<>();
		if (comparison != null) {
			final String[] site = row(comparison, "site_percent_fdr_significant");
			final String[] lev = row(comparison, "levene_percent_fdr_significant");
			final String[] inter = row(comparison, "interest_percent_fdr_significant");
			final String[] corr = row(comparison, "interest_map_correlation");
			final String[] q = row(comparison, "q");
			final String qs = q != null ? q[1] : "q";
			if (site != null) items.add("<b>Site effect</b> (F test of site given the covariates, " +
				"FDR q = " + esc(qs) + "): " + pct(site[1]) + " of " + unit + " before, " + pct(
					site[2]) + " after.");
			if (lev != null) items.add("<b>Unequal variance across sites</b> (Brown-Forsythe, FDR): " +
				pct(lev[1]) + " before, " + pct(lev[2]) + " after.");
			if (inter != null) items.add("<b>Covariate of interest</b> (" + esc(row(comparison,
				"interest")[1]) + "): significant in " + pct(inter[1]) + " before, " + pct(inter[2]) +
				" after; the two maps correlate at r = " + num(corr[2]) + ".");
		}
		if (tests != null) for (int i = 0; i < tests.nRows(); i++)
			items.add("<b>" + esc(tests.cell(i, 0)) + "</b>: " + pct(tests.cell(i, tests.column(
				"percent_fdr_significant"))) + " of " + unit + " significant at FDR q = " + esc(tests
					.cell(i, tests.column("q"))) + " (median " + esc(tests.cell(i, 1)) + " " + num(tests
						.cell(i, tests.column("median_statistic"))) + ").");
		if (items.isEmpty()) {
			h.p("Nothing to show: this run was made without site-effect maps (--site-effects), " +
				"which test every voxel for a site effect before and after harmonisation. They need " +
				"the run again; this command repeats it with them and writes report.html into a new " +
				"folder (in Fiji: the same dialog with \"Write a report\" ticked):");
			h.code(siteEffectsCommand(json, run));
		}
		else h.list(items);
	}

	/**
	 * @return the command line that repeats a voxelwise run with site-effect maps and a report into
	 *         a new folder, from its run.json; or, without one, the general form
	 */
	static String siteEffectsCommand(final RunRecord json, final Path run) {
		final JsonObject call = json == null || !json.tree().has("invocation") ? null : json.tree()
			.getAsJsonObject("invocation");
		final String out = shell(run.toAbsolutePath().normalize() + "_site_effects");
		if (call == null || !call.has("command") || !call.has("manifest")) return "harmonij combat " +
			"--manifest COHORT.csv --covariates age,sex --report --out " + out;
		final StringBuilder sb = new StringBuilder("harmonij ").append(call.get("command")
			.getAsString()).append(" --manifest ").append(shell(call.get("manifest").getAsString()));
		if (call.has("mask") && !call.get("mask").getAsString().isEmpty()) sb.append(" --mask ")
			.append(shell(call.get("mask").getAsString()));
		// the options as macro options: key=value, key=[value with spaces], or a bare flag
		final Matcher o = Pattern.compile("([A-Za-z_]+)(?:=(\\[[^\\]]*\\]|\\S*))?").matcher(call.has(
			"options") ? call.get("options").getAsString() : "");
		while (o.find()) {
			final String value = o.group(2) == null ? "true" : o.group(2).replaceAll(
				"^\\[(.*)\\]$", "$1");
			if (value.isEmpty() || value.equals("false")) continue;
			sb.append(" --").append(o.group(1).replace('_', '-'));
			if (!value.equals("true")) sb.append(' ').append(shell(value));
		}
		return sb.append(" --report --out ").append(out).toString();
	}

	/** A word as the shell reads it: quoted if it has anything but plain characters. */
	private static String shell(final String word) {
		return word.matches("[A-Za-z0-9_./,:=+-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
	}

	/** "age mean" and "age SD" of the cohort table are in years. */
	private static String withAgeInYears(final String column) {
		return column.toLowerCase(Locale.ROOT).startsWith("age ") ? column + " (years)" : column;
	}

	private static void maps(final Html h, final Path evidence, final Path run) {
		final boolean pair = Files.isDirectory(evidence.resolve("before"));
		final Path first = pair ? evidence.resolve("before") : run;
		if (!Files.exists(first.resolve("site_neglog10p.nii.gz"))) return;
		h.section("maps", "Site-effect maps");
		h.p("Axial slices of -log10 p per voxel (anterior at the top; the slice position is the " +
			"world z coordinate). Before and after share one colour scale; the blue mark on the bar " +
			"is the smallest -log10 p that is significant after FDR correction before harmonisation. " +
			"White is outside the mask; grey voxels were not tested (constant or not finite).");
		for (final String[] m : new String[][] { { "site", "Site effect (F test of site)" }, {
			"levene", "Unequal variance across sites (Brown-Forsythe)" }, { "interest",
				"Covariate of interest" } })
		{
			final Path a = first.resolve(m[0] + "_neglog10p.nii.gz");
			if (!Files.exists(a)) continue;
			final NiftiImage before = NiftiIO.read(a);
			final NiftiImage after = pair ? NiftiIO.read(evidence.resolve("after").resolve(m[0] +
				"_neglog10p.nii.gz")) : null;
			final NiftiImage fdr = NiftiIO.read(first.resolve(m[0] + "_fdr.nii.gz"));
			final float[] d = before.data();
			final boolean[] support = new boolean[d.length];
			final List<Double> inside = new ArrayList<>();
			double threshold = Double.POSITIVE_INFINITY;
			for (int v = 0; v < d.length; v++) {
				support[v] = d[v] != 0 || Float.isNaN(d[v]) || (after != null && after.data()[v] != 0);
				if (support[v] && Float.isFinite(d[v])) inside.add((double) d[v]);
				if (fdr.data()[v] == 1) threshold = Math.min(threshold, d[v]);
			}
			final double vmax = Math.max(2, percentile(inside, 0.99));
			final int[] slices = EvidenceFigures.axialSlices(support, before.header().nx(), before
				.header().ny(), before.header().nz());
			h.h3(m[1]);
			h.figure(EvidenceFigures.montage(before, support, slices, vmax, pair ? "before" : ""),
				m[1] + (pair ? ", before" : ""));
			if (after != null) h.figure(EvidenceFigures.montage(after, support, slices, vmax, "after"),
				m[1] + ", after");
			h.figure(EvidenceFigures.colourBar(vmax, "-log10 p", threshold, "FDR threshold"),
				"colour scale");
		}
	}

	/** @param nFeatures the number of features of a table (to say how many are plotted), or 0 */
	private static void residuals(final Html h, final Path evidence, final Path run,
		final int nFeatures)
	{
		final boolean pair = Files.isDirectory(evidence.resolve("before"));
		final CsvTable before = csvWithFirstColumn((pair ? evidence.resolve("before") : run).resolve(
			"subjects.csv"), "subject");
		final CsvTable after = pair ? csvWithFirstColumn(evidence.resolve("after").resolve(
			"subjects.csv"), "subject") : null;
		final List<Path> plots = listPng(run.resolve("plots"));
		if (before == null && plots.isEmpty()) return;
		h.section("residuals", "Residuals by site");
		if (before != null) {
			h.p("Each point is one subject: the residual of the covariate model (intercept and " +
				"covariates, no site), averaged over all tested voxels, in the images' intensity " +
				"units (a.u.); points are spread sideways at random to keep them apart. Sites are " +
				"ordered by their " +
				"mean residual before harmonisation, in both plots; boxes span the quartiles, whiskers " +
				"reach 1.5 interquartile ranges. A site effect shows as boxes at different heights.");
			final double[] b = column(before, "mean_residual");
			final String[] site = strings(before, "site");
			final List<String> order = EvidenceFigures.orderByMean(b, site);
			final double[] a = after != null ? column(after, "mean_residual") : null;
			final double[] range = a != null ? EvidenceFigures.range(b, a) : EvidenceFigures.range(b);
			final BufferedImage left = EvidenceFigures.image(EvidenceFigures.boxPlot(pair ?
				"Before harmonisation" : "Residuals", "mean residual (a.u.)", b, site, order, range));
			h.figure(a != null ? EvidenceFigures.sideBySide(left, EvidenceFigures.image(
				EvidenceFigures.boxPlot("After harmonisation", "mean residual (a.u.)", a, site, order,
					range))) : left, "mean residual by site");
		}
		if (!plots.isEmpty()) {
			h.p("Per feature, the residuals of the covariate model by site in the table's units, " +
				"before (left) and after (right), sites ordered by mean residual before" + (nFeatures > plots.size() ? "; the " +
					plots.size() + " of the " + nFeatures + " features with the largest site F before " +
					"harmonisation (all of them are in the per-feature tests below)." : "."));
			for (final Path p : plots)
				h.png(readBytes(p), p.getFileName().toString());
		}
	}

	private static void options(final Html h, final RunRecord json) {
		h.section("options", "Options and version");
		if (json == null) {
			h.p("No run.json was found.");
			return;
		}
		final Map<String, String> flat = new LinkedHashMap<>();
		flatten("", json.tree(), flat);
		final List<String[]> rows = new ArrayList<>();
		for (final Map.Entry<String, String> e : flat.entrySet())
			if (!e.getKey().startsWith("inputs")) rows.add(new String[] { e.getKey(), e.getValue() });
		h.keyValues(rows);
		h.p("Report made " + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").format(ZonedDateTime
			.now()) + " by HarmonIJ " + esc(Version.get()) + ".");
	}

	private static void flatten(final String prefix, final JsonElement value,
		final Map<String, String> out)
	{
		if (value.isJsonObject()) for (final Map.Entry<String, JsonElement> e : value
			.getAsJsonObject().entrySet())
			flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
		else if (value.isJsonArray()) {
			final List<String> items = new ArrayList<>();
			for (final JsonElement e : value.getAsJsonArray()) {
				if (e.isJsonObject()) {
					out.put(prefix, value.getAsJsonArray().size() + " entries");
					return;
				}
				items.add(text(e));
			}
			out.put(prefix, String.join(", ", items));
		}
		else out.put(prefix, value.isJsonNull() ? "" : text(value));
	}

	/** Whole numbers are shown without ".0", as they were written. */
	private static String text(final JsonElement e) {
		if (e.isJsonNull()) return "null";
		if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) return e.isJsonPrimitive()
			? e.getAsString() : e.toString();
		final double d = e.getAsDouble();
		if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
		return String.valueOf(d);
	}

	/** @return the folder's run record, or null if it has none or it cannot be read */
	static RunRecord readRecord(final Path p) {
		if (!Files.exists(p)) return null;
		try {
			return RunRecord.read(new String(Files.readAllBytes(p), StandardCharsets.UTF_8));
		}
		catch (final IOException | RuntimeException e) {
			return null;
		}
	}

	private static CsvTable csvWithFirstColumn(final Path p, final String first) {
		if (!Files.exists(p)) return null;
		final CsvTable t = Csv.read(p);
		return t.nColumns() > 0 && t.header().get(0).equals(first) ? t : null;
	}

	private static String[] row(final CsvTable t, final String key) {
		for (int i = 0; i < t.nRows(); i++)
			if (t.cell(i, 0).equals(key)) return t.row(i);
		return null;
	}

	private static double[] column(final CsvTable t, final String name) {
		final int c = t.column(name);
		final double[] v = new double[t.nRows()];
		for (int i = 0; i < v.length; i++)
			v[i] = parse(t.cell(i, c));
		return v;
	}

	private static String[] strings(final CsvTable t, final String name) {
		final int c = t.column(name);
		final String[] v = new String[t.nRows()];
		for (int i = 0; i < v.length; i++)
			v[i] = t.cell(i, c);
		return v;
	}

	private static double parse(final String s) {
		try {
			return Double.parseDouble(s.trim());
		}
		catch (final NumberFormatException e) {
			return Double.NaN;
		}
	}

	private static String pct(final String s) {
		final double v = parse(s);
		return Double.isNaN(v) ? "&ndash;" : percent(v) + "&nbsp;%";
	}

	private static String num(final String s) {
		final double v = parse(s);
		return Double.isNaN(v) ? esc(s) : esc(rounded(v));
	}

	/**
	 * The report's one rule for numbers: counts as written, percentages to 0.1, anything else to 3
	 * significant digits (trailing zeros kept, 19 as 19.0, so a column reads evenly), in
	 * scientific notation below 0.001 (p values) and as a whole number from 1000.
	 */
	static String rounded(final double v) {
		if (v == 0) return "0";
		final double a = Math.abs(v);
		if (a < 1e-3) return String.format(Locale.ROOT, "%.2e", v);
		if (a >= 1e3) return String.format(Locale.ROOT, "%.0f", v);
		final BigDecimal r = new BigDecimal(v).round(new MathContext(3));
		final int decimals = Math.max(0, 2 - (int) Math.floor(Math.log10(r.abs().doubleValue())));
		return r.setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
	}

	/** @return whether the text is a whole number, as counts are written */
	private static boolean isCount(final String text) {
		return text.trim().matches("-?[0-9]+");
	}

	private static String percent(final double v) {
		return String.format(Locale.ROOT, "%.1f", v);
	}

	private static double percentile(final List<Double> values, final double p) {
		if (values.isEmpty()) return 0;
		final double[] s = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
		return s[(int) Math.min(s.length - 1, Math.floor(p * s.length))];
	}

	private static List<Path> listPng(final Path dir) {
		if (!Files.isDirectory(dir)) return new ArrayList<>();
		try (Stream<Path> s = Files.list(dir)) {
			return s.filter(p -> p.toString().endsWith(".png")).sorted().collect(Collectors.toList());
		}
		catch (final IOException e) {
			return new ArrayList<>();
		}
	}

	private static byte[] readBytes(final Path p) {
		try {
			return Files.readAllBytes(p);
		}
		catch (final IOException e) {
			throw new InputException("Cannot read " + p + ": " + e.getMessage());
		}
	}

	static String esc(final String s) {
		if (s == null) return "";
		return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"",
			"&quot;");
	}

	/** The HTML being written. */
	private static final class Html {

		final StringBuilder sb = new StringBuilder();

		void open(final RunRecord json) {
			final String what = json == null ? "" : json.method() != null ? "Harmonisation (" + json
				.method() + ")" : json.harmonisation() != null ? "Harmonisation of a table (" + json
					.harmonisation().method() + ")" : json.analysis() != null ? json.analysis() : "";
			sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
				.append("<title>HarmonIJ report</title>\n<style>\n").append(CSS).append(
					"</style>\n</head>\n<body>\n<header><h1>HarmonIJ evidence report</h1>\n");
			sb.append("<p class=\"meta\">").append(esc(what));
			if (json != null && json.manifest() != null) sb.append(" &middot; cohort <code>")
				.append(esc(json.manifest())).append("</code>");
			if (json != null && json.table() != null) sb.append(" &middot; table <code>").append(
				esc(json.table())).append("</code>");
			if (json != null && json.harmonised() != null) sb.append(" &middot; harmonised " +
				"<code>").append(esc(json.harmonised())).append("</code>");
			sb.append(" &middot; HarmonIJ ").append(esc(json != null && json.version() != null ? json
				.version() : Version.get())).append("</p></header>\n<main>\n");
		}

		void section(final String id, final String title) {
			sb.append("<h2 id=\"").append(id).append("\">").append(esc(title)).append("</h2>\n");
		}

		void h3(final String title) {
			sb.append("<h3>").append(esc(title)).append("</h3>\n");
		}

		void p(final String text) {
			sb.append("<p>").append(esc(text)).append("</p>\n");
		}

		void code(final String text) {
			sb.append("<pre class=\"cmd\">").append(esc(text)).append("</pre>\n");
		}

		void list(final List<String> htmlItems) {
			sb.append("<ul class=\"glance\">\n");
			for (final String i : htmlItems)
				sb.append("<li>").append(i).append("</li>\n");
			sb.append("</ul>\n");
		}

		/**
		 * A CSV table as HTML, its first {@code maxColumns} columns, numbers {@link #rounded}
		 * (percent columns to 0.1, columns of whole numbers as written).
		 *
		 * @param heading the heading of a column from its name with spaces for _
		 */
		void table(final CsvTable t, final int maxColumns, final UnaryOperator<String> heading) {
			final int nc = Math.min(maxColumns, t.nColumns());
			sb.append("<div class=\"scroll\"><table>\n<thead><tr>");
			for (final String c : t.header().subList(0, nc))
				sb.append("<th>").append(esc(heading.apply(c.replace('_', ' ')))).append("</th>");
			sb.append("</tr></thead>\n<tbody>\n");
			final boolean[] counts = new boolean[nc];
			for (int c = 0; c < nc; c++) {
				counts[c] = true;
				for (int i = 0; i < t.nRows(); i++)
					if (!Double.isNaN(parse(t.cell(i, c))) && !isCount(t.cell(i, c))) counts[c] = false;
			}
			for (int i = 0; i < t.nRows(); i++) {
				sb.append("<tr>");
				for (int c = 0; c < nc; c++) {
					final String cell = t.cell(i, c);
					final double v = parse(cell);
					final boolean number = !Double.isNaN(v) && c > 0;
					final boolean pct = t.header().get(c).contains("percent");
					sb.append(number ? "<td class=\"n\">" : "<td>").append(number ? esc(pct ? percent(v)
						: counts[c] ? cell.trim() : rounded(v)) : esc(cell)).append("</td>");
				}
				sb.append("</tr>\n");
			}
			sb.append("</tbody></table></div>\n");
		}

		void measureTable(final CsvTable t, final boolean table) {
			sb.append("<table>\n<thead><tr><th>Measure</th><th>Before</th><th>After</th></tr>" +
				"</thead>\n<tbody>\n");
			for (final String[] m : MEASURES) {
				final String[] r = row(t, m[0]);
				if (r == null || r[1].isEmpty() && r[2].isEmpty()) continue;
				// q as chosen, the number of features as counted
				final boolean pct = m[0].contains("percent"), asIs = m[0].equals("q") || m[0].equals(
					"features");
				sb.append("<tr><td>").append(esc(table && m.length > 2 ? m[2] : m[1])).append(
					"</td><td class=\"n\">").append(asIs ? esc(r[1]) : cell(r[1], pct)).append(
						"</td><td class=\"n\">").append(asIs ? esc(r[2]) : cell(r[2], pct)).append(
							"</td></tr>\n");
			}
			sb.append("</tbody></table>\n");
		}

		void keyValues(final List<String[]> rows) {
			sb.append("<div class=\"scroll\"><table class=\"kv\">\n<tbody>\n");
			for (final String[] r : rows)
				sb.append("<tr><th>").append(esc(r[0])).append("</th><td><code>").append(esc(r[1]))
					.append("</code></td></tr>\n");
			sb.append("</tbody></table></div>\n");
		}

		void figure(final BufferedImage img, final String alt) {
			png(EvidenceFigures.png(img), alt);
		}

		void png(final byte[] bytes, final String alt) {
			sb.append("<figure><img alt=\"").append(esc(alt)).append(
				"\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(bytes))
				.append("\"></figure>\n");
		}

		String close() {
			sb.append("</main>\n</body>\n</html>\n");
			return sb.toString();
		}

		private static String cell(final String s, final boolean pct) {
			final double v = parse(s);
			return Double.isNaN(v) ? esc(s) : esc(pct ? percent(v) : rounded(v));
		}
	}

	private static final String CSS = "body{font-family:-apple-system,'Segoe UI',Helvetica,Arial," +
		"sans-serif;color:#222;max-width:1140px;margin:0 auto;padding:16px 40px 48px;line-height:1.45}" +
		"\n@page{margin:18mm}\n@media print{body{padding:0}}" +
		"\nheader{border-bottom:3px solid #b5452c;margin-bottom:8px}\nh1{font-size:28px;margin:24px " +
		"0 4px}\n.meta{color:#555;margin:0 0 12px}\nh2{font-size:21px;margin:32px 0 8px;border-bottom:" +
		"1px solid #ddd;padding-bottom:4px}\nh3{font-size:16px;margin:20px 0 6px}\np{max-width:860px}" +
		"\ntable{border-collapse:collapse;font-size:14px;margin:8px 0}\nth,td{border:1px solid #ccc;" +
		"padding:4px 9px;text-align:left}\nthead th{background:#f3f0ee}\ntd.n{text-align:right;" +
		"font-variant-numeric:tabular-nums;white-space:nowrap}\ntable.kv th{background:#f8f8f8;font-weight:normal;" +
		"color:#444}\n.scroll{overflow-x:auto}\nfigure{margin:6px 0}\nimg{max-width:100%;height:" +
		"auto;display:block}\nul.glance{font-size:16px;background:#fbf7f4;border-left:4px solid " +
		"#b5452c;padding:10px 10px 10px 32px}\ncode{font-size:13px;word-break:break-all}\n" +
		"pre.cmd{background:#f6f6f6;border:1px solid #ddd;padding:8px 12px;white-space:pre-wrap;" +
		"word-break:break-all;font-size:13px}\n";
}

// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import io.github.harmonij.core.InputException;

/**
 * Reads and writes CSV files (RFC 4180), written by hand so that every problem can be reported
 * with the file name and line.
 * <p>
 * Reading accepts: fields in double quotes, with {@code ""} for a quote and delimiters or line
 * breaks inside; CRLF, LF or CR line ends; UTF-8 with or without a byte-order mark, and UTF-16 with
 * a byte-order mark (Excel's "Unicode text"). The delimiter is a comma, unless the header line has
 * no comma but has tabs or semicolons (European Excel), in which case the more frequent of those
 * two is used. Lenient where spreadsheets are sloppy: blank lines and rows of empty cells are
 * skipped (a trailing empty line is fine), spaces around a quoted field are ignored, extra empty
 * cells at the end of a row are dropped, and a quote inside an unquoted field is kept as text.
 * Header names are trimmed; cells are kept as written.
 * <p>
 * Writing quotes a field only when it needs it (delimiter, quote, line break, or leading or
 * trailing space), ends lines with CRLF as RFC 4180 says, writes UTF-8 without a byte-order mark,
 * and never overwrites: the text goes to a temporary file in the target folder which is then
 * published under the final name atomically (a hard link, or a rename where links are not
 * supported), refusing if the name exists.
 * <p>
 * Numbers: {@link #formatDouble(double)} writes every double so that it parses back to the same
 * bits; {@link #parseNumber(String)} accepts plain decimal numbers only.
 */
public final class Csv {

	/** Plain decimal numbers with an optional exponent; no hex, no "NaN", no "1d" suffixes. */
	private static final Pattern NUMBER = Pattern.compile(
		"[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

	private static final Pattern DECIMAL_COMMA = Pattern.compile("[+-]?\\d*,\\d+");

	/** Longest problem list shown; the rest are counted. */
	private static final int MAX_PROBLEMS = 100;

	private static final int FIELD = 0;

	private static final int QUOTED = 1;

	private static final int AFTER_QUOTE = 2;

	private Csv() {}

	// -- Reading --

	/**
	 * Reads a CSV file.
	 *
	 * @param file the file to read
	 * @return the table; its name for messages is the file name
	 * @throws InputException if the file is missing or unreadable, is not UTF-8 text, is empty, has
	 *           an unterminated quote, a duplicate column name, or rows whose number of fields
	 *           differs from the header (all such problems listed together)
	 */
	public static CsvTable read(final Path file) {
		final String name = nameOf(file);
		if (Files.isDirectory(file)) throw new InputException(file +
			" is a folder, not a CSV file. Choose the CSV file itself.");
		final byte[] bytes;
		try {
			bytes = Files.readAllBytes(file);
		}
		catch (final NoSuchFileException e) {
			throw new InputException(file.toAbsolutePath() +
				" was not found. Check the folder and the file name.", e);
		}
		catch (final AccessDeniedException e) {
			throw new InputException(file.toAbsolutePath() +
				" cannot be read (permission denied). Check the file's permissions.", e);
		}
		catch (final IOException e) {
			throw new InputException(file.toAbsolutePath() + " cannot be read: " + e.getMessage(),
				e);
		}
		return parse(decode(bytes, name), name);
	}

	/**
	 * Parses CSV text already in memory (see the class description for the accepted dialect).
	 *
	 * @param text the whole file
	 * @param name the file name to use in messages
	 * @throws InputException as {@link #read(Path)}
	 */
	public static CsvTable parse(final String text, final String name) {
		final char delim = detectDelimiter(text);
		final List<String> problems = new ArrayList<>();
		final List<String[]> records = new ArrayList<>();
		final List<Integer> recordLines = new ArrayList<>();
		final List<String> fields = new ArrayList<>();
		final StringBuilder f = new StringBuilder();
		final int n = text.length();
		int line = 1;
		int recordLine = 1;
		int quoteLine = 0;
		int state = FIELD;
		boolean quoted = false;
		for (int i = 0; i < n; i++) {
			final char c = text.charAt(i);
			final boolean crlf = c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n';
			if (state == QUOTED) {
				if (c == '"') {
					if (i + 1 < n && text.charAt(i + 1) == '"') {
						f.append('"');
						i++;
					}
					else state = AFTER_QUOTE;
				}
				else {
					f.append(c);
					if (c == '\n' || c == '\r' && !crlf) line++;
				}
				continue;
			}
			if (c == delim) {
				fields.add(f.toString());
				f.setLength(0);
				state = FIELD;
			}
			else if (c == '\r' || c == '\n') {
				fields.add(f.toString());
				f.setLength(0);
				addRecord(records, recordLines, fields, quoted, recordLine);
				fields.clear();
				quoted = false;
				state = FIELD;
				if (crlf) i++;
				line++;
				recordLine = line;
			}
			else if (state == AFTER_QUOTE) {
				if (c == ' ' || c == '\t') continue;
				problems.add(name + " line " + line + ": text after the closing quote of field " +
					(fields.size() + 1) +
					". A quote inside a quoted field must be doubled (\"\"); fix the quotes.");
				f.append(c);
				state = FIELD;
			}
			else if (c == '"' && f.toString().isBlank()) {
				// spaces before an opening quote are padding, not content
				f.setLength(0);
				state = QUOTED;
				quoted = true;
				quoteLine = line;
			}
			else f.append(c);
		}
		if (state == QUOTED) {
			problems.add(name + " line " + quoteLine + ": unterminated quoted field (the quote " +
				"that opens field " + (fields.size() + 1) +
				" is never closed). Add the closing quote or remove the opening one.");
		}
		else if (f.length() > 0 || !fields.isEmpty() || quoted) {
			fields.add(f.toString());
			addRecord(records, recordLines, fields, quoted, recordLine);
		}
		if (!problems.isEmpty()) throwProblems(name, problems, "nothing was read");
		if (records.isEmpty()) throw new InputException(name +
			" is empty; it needs a header line naming the columns, then one row per subject.");
		return table(name, records, recordLines, delim);
	}

	// -- Writing --

	/**
	 * Writes a comma-separated file; see {@link #write(Path, List, List, char)}.
	 */
	public static void write(final Path file, final List<String> header,
		final List<String[]> rows)
	{
		write(file, header, rows, ',');
	}

	/**
	 * Writes a new CSV file: UTF-8 without a byte-order mark, CRLF line ends, fields quoted only
	 * when needed. A null cell is written empty. The file appears complete or not at all.
	 *
	 * @param file the new file; its folder must exist
	 * @param header column names
	 * @param rows cells, each array as long as the header
	 * @param delimiter ',', ';' or '\t'
	 * @throws InputException if the file already exists (nothing is overwritten), the folder does
	 *           not exist, or the file cannot be written
	 */
	public static void write(final Path file, final List<String> header, final List<String[]> rows,
		final char delimiter)
	{
		final StringBuilder sb = new StringBuilder();
		appendLine(sb, header.toArray(new String[0]), delimiter);
		for (final String[] r : rows) {
			if (r.length != header.size()) throw new IllegalArgumentException("row has " +
				r.length + " cells, header " + header.size());
			appendLine(sb, r, delimiter);
		}
		writeNew(file, sb.toString().getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Writes bytes to a new file, never overwriting: temporary file in the same folder, then an
	 * atomic hard link (or, where the file system has no links, a rename that fails if the name
	 * exists).
	 */
	public static void writeNew(final Path file, final byte[] bytes) {
		final Path target = file.toAbsolutePath();
		if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) throw alreadyExists(file, null);
		final Path dir = target.getParent();
		if (dir == null || !Files.isDirectory(dir)) throw new InputException("The folder " + dir +
			" does not exist; create it or choose another place for " + target.getFileName() +
			" (nothing was written).");
		Path tmp = null;
		try {
			tmp = dir.resolve("." + target.getFileName() + "." +
				Long.toHexString(new Random().nextLong() & Long.MAX_VALUE) + ".tmp");
			// createTempFile would make the file private (0600); a plain new file gets the umask
			Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
			publish(tmp, target, file);
		}
		catch (final AccessDeniedException e) {
			throw new InputException("Cannot write in " + dir +
				" (permission denied); choose another output folder (nothing was written).", e);
		}
		catch (final IOException e) {
			throw new InputException(file + " could not be written: " + WriteFailures.explain(e), e);
		}
		finally {
			if (tmp != null) try {
				Files.deleteIfExists(tmp);
			}
			catch (final IOException e) {
				// the temporary file stays behind; the output itself is complete
			}
		}
	}

	// -- Numbers --

	/**
	 * Formats a double so that {@link Double#parseDouble} gives back the same bits: integral values
	 * below 1e15 in magnitude are written without a decimal point ("1234", not "1234.0"),
	 * everything else with {@link Double#toString(double)} (which round-trips on every Java; from
	 * Java 19 it is also the shortest such text). Negative zero stays "-0.0"; NaN and infinities
	 * are written as Java names them.
	 */
	public static String formatDouble(final double d) {
		if (d == Math.rint(d) && Math.abs(d) < 1e15 && (d != 0 || 1 / d > 0))
			return Long.toString((long) d);
		return Double.toString(d);
	}

	/**
	 * Parses a cell as a finite decimal number, after trimming spaces. Accepts "12", "-0.5",
	 * ".5", "1e-3", "+2.50E+2"; rejects the empty string, "NA", "NaN", "Inf", hexadecimal, decimal
	 * commas and numbers too large for a double.
	 *
	 * @return the value, or NaN if the cell is not a finite decimal number
	 */
	public static double parseNumber(final String cell) {
		if (cell == null) return Double.NaN;
		final String s = cell.trim();
		if (!NUMBER.matcher(s).matches()) return Double.NaN;
		final double d = Double.parseDouble(s);
		return Double.isInfinite(d) ? Double.NaN : d;
	}

	/**
	 * @return true for cells that mean "no value": empty or blank, "NA", "N/A", "NaN", "NULL"
	 *         (any case)
	 */
	public static boolean isMissing(final String cell) {
		if (cell == null) return true;
		final String s = cell.trim();
		return s.isEmpty() || s.equalsIgnoreCase("NA") || s.equalsIgnoreCase("N/A") || s
			.equalsIgnoreCase("NaN") || s.equalsIgnoreCase("NULL");
	}

	/** @return a short hint on why a cell is not a number ("" if none applies) */
	public static String numberHint(final String cell) {
		final String s = cell == null ? "" : cell.trim();
		if (DECIMAL_COMMA.matcher(s).matches()) return " (use a decimal point, not a comma)";
		return "";
	}

	// -- Helpers shared by the package --

	/** @return the file name for messages, e.g. "cohort.csv" */
	static String nameOf(final Path file) {
		final Path n = file.getFileName();
		return n == null ? file.toString() : n.toString();
	}

	/** @return a spreadsheet column letter: 0 is A, 25 is Z, 26 is AA */
	public static String columnLetter(final int col) {
		final StringBuilder sb = new StringBuilder();
		for (int c = col + 1; c > 0; c = (c - 1) / 26)
			sb.insert(0, (char) ('A' + (c - 1) % 26));
		return sb.toString();
	}

	/**
	 * Throws one {@link InputException} listing the problems (at most {@value #MAX_PROBLEMS}; the
	 * rest are counted), if there are any.
	 *
	 * @param consequence e.g. "nothing was read"
	 */
	public static void throwProblems(final String name, final List<String> problems,
		final String consequence)
	{
		if (problems.isEmpty()) return;
		if (problems.size() == 1) throw new InputException(problems.get(0));
		final List<String> shown = new ArrayList<>(problems.subList(0, Math.min(MAX_PROBLEMS,
			problems.size())));
		if (problems.size() > MAX_PROBLEMS) shown.add("... and " + (problems.size() -
			MAX_PROBLEMS) + " more problems.");
		InputException.throwIfAny(name + " has " + problems.size() +
			" problems; fix them and try again (" + consequence + "):", shown);
	}

	static InputException alreadyExists(final Path file, final Throwable cause) {
		return new InputException(file +
			" already exists; choose another name or folder (nothing was overwritten).", cause);
	}

	// -- Helper methods --

	private static void publish(final Path tmp, final Path target, final Path asGiven)
		throws IOException
	{
		try {
			Files.createLink(target, tmp);
			return;
		}
		catch (final FileAlreadyExistsException e) {
			throw alreadyExists(asGiven, e);
		}
		catch (final UnsupportedOperationException | IOException e) {
			// no hard links on this file system (FAT, some network shares): rename instead
		}
		try {
			Files.move(tmp, target);
		}
		catch (final FileAlreadyExistsException e) {
			throw alreadyExists(asGiven, e);
		}
	}

	private static String decode(final byte[] b, final String name) {
		if (b.length >= 2 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xfe)
			return new String(b, 2, b.length - 2, StandardCharsets.UTF_16LE);
		if (b.length >= 2 && (b[0] & 0xff) == 0xfe && (b[1] & 0xff) == 0xff)
			return new String(b, 2, b.length - 2, StandardCharsets.UTF_16BE);
		final int off = b.length >= 3 && (b[0] & 0xff) == 0xef && (b[1] & 0xff) == 0xbb &&
			(b[2] & 0xff) == 0xbf ? 3 : 0;
		final CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(
			CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
		final ByteBuffer in = ByteBuffer.wrap(b, off, b.length - off);
		final CharBuffer out = CharBuffer.allocate(b.length - off);
		CoderResult r = d.decode(in, out, true);
		if (!r.isError()) r = d.flush(out);
		if (r.isError()) {
			int line = 1;
			for (int i = 0; i < in.position(); i++)
				if (b[i] == '\n') line++;
			throw new InputException(name + " line " + line + ": not UTF-8 text (it may have " +
				"been saved as Windows-1252 or Latin-1). Save it as \"CSV UTF-8\" and try again.");
		}
		out.flip();
		return out.toString();
	}

	private static char detectDelimiter(final String text) {
		int commas = 0;
		int tabs = 0;
		int semis = 0;
		for (int i = 0; i < text.length(); i++) {
			final char c = text.charAt(i);
			if (c == '\n' || c == '\r') break;
			if (c == ',') commas++;
			else if (c == '\t') tabs++;
			else if (c == ';') semis++;
		}
		if (commas > 0 || tabs + semis == 0) return ',';
		return tabs >= semis ? '\t' : ';';
	}

	private static void addRecord(final List<String[]> records, final List<Integer> lines,
		final List<String> fields, final boolean quoted, final int line)
	{
		if (!quoted) {
			boolean blank = true;
			for (final String s : fields)
				blank &= s.isBlank();
			if (blank) return; // a blank line, or a row of empty cells left by a spreadsheet
		}
		records.add(fields.toArray(new String[0]));
		lines.add(line);
	}

	private static CsvTable table(final String name, final List<String[]> records,
		final List<Integer> recordLines, final char delim)
	{
		final List<String> problems = new ArrayList<>();
		final String[] h = records.get(0);
		final List<String> header = new ArrayList<>();
		for (final String s : h)
			header.add(s.trim());
		for (int c = 0; c < header.size(); c++) {
			final String s = header.get(c);
			final int first = header.indexOf(s);
			if (!s.isEmpty() && first < c && header.subList(first + 1, c).indexOf(s) < 0)
				problems.add(name + " line " + recordLines.get(0) + ": column \"" + s +
					"\" appears twice in the header (columns " + (first + 1) + " (" + columnLetter(
						first) + ") and " + (c + 1) + " (" + columnLetter(c) +
					")). Rename or delete one.");
		}
		final List<String[]> rows = new ArrayList<>();
		final int[] lines = new int[records.size() - 1];
		for (int r = 1; r < records.size(); r++) {
			String[] f = records.get(r);
			final int line = recordLines.get(r);
			lines[r - 1] = line;
			if (f.length > h.length && allBlank(f, h.length)) f = Arrays.copyOf(f,
				h.length);
			if (f.length != h.length) {
				problems.add(name + " row " + line + " has " + f.length + " fields but the " +
					"header has " + h.length + ". Check for a missing or extra '" + (delim == '\t'
						? "tab" : String.valueOf(delim)) + "'; a value that contains one must be " +
					"in double quotes.");
				f = Arrays.copyOf(f, h.length);
			}
			rows.add(f);
		}
		throwProblems(name, problems, "nothing was read");
		return new CsvTable(name, header, rows, lines, delim);
	}

	private static boolean allBlank(final String[] f, final int from) {
		for (int i = from; i < f.length; i++)
			if (!f[i].isBlank()) return false;
		return true;
	}

	private static void appendLine(final StringBuilder sb, final String[] cells,
		final char delim)
	{
		// readers skip rows of blank cells, so such a row quotes its first cell to survive
		final boolean blankRow = allBlank(nullToEmpty(cells), 0);
		for (int i = 0; i < cells.length; i++) {
			if (i > 0) sb.append(delim);
			final String s = cells[i] == null ? "" : cells[i];
			if (needsQuotes(s, delim) || blankRow && i == 0) sb.append('"').append(s.replace("\"",
				"\"\"")).append('"');
			else sb.append(s);
		}
		sb.append("\r\n");
	}

	private static String[] nullToEmpty(final String[] cells) {
		final String[] out = new String[cells.length];
		for (int i = 0; i < cells.length; i++)
			out[i] = cells[i] == null ? "" : cells[i];
		return out;
	}

	private static boolean needsQuotes(final String s, final char delim) {
		if (s.isEmpty()) return false;
		if (Character.isWhitespace(s.charAt(0)) || Character.isWhitespace(s.charAt(s.length() -
			1))) return true;
		for (int i = 0; i < s.length(); i++) {
			final char c = s.charAt(i);
			if (c == delim || c == '"' || c == '\r' || c == '\n') return true;
		}
		return false;
	}
}

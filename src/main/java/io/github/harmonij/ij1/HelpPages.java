// SPDX-License-Identifier: MIT
package io.github.harmonij.ij1;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Help button of a command's dialog: the command's section of docs/commands.md, which the
 * jar carries ({@code /docs/commands.md}), as HTML for ImageJ's {@code HTMLDialog}. Read from the
 * jar, it works offline and always matches the installed version, where a link to the project's
 * web page would need a network and might describe another version.
 * <p>
 * docs/commands.md is generated ({@code CommandsDoc}), so only the Markdown it uses is converted:
 * {@code ## } headings, paragraphs, {@code * } lists, pipe tables, fenced code, and inline
 * {@code `code`}, {@code **bold**} and {@code [text](link)} (shown as text: a link to another
 * page of docs/ would lead nowhere inside the dialog).
 */
final class HelpPages {

	/** Where the build puts docs/commands.md in the jar. */
	static final String RESOURCE = "/docs/commands.md";

	private static final Pattern CODE = Pattern.compile("`([^`]*)`");

	private static final Pattern BOLD = Pattern.compile("\\*\\*(.+?)\\*\\*");

	private static final Pattern LINK = Pattern.compile("\\[([^\\]]*)\\]\\([^)]*\\)");

	private HelpPages() {}

	/**
	 * @param label the command's menu label, its section's heading
	 * @return the section as an HTML page (starting with {@code <html>}, as GenericDialog's
	 *         {@code addHelp} wants it to show it in a dialog), or null if the jar has no such
	 *         section
	 */
	static String html(final String label) {
		final List<String> section = section(read(), label);
		return section == null ? null : toHtml(section);
	}

	/** @return the lines from {@code ## label} up to the next {@code ## }, or null */
	static List<String> section(final String markdown, final String label) {
		if (markdown == null) return null;
		List<String> lines = null;
		for (final String line : markdown.split("\n", -1)) {
			if (line.startsWith("## ")) {
				if (lines != null) break;
				if (line.substring(3).trim().equals(label)) lines = new ArrayList<>();
			}
			if (lines != null) lines.add(line);
		}
		return lines;
	}

	/** Converts the Markdown of one section to HTML. */
	static String toHtml(final List<String> lines) {
		final StringBuilder sb = new StringBuilder("<html><body style=\"font-family:sans-serif\">\n");
		int i = 0;
		while (i < lines.size()) {
			final String line = lines.get(i);
			if (line.startsWith("## ")) {
				sb.append("<h2>").append(inline(line.substring(3))).append("</h2>\n");
				i++;
			}
			else if (line.startsWith("```")) {
				sb.append("<pre>");
				for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++)
					sb.append(esc(lines.get(i))).append('\n');
				sb.append("</pre>\n");
				i++;
			}
			else if (line.startsWith("* ")) {
				sb.append("<ul>\n");
				for (; i < lines.size() && lines.get(i).startsWith("* "); i++)
					sb.append("<li>").append(inline(lines.get(i).substring(2))).append("</li>\n");
				sb.append("</ul>\n");
			}
			else if (line.startsWith("|")) {
				sb.append("<table border=\"1\" cellspacing=\"0\" cellpadding=\"3\">\n");
				boolean head = true;
				for (; i < lines.size() && lines.get(i).startsWith("|"); i++) {
					final List<String> cells = cells(lines.get(i));
					if (cells.stream().allMatch(c -> c.matches("-+"))) continue; // |---|---|
					sb.append("<tr>");
					for (final String c : cells)
						sb.append(head ? "<th align=\"left\">" : "<td>").append(inline(c)).append(head
							? "</th>" : "</td>");
					sb.append("</tr>\n");
					head = false;
				}
				sb.append("</table>\n");
			}
			else if (line.trim().isEmpty()) i++;
			else {
				sb.append("<p>");
				for (; i < lines.size() && isText(lines.get(i)); i++)
					sb.append(inline(lines.get(i))).append(' ');
				sb.append("</p>\n");
			}
		}
		return sb.append("</body></html>").toString();
	}

	// -- Helper methods --

	private static boolean isText(final String line) {
		return !line.trim().isEmpty() && !line.startsWith("## ") && !line.startsWith("```") &&
			!line.startsWith("* ") && !line.startsWith("|");
	}

	/** The cells of a table row; {@code \|} is a pipe inside a cell. */
	private static List<String> cells(final String row) {
		final List<String> cells = new ArrayList<>();
		final String inner = row.trim().replaceAll("^\\|", "").replaceAll("(?<!\\\\)\\|$", "");
		for (final String c : inner.split("(?<!\\\\)\\|", -1))
			cells.add(c.trim().replace("\\|", "|"));
		return cells;
	}

	/** Escapes the text, then turns inline code, bold and links into HTML. */
	private static String inline(final String text) {
		final StringBuilder sb = new StringBuilder();
		final Matcher m = CODE.matcher(text);
		int at = 0;
		while (m.find()) {
			sb.append(emphasis(esc(text.substring(at, m.start())))).append("<code>").append(esc(m
				.group(1))).append("</code>");
			at = m.end();
		}
		return sb.append(emphasis(esc(text.substring(at)))).toString();
	}

	private static String emphasis(final String escaped) {
		return LINK.matcher(BOLD.matcher(escaped).replaceAll("<b>$1</b>")).replaceAll("$1");
	}

	private static String esc(final String s) {
		return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}

	private static String read() {
		try (InputStream in = HelpPages.class.getResourceAsStream(RESOURCE)) {
			return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (final IOException e) {
			return null;
		}
	}
}

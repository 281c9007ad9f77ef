// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.harmonij.core.InputException;

/**
 * The option strings of ImageJ macros, {@code key=value key=[value with spaces] flag}, parsed and
 * written the way ImageJ 1.x's {@code Macro.getValue} and the macro recorder do. One vocabulary
 * serves dialogs, macros, {@code harmonij run} and the command line.
 */
public final class MacroOptions {

	private MacroOptions() {}

	/**
	 * Parses an option string. A key without {@code =} is a checkbox that is on: its value is
	 * "true". Keys are kept as written (ImageJ keys are lower case).
	 *
	 * @throws InputException for an unclosed {@code [}
	 */
	public static Map<String, String> parse(final String options) {
		final Map<String, String> map = new LinkedHashMap<>();
		if (options == null) return map;
		final String s = options.trim();
		int i = 0;
		while (i < s.length()) {
			while (i < s.length() && Character.isWhitespace(s.charAt(i)))
				i++;
			if (i >= s.length()) break;
			final int keyStart = i;
			while (i < s.length() && s.charAt(i) != '=' && !Character.isWhitespace(s.charAt(i)))
				i++;
			final String key = s.substring(keyStart, i);
			if (i >= s.length() || s.charAt(i) != '=') {
				map.put(key, "true");
				continue;
			}
			i++; // '='
			final String value;
			if (i < s.length() && s.charAt(i) == '[') {
				final int close = s.indexOf(']', i + 1);
				if (close < 0) throw new InputException("Option \"" + key +
					"\": the value starting with [ has no closing ]. Write " + key + "=[value].");
				value = s.substring(i + 1, close);
				i = close + 1;
			}
			else {
				final int valueStart = i;
				while (i < s.length() && !Character.isWhitespace(s.charAt(i)))
					i++;
				value = s.substring(valueStart, i);
			}
			map.put(key, value);
		}
		return map;
	}

	/**
	 * Writes options as a macro recorder would: values with spaces or brackets in {@code [...]},
	 * true booleans as a bare key, false booleans and empty values left out.
	 */
	public static String format(final Map<String, ?> options) {
		final StringBuilder sb = new StringBuilder();
		for (final Map.Entry<String, ?> e : options.entrySet()) {
			final Object v = e.getValue();
			if (v == null) continue;
			final String text = v.toString();
			if (v instanceof Boolean) {
				if ((Boolean) v) append(sb, e.getKey());
				continue;
			}
			if (text.isEmpty()) continue;
			final boolean bracket = text.contains(" ") || text.contains("[") || text.contains("=");
			append(sb, e.getKey() + "=" + (bracket ? "[" + text + "]" : text));
		}
		return sb.toString();
	}

	private static void append(final StringBuilder sb, final String token) {
		if (sb.length() > 0) sb.append(' ');
		sb.append(token);
	}
}

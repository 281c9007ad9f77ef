// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader for HarmonIJ's own files (run.json, model.json) and reference files.
 * Objects become {@code LinkedHashMap<String, Object>}, arrays {@code ArrayList<Object>}, numbers
 * {@code Double}, plus String, Boolean and null. Accepts Python's {@code NaN}, {@code Infinity}
 * and {@code -Infinity} tokens, which {@code json.dump} writes for non-finite floats.
 */
public final class JsonReader {

	private final String s;
	private int pos;

	private JsonReader(final String s) {
		this.s = s;
	}

	/**
	 * @return the value of a JSON text
	 * @throws IllegalArgumentException naming the position of a syntax error
	 */
	public static Object parse(final String text) {
		final JsonReader j = new JsonReader(text);
		final Object v = j.value();
		j.space();
		if (j.pos != text.length()) throw j.error("trailing characters");
		return v;
	}

	private Object value() {
		space();
		if (pos >= s.length()) throw error("unexpected end");
		final char c = s.charAt(pos);
		switch (c) {
			case '{': return object();
			case '[': return array();
			case '"': return string();
			case 't': return literal("true", Boolean.TRUE);
			case 'f': return literal("false", Boolean.FALSE);
			case 'n': return literal("null", null);
			case 'N': return literal("NaN", Double.NaN);
			case 'I': return literal("Infinity", Double.POSITIVE_INFINITY);
			default: return number();
		}
	}

	private Map<String, Object> object() {
		final Map<String, Object> m = new LinkedHashMap<>();
		pos++;
		space();
		if (s.charAt(pos) == '}') {
			pos++;
			return m;
		}
		while (true) {
			space();
			final String key = string();
			space();
			expect(':');
			m.put(key, value());
			space();
			if (s.charAt(pos) == ',') {
				pos++;
				continue;
			}
			expect('}');
			return m;
		}
	}

	private List<Object> array() {
		final List<Object> list = new ArrayList<>();
		pos++;
		space();
		if (s.charAt(pos) == ']') {
			pos++;
			return list;
		}
		while (true) {
			list.add(value());
			space();
			if (s.charAt(pos) == ',') {
				pos++;
				continue;
			}
			expect(']');
			return list;
		}
	}

	private String string() {
		expect('"');
		final StringBuilder sb = new StringBuilder();
		while (true) {
			final char c = s.charAt(pos++);
			if (c == '"') return sb.toString();
			if (c != '\\') {
				sb.append(c);
				continue;
			}
			final char e = s.charAt(pos++);
			switch (e) {
				case 'n': sb.append('\n'); break;
				case 't': sb.append('\t'); break;
				case 'r': sb.append('\r'); break;
				case 'b': sb.append('\b'); break;
				case 'f': sb.append('\f'); break;
				case 'u':
					sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
					pos += 4;
					break;
				default: sb.append(e);
			}
		}
	}

	private Double number() {
		if (s.startsWith("-Infinity", pos)) {
			pos += 9;
			return Double.NEGATIVE_INFINITY;
		}
		final int start = pos;
		while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0)
			pos++;
		if (start == pos) throw error("unexpected character '" + s.charAt(pos) + "'");
		return Double.parseDouble(s.substring(start, pos));
	}

	private Object literal(final String word, final Object v) {
		if (!s.startsWith(word, pos)) throw error("expected " + word);
		pos += word.length();
		return v;
	}

	private void expect(final char c) {
		if (pos >= s.length() || s.charAt(pos) != c) throw error("expected '" + c + "'");
		pos++;
	}

	private void space() {
		while (pos < s.length() && Character.isWhitespace(s.charAt(pos)))
			pos++;
	}

	private IllegalArgumentException error(final String what) {
		return new IllegalArgumentException("JSON: " + what + " at offset " + pos);
	}
}

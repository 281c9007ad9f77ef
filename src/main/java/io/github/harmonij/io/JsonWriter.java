// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.util.Collection;
import java.util.Map;

/**
 * Writes JSON text from maps, lists, strings, numbers and booleans (enough for run.json and model
 * files; a reader comes with saved models). Doubles are written so that they
 * read back to the same bits; non-finite numbers become null.
 */
public final class JsonWriter {

	private JsonWriter() {}

	/** @return {@code value} as indented JSON text */
	public static String write(final Object value) {
		final StringBuilder sb = new StringBuilder();
		write(sb, value, 0);
		return sb.append('\n').toString();
	}

	private static void write(final StringBuilder sb, final Object v, final int indent) {
		if (v == null) sb.append("null");
		else if (v instanceof String) string(sb, (String) v);
		else if (v instanceof Boolean) sb.append(v);
		else if (v instanceof Double || v instanceof Float) {
			final double d = ((Number) v).doubleValue();
			sb.append(Double.isFinite(d) ? Double.toString(d) : "null");
		}
		else if (v instanceof Number) sb.append(v);
		else if (v instanceof Map) {
			final Map<?, ?> map = (Map<?, ?>) v;
			if (map.isEmpty()) {
				sb.append("{}");
				return;
			}
			sb.append("{\n");
			int i = 0;
			for (final Map.Entry<?, ?> e : map.entrySet()) {
				pad(sb, indent + 1);
				string(sb, String.valueOf(e.getKey()));
				sb.append(": ");
				write(sb, e.getValue(), indent + 1);
				sb.append(++i < map.size() ? ",\n" : "\n");
			}
			pad(sb, indent);
			sb.append('}');
		}
		else if (v instanceof Collection || v.getClass().isArray()) {
			final Object[] items = v instanceof Collection ? ((Collection<?>) v).toArray() : box(v);
			final boolean flat = items.length == 0 || !(items[0] instanceof Map ||
				items[0] instanceof Collection);
			sb.append('[');
			for (int i = 0; i < items.length; i++) {
				if (!flat) {
					sb.append('\n');
					pad(sb, indent + 1);
				}
				write(sb, items[i], indent + 1);
				if (i + 1 < items.length) sb.append(flat ? ", " : ",");
			}
			if (!flat) {
				sb.append('\n');
				pad(sb, indent);
			}
			sb.append(']');
		}
		else string(sb, v.toString());
	}

	private static Object[] box(final Object array) {
		final int n = java.lang.reflect.Array.getLength(array);
		final Object[] out = new Object[n];
		for (int i = 0; i < n; i++)
			out[i] = java.lang.reflect.Array.get(array, i);
		return out;
	}

	private static void pad(final StringBuilder sb, final int indent) {
		for (int i = 0; i < indent; i++)
			sb.append("  ");
	}

	private static void string(final StringBuilder sb, final String s) {
		sb.append('"');
		for (int i = 0; i < s.length(); i++) {
			final char c = s.charAt(i);
			switch (c) {
				case '"':
					sb.append("\\\"");
					break;
				case '\\':
					sb.append("\\\\");
					break;
				case '\n':
					sb.append("\\n");
					break;
				case '\r':
					sb.append("\\r");
					break;
				case '\t':
					sb.append("\\t");
					break;
				default:
					if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
					else sb.append(c);
			}
		}
		sb.append('"');
	}
}

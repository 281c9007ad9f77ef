// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;

import io.github.harmonij.core.InputException;

/**
 * JSON text of HarmonIJ's files (run.json, model.json, simulation.json) and of reference files,
 * with gson set up so that the files hold what they always have:
 * <ul>
 * <li>doubles are written with {@link Double#toString}, so they read back to the same bits, and
 * non-finite ones become {@code null} (JSON has no NaN);</li>
 * <li>map entries whose value is null are written (a run without a mask says {@code "mask":
 * null}), and text is not HTML-escaped (paths keep their {@code &} and {@code =});</li>
 * <li>read without a type, objects become ordered maps ({@code Map<String, Object>}), arrays
 * lists, and every number a {@code Double}. Python's {@code NaN}, {@code Infinity} and
 * {@code -Infinity} tokens, which {@code json.dump} writes for non-finite floats, are accepted:
 * they read as those words (text), or as the double into a {@code double} field.</li>
 * </ul>
 * Thread-safe, like the {@link Gson} it holds.
 */
public final class Json {

	/**
	 * Doubles as before: {@link Double#toString}, and null for NaN and the infinities, which reads
	 * back as null (boxed) or NaN (a {@code double} field).
	 */
	private static final class Doubles extends TypeAdapter<Double> {

		private final Double nullAs;

		Doubles(final Double nullAs) {
			this.nullAs = nullAs;
		}

		@Override
		public void write(final JsonWriter out, final Double value) throws IOException {
			if (value == null) out.nullValue(); // left out where null fields are
			else if (Double.isFinite(value)) out.value(value.doubleValue());
			else {
				// a value, not an absent field: written as null even where null fields are left out
				final boolean before = out.getSerializeNulls();
				out.setSerializeNulls(true);
				out.nullValue();
				out.setSerializeNulls(before);
			}
		}

		@Override
		public Double read(final JsonReader in) throws IOException {
			if (in.peek() != JsonToken.NULL) return in.nextDouble();
			in.nextNull();
			return nullAs;
		}
	}

	private static final Gson GSON = builder().serializeNulls().create();

	private Json() {}

	/**
	 * @return a gson builder with HarmonIJ's layout and doubles (see the class description), for
	 *         a typed file (run.json, model.json) that adds its own naming and adapters; null
	 *         fields are left out unless the builder serialises nulls, but a NaN is written as
	 *         null in any case
	 */
	public static GsonBuilder builder() {
		return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().registerTypeAdapter(
			Double.class, new Doubles(null)).registerTypeAdapter(double.class, new Doubles(
				Double.NaN));
	}

	/**
	 * @param value maps, collections, arrays, strings, numbers and booleans (a
	 *          {@link RunRecord} has its own layout)
	 * @return {@code value} as indented JSON text ending in a line break
	 */
	public static String write(final Object value) {
		return GSON.toJson(value) + "\n";
	}

	/**
	 * Writes {@code value} ({@link #write}) as a new file.
	 *
	 * @throws InputException if it cannot be written (or exists)
	 */
	public static void writeNew(final Path file, final Object value) {
		writeText(file, write(value));
	}

	/**
	 * @return the value of a JSON text: a {@code Map<String, Object>} for an object, a list, a
	 *         string, a {@code Double}, a boolean, or null
	 * @throws IllegalArgumentException naming the syntax error
	 */
	public static Object read(final String text) {
		return read(text, Object.class);
	}

	/**
	 * @return the JSON text read as a {@code type}
	 * @throws IllegalArgumentException naming the syntax error
	 */
	static <T> T read(final String text, final Type type) {
		try {
			return GSON.fromJson(text, type);
		}
		catch (final JsonParseException e) {
			throw new IllegalArgumentException("JSON: " + e.getMessage(), e);
		}
	}

	/**
	 * Writes JSON text as a new file.
	 *
	 * @throws InputException if it cannot be written (or exists)
	 */
	static void writeText(final Path file, final String text) {
		try {
			Files.write(file, text.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE_NEW);
		}
		catch (final IOException e) {
			throw new InputException("Cannot write " + file + ": " + WriteFailures.explain(e), e);
		}
	}
}

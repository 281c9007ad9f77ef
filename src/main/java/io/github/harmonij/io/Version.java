// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** HarmonIJ's version, from the build (Maven filters {@code harmonij.properties}). */
public final class Version {

	private static final String VERSION = load();

	private Version() {}

	/** @return e.g. "0.1.0-SNAPSHOT", or "unknown" when run from unpackaged classes */
	public static String get() {
		return VERSION;
	}

	private static String load() {
		try (InputStream in = Version.class.getResourceAsStream("/harmonij.properties")) {
			if (in == null) return "unknown";
			final Properties p = new Properties();
			p.load(in);
			return p.getProperty("version", "unknown");
		}
		catch (final IOException e) {
			return "unknown";
		}
	}
}

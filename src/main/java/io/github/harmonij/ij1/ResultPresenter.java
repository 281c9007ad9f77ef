// SPDX-License-Identifier: MIT
package io.github.harmonij.ij1;

import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * What the menu shim ({@link CommandShim}) shows after a command ran. The display package, which
 * is built on this bridge, provides it (listed in {@code META-INF/services}), so ij1 never names
 * display and the two do not depend on each other. Without a provider nothing is shown.
 */
public interface ResultPresenter {

	/** Shows the results of a finished run of {@code commandClass} with these typed inputs. */
	void show(String commandClass, Map<String, Object> inputs);

	/** Shows a CSV file as an ImageJ table with this title. */
	void showTable(Path csv, String title);

	/** @return the provider on HarmonIJ's class path, or one that shows nothing */
	static ResultPresenter find() {
		for (final ResultPresenter p : ServiceLoader.load(ResultPresenter.class,
			ResultPresenter.class.getClassLoader()))
			return p;
		return new ResultPresenter() {

			@Override
			public void show(final String commandClass, final Map<String, Object> inputs) {}

			@Override
			public void showTable(final Path csv, final String title) {}
		};
	}
}

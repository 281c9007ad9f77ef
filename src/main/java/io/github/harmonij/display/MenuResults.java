// SPDX-License-Identifier: MIT
package io.github.harmonij.display;

import java.nio.file.Path;
import java.util.Map;

import io.github.harmonij.ij1.ResultPresenter;

/**
 * The menu shim's view of this package: {@link ResultDisplays} and {@link ResultViewer} as a
 * {@link ResultPresenter}, found through {@code META-INF/services}.
 */
public final class MenuResults implements ResultPresenter {

	@Override
	public void show(final String commandClass, final Map<String, Object> inputs) {
		ResultDisplays.show(commandClass, inputs);
	}

	@Override
	public void showTable(final Path csv, final String title) {
		ResultViewer.showTable(csv, title);
	}
}

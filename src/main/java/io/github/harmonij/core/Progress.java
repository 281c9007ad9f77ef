// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

/**
 * Receives progress reports from long computations. Implementations must be thread-safe: blocks
 * processed on different threads report concurrently. Reports come about once per voxel block
 * (hundreds of calls per run, not millions).
 */
@FunctionalInterface
public interface Progress {

	/** Does nothing. */
	Progress NONE = (done, total) -> {};

	/**
	 * @param done units finished so far (monotone per task, but calls may arrive out of order)
	 * @param total units in the task
	 */
	void update(long done, long total);
}

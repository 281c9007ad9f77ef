// SPDX-License-Identifier: MIT
/**
 * The voxelwise runs, each from its request to its output folder and run record ({@code run.json}):
 * harmonisation of a cohort ({@link io.github.harmonij.pipeline.VoxelwiseHarmonisation}), a new
 * site added to a saved model ({@link io.github.harmonij.pipeline.VoxelwiseSiteAddition}),
 * site-effect maps ({@link io.github.harmonij.pipeline.SiteEffectMaps}) and the simulated cohort
 * ({@link io.github.harmonij.pipeline.CohortSimulation}). They fit with {@code core} and read and
 * write with {@code io}; the commands call them. Headless: no GUI, no ImageJ, no SciJava.
 */
package io.github.harmonij.pipeline;

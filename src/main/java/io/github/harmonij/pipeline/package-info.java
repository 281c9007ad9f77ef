// SPDX-License-Identifier: MIT
/**
 * The runs, each from its request to its outputs and run record ({@code run.json},
 * {@link io.github.harmonij.io.RunRecord}). Voxelwise: harmonisation of a cohort
 * ({@link io.github.harmonij.pipeline.VoxelwiseHarmonisation}, which also applies a saved model),
 * a new site added to a saved model ({@link io.github.harmonij.pipeline.VoxelwiseSiteAddition}),
 * site-effect maps ({@link io.github.harmonij.pipeline.SiteEffectMaps}) and the simulated cohort
 * ({@link io.github.harmonij.pipeline.CohortSimulation}). Tables: harmonisation and apply
 * ({@link io.github.harmonij.pipeline.TableHarmonisation}), site addition
 * ({@link io.github.harmonij.pipeline.TableSiteAddition}) and site effects
 * ({@link io.github.harmonij.pipeline.TableEffects}).
 * <p>
 * One calling convention: a command parses its parameters into an immutable request (built with
 * named steps and checked when built), and the pipeline takes it with progress and cancel. They
 * fit with {@code core} and read and write with {@code io}. Headless: no GUI, no ImageJ, no
 * SciJava, and no drawing: the report and the box plots come from the commands as
 * {@link io.github.harmonij.pipeline.ReportWriter} and {@link io.github.harmonij.pipeline.BoxPlots}.
 */
package io.github.harmonij.pipeline;

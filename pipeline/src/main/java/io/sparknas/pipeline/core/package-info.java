/**
 * The pipeline's core, the only home of a sweep's lifecycle: open, validate and lease a sweep ({@link
 * io.sparknas.pipeline.core.Sweep}), its Parquet result store, the one row mapping, evaluation of candidates on
 * executors, and the three stage contracts every sweep kind is built from: {@link
 * io.sparknas.pipeline.core.AskStage} (a strategy asked until a budget is spent, in rounds or asynchronously), {@link
 * io.sparknas.pipeline.core.FixedStage} (a given list of candidates) and {@link io.sparknas.pipeline.core.TaskStage}
 * (one Spark task whose output is a dataset). Resume, replay checks, attempts, failure limits and progress come from
 * here; the kinds ({@code search}, {@code darts}, {@code scale}, {@code ofa}, {@code profile}) never import one
 * another.
 */
package io.sparknas.pipeline.core;

/** Spark orchestration: evaluation on executors, the Parquet result store, the resumable search loop. */
package io.sparknas.pipeline;

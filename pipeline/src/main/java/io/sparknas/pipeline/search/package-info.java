/** The search kind: a strategy asked over a space until the budget is spent, with objectives and constraints. */
package io.sparknas.pipeline.search;

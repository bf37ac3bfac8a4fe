/** The command line: search, doctor, configuration loading, winner export. */
package io.sparknas.jobs;

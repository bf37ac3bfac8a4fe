#!/usr/bin/env bash
# Names the Spark-facing modules for a Scala line, as Spark's own dev/change-scala-version.sh does: pipeline_2.13 and
# jobs_2.13 for Spark 4.2 (the default), pipeline_2.12 and jobs_2.12 for Spark 3.5 (-Pspark35). Maven cannot take an
# artifactId from a profile, so the build of each line publishes its own coordinates only after this rename; the
# enforcer stops a build whose names disagree with its line.
#   dev/change-scala-version.sh 2.12 && mvn -Pspark35 ...     dev/change-scala-version.sh 2.13 to go back
set -euo pipefail
usage="usage: dev/change-scala-version.sh 2.12|2.13"
[ $# -eq 1 ] || { echo "$usage" >&2; exit 2; }
case "$1" in 2.12|2.13) to="$1" ;; *) echo "error: unknown Scala line '$1'; $usage" >&2; exit 2 ;; esac
root="$(cd "$(dirname "$0")/.." && pwd)"
for pom in "$root/pom.xml" "$root/pipeline/pom.xml" "$root/jobs/pom.xml"; do
  # a temporary file, not sed -i, whose argument differs between GNU and BSD sed (macOS)
  sed -E "s#<artifactId>(pipeline|jobs)_2\.1[23]</artifactId>#<artifactId>\1_${to}</artifactId>#g" "$pom" > "$pom.tmp"
  mv "$pom.tmp" "$pom"
done
echo "pipeline and jobs are named for Scala $to"

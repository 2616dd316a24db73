#!/usr/bin/env bash
# JMH benchmarks of the hot path, with allocation per operation (-prof gc):
#   itests/bench/jmh.sh                 both: the PUBLISH codec and the subscription tree
#   itests/bench/jmh.sh Codec           only the codec (any JMH include pattern works)
# Needs a build first (mvn -B -ntp install -DskipTests). Figures go to docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
pattern="${1:-Benchmark}"
for module in bundles/io.meridianmq.protocol bundles/io.meridianmq.broker; do
  mvn -B -ntp -q -pl "$module" test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/jmh-classpath.txt -Dmdep.includeScope=test
  cp="$module/target/test-classes:$module/target/classes:$(cat "$module/target/jmh-classpath.txt")"
  java -cp "$cp" org.openjdk.jmh.Main -prof gc -rf text -rff "$module/target/jmh.txt" "$pattern" \
    || echo "(no benchmark matched '$pattern' in $module)"
done

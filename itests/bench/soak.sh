#!/usr/bin/env bash
# Chaos and soak (issue 19): mixed QoS 0/1/2 load to persistent and clean sessions and a shared
# subscription, reconnect storms, and a kill -9 and restart of the broker every few minutes, for
# as long as asked; fails if an acknowledged QoS 1/2 message of a persistent session is lost or a
# QoS 2 message arrives twice. The report with its charts (memory, p99 latency, throughput,
# losses over time) is itests/io.meridianmq.e2e.tests/target/soak-report.html.
#   itests/bench/soak.sh [DURATION] [KILL_EVERY]     ISO-8601, default PT1H and PT3M
#   STORM=3000 (clients per reconnect storm), STORM_EVERY=PT30S
# Build first: mvn -B -ntp install -DskipTests. The test suite runs the same test for one minute.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -ntp -pl itests/io.meridianmq.e2e.tests verify -Dtest=SoakTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dsoak.duration="${1:-PT1H}" -Dsoak.killEvery="${2:-PT3M}" -Dsoak.storm="${STORM:-3000}" \
    -Dsoak.stormEvery="${STORM_EVERY:-PT30S}"
echo "Report: itests/io.meridianmq.e2e.tests/target/soak-report.html"

#!/bin/sh
# Long chaos run: many seeded fault schedules per topology (2 nodes + witness, 2 nodes + ping target, 3 nodes with
# majority) against real expresshad nodes in network namespaces; prints a summary (seeds run, violations, mean/max
# time to recover after the heal) and, for every failing seed, its violations, its replay command and its logs.
# Needs root (network namespaces). See tests/ExpressHa.Service.Tests/Netns/Chaos/README.md.
#
#   bench/chaos.sh [SEEDS] [FIRST_SEED]        e.g. bench/chaos.sh 100      (~25 s per seed and topology)
#   EXPRESSHA_CHAOS_KIND=Witness|Ping|Majority  only that topology
#   EXPRESSHA_CHAOS_FAULTS=N                    faults per schedule (default 3)
#   EXPRESSHA_CHAOS_KEEP=1                      keep every run's work directory (logs) in /tmp, not only failed ones
set -eu
cd "$(dirname "$0")/.."
seeds="${1:-100}"
first="${2:-1000}"
summary="${EXPRESSHA_CHAOS_SUMMARY:-/tmp/expressha-chaos-summary-$$.txt}"
: > "$summary"
dotnet build tests/ExpressHa.Service.Tests -c Release -v q -nologo
status=0
EXPRESSHA_CHAOS_SEEDS="$seeds" EXPRESSHA_CHAOS_FIRST_SEED="$first" EXPRESSHA_CHAOS_SUMMARY="$summary" \
  dotnet test tests/ExpressHa.Service.Tests -c Release --no-build \
  --filter "FullyQualifiedName~Netns.Chaos.ChaosTests.Soak" --logger "console;verbosity=normal" >/dev/null || status=$?
cat "$summary"
echo "summary file: $summary"
exit $status

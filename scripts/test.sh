#!/usr/bin/env bash
# Runs Runnel's whole test suite: unit, integration and cross-client compatibility tests.
# Installs what the compatibility tests need first (idempotent): Debian's kcat, kafka-python and
# confluent-kafka-python, and KafkaJS from npm. Ends with one line: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log=$(mktemp)
status=0
# --blame-crash: if a test host dies (a native abort, an unhandled exception on a background
# thread), the log names the test that was running and shows the host's last stderr, and a dump
# is written under the test project's TestResults/.
dotnet test Runnel.slnx -c Release --nologo --blame-crash "$@" 2>&1 | tee "$log" || status=$?

# Code-style and analyzer rules are enforced by the build itself (EnforceCodeStyleInBuild, warnings
# as errors); formatting (whitespace, indentation, line endings) is verified here.
if ! dotnet format whitespace Runnel.slnx --verify-no-changes >"$log.format" 2>&1; then
  cat "$log.format"
  echo "dotnet format found code that does not follow .editorconfig (run: dotnet format Runnel.slnx)"
  status=1
fi
rm -f "$log.format"

# Sum the per-assembly summaries ("Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12, ...").
read -r passed failed skipped < <(grep -E '^(Passed|Failed)!' "$log" | sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/' \
  | awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
assemblies=$(grep -cE '^(Passed|Failed)!' "$log" || true)
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The build or a test host failed without a per-test failure: count it as one.
  failed=1
fi
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "No tests ran."
  failed=1
fi
echo "Test assemblies: $assemblies"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

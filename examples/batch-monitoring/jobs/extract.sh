#!/usr/bin/env bash
# Job 1, a cron-box shell job: extract. Reports through the Event Hubs REST API with curl.
set -euo pipefail
. "$(dirname "$0")/report.sh"

report Job.Started extract
rows=$((RANDOM % 1000 + 1000)) # the "work"
sleep 1
report Job.Finished extract "{\"rows\":$rows}"

#!/usr/bin/env bash
# Job 3, another shell job: load. Starts when transform has finished, then fails (on purpose)
# and says so through the Event Hubs REST API.
set -euo pipefail
. "$(dirname "$0")/report.sh"

"${GRIDLOG_BIN:-gridlog}" wait --topic jobs --subscription load-gate \
  --type Job.Finished --subject transform --timeout 120s > /dev/null
echo "  [load] predecessor finished: transform"
report Job.Started load
code=3 # the "work" fails: the warehouse refused the connection
report Job.Failed load "{\"exitCode\":$code,\"error\":\"connection refused\"}"
exit $code

"""Job 2, a Python job: transform. Starts when extract has finished (`gridlog wait`), then reports
through the Azure Event Grid SDK (azure-eventgrid), unchanged apart from the endpoint."""

import json
import os
import subprocess
import sys

from azure.core.credentials import AzureKeyCredential
from azure.core.messaging import CloudEvent
from azure.eventgrid import EventGridPublisherClient

gridlog = os.environ.get("GRIDLOG_BIN", "gridlog")
# Blocks until extract's Job.Finished arrives on this job's gate subscription (filtered on
# type and subject), acknowledges it and prints it as a JSON line.
waited = subprocess.run(
    [gridlog, "wait", "--topic", "jobs", "--subscription", "transform-gate",
     "--type", "Job.Finished", "--subject", "extract", "--timeout", "120s"],
    capture_output=True, text=True, check=True,
)
line = waited.stdout.strip().splitlines()[-1]
upstream = json.loads(line)
upstream = upstream.get("event", upstream)
rows = upstream["data"]["rows"]
print(f"  [transform] predecessor finished: extract with {rows} rows")

client = EventGridPublisherClient(
    os.environ["GRIDLOG_ENDPOINT"],
    AzureKeyCredential(os.environ["GRIDLOG_KEY"]),
    namespace_topic="jobs",
)
client.send([CloudEvent(source="/jobs/transform", type="Job.Started", subject="transform", data={})])
print("  [transform] Job.Started -> sent (Event Grid SDK)")
client.send([CloudEvent(source="/jobs/transform", type="Job.Finished", subject="transform",
                        data={"rows_in": rows, "rows_out": rows // 2})])
print("  [transform] Job.Finished -> sent (Event Grid SDK)")
sys.stdout.flush()

"""A dashboard consumer written with the Azure Event Hubs SDK (azure-eventhub): it receives the
job status reports from Event Hub `batch-status` over AMQP 1.0, from every partition, from the
start, exactly as it would from Azure Event Hubs; only the connection string differs
(UseDevelopmentEmulator=true, plain AMQP to gridlog).

    python monitor.py AMQP_HOST:PORT KEY_NAME KEY EXPECTED_COUNT
"""

import sys
import threading

from azure.eventhub import EventHubConsumerClient

address, key_name, key, expected = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
connection = (
    f"Endpoint=sb://{address};SharedAccessKeyName={key_name};SharedAccessKey={key};"
    "UseDevelopmentEmulator=true"
)
client = EventHubConsumerClient.from_connection_string(
    connection, consumer_group="$Default", eventhub_name="batch-status"
)
seen = []
done = threading.Event()


def on_event(context, event):
    if event is None:
        return
    props = {k.decode(): v.decode() if isinstance(v, bytes) else v
             for k, v in (event.properties or {}).items()}
    seen.append(event)
    print(f"  partition {context.partition_id} #{event.sequence_number} "
          f"{props.get('subject', '?'):<9} {props.get('type', '?'):<12} {event.body_as_str()}")
    if len(seen) >= expected:
        done.set()


worker = threading.Thread(
    target=client.receive,
    kwargs={"on_event": on_event, "starting_position": "-1", "max_wait_time": 1},
    daemon=True,
)
worker.start()
ok = done.wait(30)
client.close()
worker.join(10)
print(f"  {len(seen)} status event(s) received over AMQP")
sys.exit(0 if ok else 1)

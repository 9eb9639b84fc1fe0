"""Pulls the routed readings from a subscription of the durable topic `telemetry` with the
Azure Event Grid SDK, acknowledges them, and prints one line per reading.

Usage: consumer.py ENDPOINT KEY SUBSCRIPTION COUNT (at most COUNT readings)"""

import base64
import json
import sys

from azure.core.credentials import AzureKeyCredential
from azure.eventgrid import EventGridConsumerClient

endpoint, key, subscription, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
consumer = EventGridConsumerClient(
    endpoint, AzureKeyCredential(key), namespace_topic="telemetry", subscription=subscription
)
got = []
while len(got) < count:
    # The readings are all stored before this runs (each PUBACK waited for it): a pull that
    # returns fewer than asked for has taken what there is.
    asked = min(count - len(got), 100)
    batch = consumer.receive(max_events=asked, max_wait_time=10)
    got.extend(batch)
    if len(batch) < asked:
        break
for detail in got:
    event = detail.event
    data = event.data
    if isinstance(data, (bytes, bytearray)):  # data_base64: an MQTT 3.1.1 reading
        data = json.loads(bytes(data))
    ext = event.extensions
    print(f"  {event.subject:<26} {event.type} temp={data['temp']:>2} "
          f"sensor={ext['sensor']} room={ext['room']} site={ext['site']}")
if got:
    consumer.acknowledge(lock_tokens=[d.broker_properties.lock_token for d in got])
print(f"[{subscription}] {len(got)} reading(s) pulled and acknowledged")

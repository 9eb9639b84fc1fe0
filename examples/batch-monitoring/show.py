"""Formats `gridlog receive` output (one JSON line per event) for run.sh."""

import json
import sys

style = sys.argv[1]
for line in sys.stdin:
    event = json.loads(line)["event"]
    if style == "failures":
        print(f"  {event['time']} {event['subject']}: {event['type']} {event.get('data')}"
              f" (host {event.get('host')}, via {event['source']})")
    else:
        print(f"  {event['subject']:<9} {event['type']:<12} via {event['source']}")

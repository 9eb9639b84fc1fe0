// The JS Event Hubs SDK (@azure/event-hubs, pinned in package.json) against gridlog's AMQP
// listener, with the emulator connection string. One scenario per invocation:
//
//   node eventhubs.mjs SCENARIO AMQP_HOST:PORT KEY_NAME KEY HUB [ARGS…]
//
// `produce` (the kill -9 test) sends batches of two events to partition 0 until a send fails,
// printing `ack BODY` once each batch is acknowledged; `read OFFSET COUNT` prints the COUNT
// events of partition 0 after OFFSET ("-1": from the start) as [sequenceNumber, offset, body].
//
// Each scenario prints one JSON line with what it observed and exits 0, or prints the failed
// check and exits 1. tests/interop/test_js_eventhubs.py starts the server and runs them.

import assert from "node:assert/strict";
import {
  EventHubConsumerClient,
  EventHubProducerClient,
  earliestEventPosition,
  latestEventPosition,
} from "@azure/event-hubs";

const [scenario, address, keyName, key, hub, ...rest] = process.argv.slice(2);
const RETRY = { maxRetries: 1, retryDelayInMs: 200, timeoutInMs: 10000 };

function connectionString(k = key) {
  return `Endpoint=sb://${address};SharedAccessKeyName=${keyName};SharedAccessKey=${k};UseDevelopmentEmulator=true`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Receives `count` events of `partition` from `startPosition`, then stops.
// With `atLeast`, more may arrive (a producer is still sending): the first `count` are returned.
async function receive(
  partition,
  startPosition,
  count,
  { group = "$Default", ownerLevel, atLeast = false } = {},
) {
  const consumer = new EventHubConsumerClient(group, connectionString(), hub, { retryOptions: RETRY });
  const events = [];
  const errors = [];
  const subscription = consumer.subscribe(
    partition,
    {
      processEvents: async (batch) => {
        events.push(...batch);
      },
      processError: async (err) => {
        errors.push(err);
      },
    },
    { startPosition, maxBatchSize: 50, maxWaitTimeInSeconds: 1, ownerLevel },
  );
  const deadline = Date.now() + 20000;
  while (events.length < count && Date.now() < deadline) {
    await sleep(100);
  }
  await sleep(300);
  await subscription.close();
  await consumer.close();
  if (atLeast) {
    assert.ok(events.length >= count, `wanted ${count} events, errors: ${errors.map(String)}`);
    return events.slice(0, count);
  }
  assert.equal(events.length, count, `wanted ${count} events, errors: ${errors.map(String)}`);
  return events;
}

async function roundtrip() {
  const producer = new EventHubProducerClient(connectionString(), hub, { retryOptions: RETRY });
  const props = await producer.getEventHubProperties();
  assert.equal(props.name, hub);
  assert.deepEqual(props.partitionIds, ["0", "1"]);
  const empty = await producer.getPartitionProperties("1");
  assert.equal(empty.isEmpty, true);
  assert.equal(empty.lastEnqueuedSequenceNumber, -1);

  const batch = await producer.createBatch({ partitionId: "0" });
  assert.ok(
    batch.tryAdd({
      body: { job: "nightly-etl", status: "started" },
      properties: { attempt: 3, host: "worker-1" },
      contentType: "application/json",
      correlationId: "run-17",
      messageId: "m-1",
    }),
  );
  assert.ok(batch.tryAdd({ body: "second" }));
  assert.ok(batch.tryAdd({ body: "third" }));
  await producer.sendBatch(batch);
  const keyed = await producer.createBatch({ partitionKey: "job-42" });
  keyed.tryAdd({ body: "keyed" });
  await producer.sendBatch(keyed);
  await producer.sendBatch([{ body: "round-robin" }]);
  const after = await Promise.all(["0", "1"].map((p) => producer.getPartitionProperties(p)));
  const total = after.reduce((n, p) => n + p.lastEnqueuedSequenceNumber + 1, 0);
  assert.equal(total, 5);

  const earliest = await receive("0", earliestEventPosition, 3 + (after[0].lastEnqueuedSequenceNumber - 2));
  const first = earliest[0];
  assert.deepEqual(first.body, { job: "nightly-etl", status: "started" });
  assert.deepEqual(first.properties, { attempt: 3, host: "worker-1" });
  assert.equal(first.contentType, "application/json");
  assert.equal(first.correlationId, "run-17");
  assert.equal(first.messageId, "m-1");
  assert.deepEqual(
    earliest.map((e) => e.sequenceNumber),
    earliest.map((_, i) => i),
  );
  const fromOne = await receive("0", { sequenceNumber: 1, isInclusive: true }, earliest.length - 1);
  assert.deepEqual(fromOne.map((e) => e.body).slice(0, 2), ["second", "third"]);
  const afterOffset = await receive("0", { offset: earliest[0].offset }, earliest.length - 1);
  assert.equal(afterOffset[0].sequenceNumber, 1);
  const byTime = await receive("0", { enqueuedOn: new Date(0) }, earliest.length);
  assert.equal(byTime.length, earliest.length);

  // Latest: only what is sent after the receiver attached.
  const consumer = new EventHubConsumerClient("$Default", connectionString(), hub, { retryOptions: RETRY });
  const late = [];
  const sub = consumer.subscribe(
    "1",
    { processEvents: async (b) => { late.push(...b); }, processError: async () => {} },
    { startPosition: latestEventPosition, maxWaitTimeInSeconds: 1 },
  );
  await sleep(2000);
  await producer.sendBatch([{ body: "late" }], { partitionId: "1" });
  const deadline = Date.now() + 15000;
  while (late.length < 1 && Date.now() < deadline) await sleep(100);
  await sub.close();
  await consumer.close();
  await producer.close();
  assert.deepEqual(late.map((e) => e.body), ["late"]);
  return { sent: 6, partition0: earliest.length, partitionKey: earliest.find((e) => e.partitionKey)?.partitionKey ?? null };
}

async function groups() {
  const producer = new EventHubProducerClient(connectionString(), hub, { retryOptions: RETRY });
  await producer.sendBatch([{ body: "a" }, { body: "b" }], { partitionId: "1" });
  await producer.close();
  const a = await receive("1", earliestEventPosition, 2);
  const b = await receive("1", earliestEventPosition, 2, { group: "dashboard" });
  assert.deepEqual(a.map((e) => e.body), ["a", "b"]);
  assert.deepEqual(b.map((e) => e.body), ["a", "b"]);
  return { default: a.length, dashboard: b.length };
}

async function epoch() {
  const producer = new EventHubProducerClient(connectionString(), hub, { retryOptions: RETRY });
  await producer.sendBatch([{ body: "one" }], { partitionId: "0" });
  const consumer = new EventHubConsumerClient("$Default", connectionString(), hub, { retryOptions: RETRY });
  const firstErrors = [];
  const first = consumer.subscribe(
    "0",
    { processEvents: async () => {}, processError: async (err) => { firstErrors.push(err); } },
    { startPosition: earliestEventPosition, ownerLevel: 1, maxWaitTimeInSeconds: 1 },
  );
  await sleep(1500);
  const taken = await receive("0", earliestEventPosition, 1, { ownerLevel: 2 });
  const deadline = Date.now() + 10000;
  while (firstErrors.length === 0 && Date.now() < deadline) await sleep(100);
  await first.close();
  await consumer.close();
  await producer.close();
  assert.equal(taken[0].body, "one");
  assert.ok(firstErrors.length > 0, "the lower owner level was not disconnected");
  assert.equal(firstErrors[0].code, "ReceiverDisconnectedError", String(firstErrors[0]));
  return { error: firstErrors[0].code };
}

async function wrongkey() {
  const producer = new EventHubProducerClient(connectionString("wrong-key"), hub, {
    retryOptions: { maxRetries: 0, timeoutInMs: 10000 },
  });
  try {
    await producer.getEventHubProperties();
    assert.fail("a wrong key was accepted");
  } catch (err) {
    assert.notEqual(err.code, "ERR_ASSERTION", String(err));
    await producer.close();
    return { error: err.code ?? err.name };
  }
}

// Sends until the server goes away; every acknowledged batch is printed as it is acknowledged.
async function produce() {
  const producer = new EventHubProducerClient(connectionString(), hub, {
    retryOptions: { maxRetries: 0, timeoutInMs: 5000 },
  });
  for (let i = 0; ; i += 1) {
    const body = `event-${i}`;
    try {
      const batch = await producer.createBatch({ partitionId: "0" });
      assert.ok(batch.tryAdd({ body }) && batch.tryAdd({ body: `${body}-b` }));
      await producer.sendBatch(batch);
    } catch (err) {
      if (err.code === "ERR_ASSERTION") throw err;
      producer.close().catch(() => {});
      return { stopped: String(err.code ?? err.name), acknowledged: i };
    }
    process.stdout.write(`ack ${body}\n`);
  }
}

async function read() {
  const [offset, count] = rest;
  const start = offset === "-1" ? earliestEventPosition : { offset, isInclusive: false };
  const events = await receive("0", start, Number(count), { atLeast: true });
  return events.map((e) => [e.sequenceNumber, e.offset, e.body]);
}

const scenarios = { roundtrip, groups, epoch, wrongkey, produce, read };
try {
  const result = await scenarios[scenario]();
  console.log(JSON.stringify(result));
  process.exit(0);
} catch (err) {
  console.error(err);
  process.exit(1);
}

// The JS Azure SDK for Event Grid namespaces (@azure/eventgrid-namespaces, pinned in
// package.json) against a running `gridlog serve`. One scenario per invocation:
//
//   node interop.mjs SCENARIO ENDPOINT KEY [ARG]
//
// Each scenario prints one JSON line with what it observed and exits 0, or prints the failed
// check and exits 1. tests/interop/test_js_sdk.py starts the server and runs every scenario.

import assert from "node:assert/strict";
import {
  AzureKeyCredential,
  EventGridReceiverClient,
  EventGridSenderClient,
} from "@azure/eventgrid-namespaces";

const TOPIC = "orders";
const SUB = "all";
const [scenario, endpoint, key, arg] = process.argv.slice(2);

// Over https the server's CA is trusted through NODE_EXTRA_CA_CERTS (the test sets it) and no
// insecure connection is allowed; plain http (what the capture in the reference used) needs
// allowInsecureConnection.
const OPTIONS = {
  allowInsecureConnection: endpoint.startsWith("http:"),
  retryOptions: { maxRetries: 0 },
};

function sender(k = key) {
  return new EventGridSenderClient(endpoint, new AzureKeyCredential(k), TOPIC, OPTIONS);
}

function receiver() {
  return new EventGridReceiverClient(endpoint, new AzureKeyCredential(key), TOPIC, SUB, OPTIONS);
}

function event(id, extra = {}) {
  return {
    type: "Demo.Created",
    source: "/test/source",
    id,
    time: new Date("2024-01-02T03:04:05.000Z"),
    subject: "sub/1",
    data: { key1: "v1", n: 5 },
    ...extra,
  };
}

async function receiveAll(expected) {
  const got = [];
  // Events are already stored, so each receive answers at once.
  while (got.length < expected) {
    const { details } = await receiver().receiveEvents({ maxEvents: 100, maxWaitTime: 10 });
    assert.ok(details.length > 0, `receive returned nothing after ${got.length} of ${expected}`);
    got.push(...details);
  }
  return got;
}

async function expectStatus(promise, status) {
  try {
    await promise;
  } catch (err) {
    assert.equal(err.statusCode, status, `expected HTTP ${status}, got ${err.statusCode}: ${err.message}`);
    return err.code ?? null;
  }
  assert.fail(`expected HTTP ${status}, the call succeeded`);
}

const scenarios = {
  // Single event (structured mode), received back with its attributes and data, acknowledged.
  async single() {
    await sender().sendEvents(event("js-1", { extensionAttributes: { myext: "extval" } }));
    const [d] = await receiveAll(1);
    assert.equal(d.event.id, "js-1");
    assert.equal(d.event.type, "Demo.Created");
    assert.equal(d.event.source, "/test/source");
    assert.equal(d.event.subject, "sub/1");
    assert.deepEqual(d.event.data, { key1: "v1", n: 5 });
    assert.equal(d.event.time.toISOString(), "2024-01-02T03:04:05.000Z");
    assert.equal(d.brokerProperties.deliveryCount, 1);
    const ack = await receiver().acknowledgeEvents([d.brokerProperties.lockToken]);
    assert.deepEqual(ack.succeededLockTokens, [d.brokerProperties.lockToken]);
    assert.deepEqual(ack.failedLockTokens, []);
    // Acknowledged: a second acknowledge of the same token fails per token.
    const again = await receiver().acknowledgeEvents([d.brokerProperties.lockToken]);
    assert.deepEqual(again.succeededLockTokens, []);
    assert.equal(again.failedLockTokens.length, 1);
    return { id: d.event.id, deliveryCount: d.brokerProperties.deliveryCount };
  },

  // A batch (array) with a binary (Uint8Array) event: data_base64 on the wire and back.
  async batch() {
    const bin = {
      type: "Demo.Bin",
      source: "/test/source",
      id: "js-bin",
      dataContentType: "application/octet-stream",
      data: new Uint8Array([0, 1, 98]),
    };
    await sender().sendEvents([event("js-a"), bin, event("js-c")]);
    const got = await receiveAll(3);
    assert.deepEqual(got.map((d) => d.event.id), ["js-a", "js-bin", "js-c"]);
    // The SDK hands received `data_base64` back as the base64 string (dist/index.js, receive).
    assert.equal(got[1].event.data, Buffer.from([0, 1, 98]).toString("base64"));
    assert.equal(got[1].event.dataContentType, "application/octet-stream");
    const tokens = got.map((d) => d.brokerProperties.lockToken);
    const ack = await receiver().acknowledgeEvents(tokens);
    assert.deepEqual([...ack.succeededLockTokens].sort(), [...tokens].sort());
    return { received: got.length };
  },

  // Release without delay: redelivered with deliveryCount 2; release with a delay succeeds.
  async release() {
    await sender().sendEvents(event("js-rel"));
    const [first] = await receiveAll(1);
    const rel = await receiver().releaseEvents([first.brokerProperties.lockToken]);
    assert.deepEqual(rel.succeededLockTokens, [first.brokerProperties.lockToken]);
    const [second] = await receiveAll(1);
    assert.equal(second.event.id, "js-rel");
    assert.equal(second.brokerProperties.deliveryCount, 2);
    assert.notEqual(second.brokerProperties.lockToken, first.brokerProperties.lockToken);
    const delayed = await receiver().releaseEvents([second.brokerProperties.lockToken], {
      releaseDelay: "60",
    });
    assert.deepEqual(delayed.succeededLockTokens, [second.brokerProperties.lockToken]);
    // Released with a 60 s delay: not visible to an immediate receive (10 s long-poll).
    const { details } = await receiver().receiveEvents({ maxEvents: 10, maxWaitTime: 10 });
    assert.deepEqual(details, []);
    return { deliveryCount: second.brokerProperties.deliveryCount };
  },

  // Reject one real and one forged token: per-token results, the call itself succeeds.
  async reject() {
    await sender().sendEvents(event("js-rej"));
    const [d] = await receiveAll(1);
    const res = await receiver().rejectEvents([d.brokerProperties.lockToken, "tok2"]);
    assert.deepEqual(res.succeededLockTokens, [d.brokerProperties.lockToken]);
    assert.equal(res.failedLockTokens.length, 1);
    assert.equal(res.failedLockTokens[0].lockToken, "tok2");
    assert.ok(res.failedLockTokens[0].error.code, "a failed token carries an error code");
    return { failed: res.failedLockTokens[0].error.code };
  },

  // Renew a held lock, then acknowledge with the same token.
  async renew() {
    await sender().sendEvents(event("js-renew"));
    const [d] = await receiveAll(1);
    const renewed = await receiver().renewEventLocks([d.brokerProperties.lockToken]);
    assert.deepEqual(renewed.succeededLockTokens, [d.brokerProperties.lockToken]);
    const ack = await receiver().acknowledgeEvents([d.brokerProperties.lockToken]);
    assert.deepEqual(ack.succeededLockTokens, [d.brokerProperties.lockToken]);
    return { renewed: 1 };
  },

  // A wrong key is a 401 the SDK surfaces as a RestError.
  async wrongkey() {
    const code = await expectStatus(sender("not-the-key").sendEvents(event("js-x")), 401);
    return { status: 401, code };
  },

  // An event over 1 MB is refused with 413.
  async oversize() {
    const big = event("js-big", { data: { blob: "x".repeat(1_100_000) } });
    const code = await expectStatus(sender().sendEvents(big), 413);
    return { status: 413, code };
  },

  // An invalid event (a source that is not a URI-reference) is refused with 400.
  async invalid() {
    const code = await expectStatus(sender().sendEvents(event("js-bad", { source: "" })), 400);
    return { status: 400, code };
  },

  // Restart, step 1: publish and receive; print the lock token (the test restarts the server).
  async hold() {
    await sender().sendEvents(event("js-restart"));
    const [d] = await receiveAll(1);
    return { token: d.brokerProperties.lockToken };
  },

  // Restart, step 2: the token taken before the restart still acknowledges.
  async settle() {
    const ack = await receiver().acknowledgeEvents([arg]);
    assert.deepEqual(ack.succeededLockTokens, [arg]);
    const { details } = await receiver().receiveEvents({ maxEvents: 10, maxWaitTime: 10 });
    assert.deepEqual(details, [], "an acknowledged event was delivered again");
    return { acknowledged: 1 };
  },
};

const run = scenarios[scenario];
if (!run) {
  console.error(`unknown scenario ${scenario}; one of: ${Object.keys(scenarios).join(", ")}`);
  process.exit(2);
}
try {
  console.log(JSON.stringify(await run()));
} catch (err) {
  console.error(`${scenario}: ${err.stack ?? err}`);
  process.exit(1);
}

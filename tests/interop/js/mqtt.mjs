// MQTT.js (mqtt 5.x) against gridlog's MQTT broker (test_js_mqtt.py): one scenario per run,
// `node mqtt.mjs SCENARIO VERSION HOST PORT KEY [JSON]`; prints one JSON line of what it saw.
// The TLS scenarios take a JSON argument: {"mqtts": [host, port], "ws": […], "wss": […],
// "ca": server CA file, "certs": {name: [certfile, keyfile]}}.
import { readFileSync } from "node:fs";
import mqtt from "mqtt";

const [scenario, version, host, port, key, extra] = process.argv.slice(2);
const protocolVersion = version === "5" ? 5 : 4;
const tls = extra ? JSON.parse(extra) : null;

// CONNECT over TLS (`scheme` mqtts or wss) presenting `cert`; resolves to the CONNACK code
// MQTT.js reports (0 accepted, else the refusal's code) and the client.
async function connectTls(scheme, address, name, cert, clientId) {
  const [certfile, keyfile] = tls.certs[cert];
  const path = scheme === "wss" ? "/mqtt" : "";
  const options = {
    clientId,
    username: name,
    protocolVersion,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ca: readFileSync(tls.ca),
    cert: readFileSync(certfile),
    key: readFileSync(keyfile),
    rejectUnauthorized: true,
  };
  try {
    const client = await mqtt.connectAsync(`${scheme}://${address[0]}:${address[1]}${path}`, options, false);
    return { code: 0, client };
  } catch (e) {
    return { code: e.code ?? e.message, client: null };
  }
}

async function connect(name, clientId) {
  return mqtt.connectAsync(`mqtt://${host}:${port}`, {
    clientId,
    username: name,
    password: key,
    protocolVersion,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });
}

function closed(client) {
  return new Promise((resolve) => client.once("close", () => resolve("closed")));
}

function timeout(ms, what) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms));
}

async function pubsub() {
  const sub = await connect("viewer", `js-sub-${version}`);
  const pub = await connect("sensor1", `js-pub-${version}`);
  const granted = await sub.subscribeAsync(["sensors/+/temp"], { qos: 1 });
  const received = new Promise((resolve) =>
    sub.once("message", (topic, payload, packet) =>
      resolve({ topic, payload: payload.toString(), qos: packet.qos }),
    ),
  );
  await pub.publishAsync("sensors/sensor1/temp", "21.5", { qos: 1 });
  const message = await Promise.race([received, timeout(10_000, "message")]);
  await sub.endAsync();
  await pub.endAsync();
  return { granted: granted.map((g) => g.qos), message };
}

async function deny() {
  const viewer = await connect("viewer", `js-deny-${version}`);
  // MQTT.js rejects a SUBACK with a failure code and carries the packet in the error.
  let granted;
  try {
    granted = (await viewer.subscribeAsync(["sensors/#", "sensors/+/temp"], { qos: 1 })).map(
      (g) => g.qos,
    );
  } catch (e) {
    granted = e.packet?.granted ?? [e.message];
  }
  const gone = closed(viewer);
  let publish;
  try {
    await Promise.race([
      viewer.publishAsync("sensors/viewer/temp", "x", { qos: 1 }),
      gone.then(() => {
        throw Object.assign(new Error("connection closed"), { code: "closed" });
      }),
      timeout(10_000, "publish"),
    ]);
    publish = "accepted";
  } catch (e) {
    publish = e.code ?? e.message;
  }
  const open = viewer.connected;
  viewer.end(true);
  return { granted, publish, open };
}

async function certificates() {
  const results = {};
  for (const [label, name, cert] of [
    ["thumbprint", "thumb", "thumb"],
    ["chain", "subj", "subj"],
    ["unknown", "ghost", "ghost"],
    ["wrongThumbprint", "thumb", "other"],
    ["disabled", "off", "off"],
  ]) {
    const { code, client } = await connectTls("mqtts", tls.mqtts, name, cert, `js-${label}-${version}`);
    results[label] = code;
    if (client) await client.endAsync();
  }
  return results;
}

async function websocket() {
  // Plain WebSocket (development-mode credentials), then WSS with a client certificate.
  const sub = await mqtt.connectAsync(`ws://${tls.ws[0]}:${tls.ws[1]}/mqtt`, {
    clientId: `js-ws-sub-${version}`,
    username: "subj",
    password: key,
    protocolVersion,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });
  const granted = await sub.subscribeAsync(["devices/#"], { qos: 1 });
  const received = new Promise((resolve) =>
    sub.once("message", (topic, payload, packet) =>
      resolve({ topic, payload: payload.toString(), qos: packet.qos }),
    ),
  );
  const { code, client: pub } = await connectTls("wss", tls.wss, "thumb", "thumb", `js-wss-pub-${version}`);
  if (!pub) return { granted: granted.map((g) => g.qos), wss: code };
  await pub.publishAsync("devices/thumb/temp", "19.0", { qos: 1 });
  const message = await Promise.race([received, timeout(10_000, "message")]);
  await sub.endAsync();
  await pub.endAsync();
  return { granted: granted.map((g) => g.qos), wss: code, message };
}

const scenarios = { pubsub, deny, certificates, websocket };
try {
  const result = await Promise.race([scenarios[scenario](), timeout(60_000, scenario)]);
  console.log(JSON.stringify(result));
  process.exit(0);
} catch (e) {
  console.error(e);
  process.exit(1);
}

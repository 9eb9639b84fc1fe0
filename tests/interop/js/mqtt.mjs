// MQTT.js (mqtt 5.x) against gridlog's MQTT broker (test_js_mqtt.py): one scenario per run,
// `node mqtt.mjs SCENARIO VERSION HOST PORT KEY`; prints one JSON line of what it saw.
import mqtt from "mqtt";

const [scenario, version, host, port, key] = process.argv.slice(2);
const protocolVersion = version === "5" ? 5 : 4;

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

const scenarios = { pubsub, deny };
try {
  const result = await Promise.race([scenarios[scenario](), timeout(60_000, scenario)]);
  console.log(JSON.stringify(result));
  process.exit(0);
} catch (e) {
  console.error(e);
  process.exit(1);
}

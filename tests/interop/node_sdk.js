// The official Twilio Node SDK against `confpart serve`: create, mute, hold by label, list
// with a filter, delete, one refused update. (twilio-node encodes spaces as %20 and passes
// boolean strings through unchanged: "True" is sent as such.)
//
// Usage: node node_sdk.js BASE_URL ACCOUNT TOKEN
"use strict";

delete process.env.TWILIO_EDGE;
delete process.env.TWILIO_REGION;
const twilio = require("twilio");

const [base, account, token] = process.argv.slice(2);
const client = twilio(account, token);
client.api.baseUrl = base;

function fail(message) {
  console.error(message);
  process.exit(1);
}

async function main() {
  console.log("step: create");
  const first = await client.conferences("node room").participants.create({
    from: "+15005550006",
    to: "+15005550001",
    label: "front desk",
  });
  if (first.status !== "queued") fail(`create: status ${first.status}`);
  const cf = first.conferenceSid;
  const other = await client.conferences(cf).participants.create({
    from: "+15005550006",
    to: "+15005550002",
  });
  const parts = client.conferences(cf).participants;

  console.log("step: mute (boolean as the string 'True')");
  const muted = await parts(other.callSid).update({ muted: "True" });
  if (muted.muted !== true) fail(`mute: ${muted.muted}`);

  console.log("step: hold by label");
  const held = await parts("front desk").update({
    hold: true,
    holdUrl: "https://music.example/hold.mp3?loop=1&volume=low",
  });
  if (held.hold !== true || held.callSid !== first.callSid) fail(`hold: ${held.hold} ${held.callSid}`);

  console.log("step: list with a filter");
  const list = await parts.list({ muted: true });
  if (list.length !== 1 || list[0].callSid !== other.callSid) fail(`list: ${list.map((p) => p.callSid)}`);

  console.log("step: delete");
  if ((await parts(other.callSid).remove()) !== true) fail("delete");

  console.log("step: one refused update");
  try {
    await parts(other.callSid).update({ muted: false });
    fail("update after delete succeeded");
  } catch (e) {
    if (e.status !== 404 || e.code !== 20404) fail(`refused: ${e.status} ${e.code} ${e.message}`);
    console.log(`  refused ${e.status}/${e.code} as expected`);
  }
  console.log("node sdk scenario: ok");
}

main().catch((e) => fail(`unexpected: ${e.stack || e}`));

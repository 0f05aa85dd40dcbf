// The official Telnyx Node SDK (it sends form bodies) against `confpart serve --dialect telnyx`:
// create, mute, hold with music, coach, fetch, list, delete, and refusals, each an
// APIError subclass with Telnyx's error code (a string) in its body.
//
// Usage: node telnyx_sdk.js BASE_URL ACCOUNT API_KEY   (the SDK's base URL is BASE_URL + "/v2")
"use strict";

const { Telnyx } = require("telnyx");

const [base, account, key] = process.argv.slice(2);
// No retries: a refusal must reach the test as it was answered.
const client = (apiKey) => new Telnyx({ apiKey, baseURL: `${base}/v2`, maxRetries: 0 });
const tx = client(key);
const parts = tx.texml.accounts.conferences.participants;
const HOLD_URL = "https://music.example/hold.mp3?loop=1&volume=low";

function fail(message) {
  console.error(message);
  process.exit(1);
}

function step(name) {
  console.log(`step: ${name}`);
}

async function refused(name, cls, status, code, call) {
  step(name);
  try {
    await call();
  } catch (e) {
    const got = e.error && e.error.errors && e.error.errors[0] ? e.error.errors[0].code : undefined;
    if (!(e instanceof cls) || e.status !== status || got !== code) {
      fail(`${name}: expected ${cls.name} ${status}/${code}, got ${e.constructor.name} ${e.status}/${got}: ${JSON.stringify(e.error)}`);
    }
    console.log(`  refused ${e.status}/${got} as expected (${e.constructor.name})`);
    return;
  }
  fail(`${name}: expected ${status}/${code}, the call succeeded`);
}

async function main() {
  step("create (form body)");
  const first = await parts.participants("node room", {
    account_sid: account,
    From: "+15005550006",
    To: "+15005550001",
    Label: "front desk",
  });
  if (first.status !== "connecting") fail(`create: status ${first.status}`);
  if (!first.call_sid.startsWith("v3:")) fail(`create: call_sid ${first.call_sid}`);
  const cf = first.conference_sid;
  const other = await parts.participants(cf, { account_sid: account, From: "+15005550006", To: "+15005550002" });
  const at = { account_sid: account, conference_sid: cf };

  step("wait until connected");
  const deadline = Date.now() + 10000;
  for (;;) {
    const statuses = await Promise.all([first, other].map((p) => parts.retrieve(p.call_sid, at).then((r) => r.status)));
    if (statuses.every((s) => s === "connected")) break;
    if (Date.now() > deadline) fail(`not connected: ${statuses}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  step("mute");
  const muted = await parts.update(other.call_sid, { ...at, Muted: true });
  if (muted.muted !== true || muted.call_sid !== other.call_sid) fail(`mute: ${JSON.stringify(muted)}`);

  step("hold with music, by label");
  const held = await parts.update("front desk", { ...at, Hold: true, HoldUrl: HOLD_URL, HoldMethod: "GET" });
  if (held.hold !== true || held.call_sid !== first.call_sid) fail(`hold: ${JSON.stringify(held)}`);
  await parts.update("front desk", { ...at, Hold: false });

  step("coach");
  const coach = await parts.update(first.call_sid, { ...at, Coaching: true, CallSidToCoach: other.call_sid });
  if (coach.coaching !== true || coach.coaching_call_sid !== other.call_sid) fail(`coach: ${JSON.stringify(coach)}`);

  step("fetch");
  const fetched = await parts.retrieve(other.call_sid, at);
  if (fetched.muted !== true || fetched.api_version !== "v2/texml") fail(`fetch: ${JSON.stringify(fetched)}`);

  step("list");
  const page = await parts.retrieveParticipants(cf, { account_sid: account });
  const listed = page.participants.map((p) => p.call_sid).sort();
  if (JSON.stringify(listed) !== JSON.stringify([first.call_sid, other.call_sid].sort())) fail(`list: ${listed}`);

  step("delete");
  await parts.delete(other.call_sid, at);

  await refused("update a deleted participant", Telnyx.NotFoundError, 404, "10005", () =>
    parts.update(other.call_sid, { ...at, Muted: false }),
  );
  await refused("a wrong API key", Telnyx.AuthenticationError, 401, "10009", () =>
    client("not-the-key").texml.accounts.conferences.participants.retrieve(first.call_sid, at),
  );
  console.log("telnyx node sdk scenario: ok");
}

main().catch((e) => fail(`unexpected: ${e.stack || e}`));

// Webhook signatures through the official Twilio Node SDK (twilio.validateRequest,
// twilio.validateRequestWithBody, twilio.getExpectedTwilioSignature), and Telnyx's Ed25519
// ones through the official Telnyx Node SDK (lib/webhooks.js: TelnyxWebhook, WebCrypto).
//
// Reads one JSON case per line on stdin, writes one answer per line on stdout:
//   {"op": "sign", "key", "url", "pairs"}          -> getExpectedTwilioSignature
//   {"op": "validate", "key", "url", "pairs", "sig"} -> "true" / "false" (validateRequest)
//   {"op": "validate_body", "key", "url", "body", "sig"} -> validateRequestWithBody
//   {"op": "validate_form", "key", "url", "form", "sig"} -> validateRequest with a received
//       raw form body parsed as Express's urlencoded parser (extended: false) does:
//       querystring.parse
//   {"op": "telnyx_verify", "key", "body", "sig", "ts"} -> "true" / "false":
//       new TelnyxWebhook(key).verify(body, {telnyx-signature-ed25519, telnyx-timestamp})
//       (the timestamp within 300 s of now, then the signature)
// Answers come in the order of the cases (the Telnyx check is asynchronous).
// Repeated names become arrays, as Express's urlencoded parser gives them.
"use strict";
const querystring = require("querystring");
const readline = require("readline");
const twilio = require("twilio");
const { TelnyxWebhook } = require("telnyx/lib/webhooks");

async function telnyxVerify(c) {
  try {
    await new TelnyxWebhook(c.key).verify(c.body, {
      "telnyx-signature-ed25519": c.sig,
      "telnyx-timestamp": c.ts,
    });
    return "true";
  } catch (e) {
    return "false";
  }
}

function params(pairs) {
  const out = {};
  for (const [name, value] of pairs) {
    if (!Object.prototype.hasOwnProperty.call(out, name)) {
      out[name] = value;
    } else if (Array.isArray(out[name])) {
      out[name].push(value);
    } else {
      out[name] = [out[name], value];
    }
  }
  return out;
}

const rl = readline.createInterface({ input: process.stdin });
let pending = Promise.resolve();
rl.on("line", (line) => {
  const c = JSON.parse(line);
  if (c.op === "telnyx_verify") {
    pending = pending.then(async () => process.stdout.write((await telnyxVerify(c)) + "\n"));
    return;
  }
  let answer;
  if (c.op === "sign") {
    answer = twilio.getExpectedTwilioSignature(c.key, c.url, params(c.pairs));
  } else if (c.op === "validate") {
    answer = String(twilio.validateRequest(c.key, c.sig, c.url, params(c.pairs)));
  } else if (c.op === "validate_form") {
    answer = String(twilio.validateRequest(c.key, c.sig, c.url, querystring.parse(c.form)));
  } else {
    answer = String(twilio.validateRequestWithBody(c.key, c.sig, c.url, c.body));
  }
  pending = pending.then(() => process.stdout.write(answer + "\n"));
});

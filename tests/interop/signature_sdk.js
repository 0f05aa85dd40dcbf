// Webhook signatures through the official Twilio Node SDK (twilio.validateRequest,
// twilio.validateRequestWithBody, twilio.getExpectedTwilioSignature).
//
// Reads one JSON case per line on stdin, writes one answer per line on stdout:
//   {"op": "sign", "key", "url", "pairs"}          -> getExpectedTwilioSignature
//   {"op": "validate", "key", "url", "pairs", "sig"} -> "true" / "false" (validateRequest)
//   {"op": "validate_body", "key", "url", "body", "sig"} -> validateRequestWithBody
//   {"op": "validate_form", "key", "url", "form", "sig"} -> validateRequest with a received
//       raw form body parsed as Express's urlencoded parser (extended: false) does:
//       querystring.parse
// Repeated names become arrays, as Express's urlencoded parser gives them.
"use strict";
const querystring = require("querystring");
const readline = require("readline");
const twilio = require("twilio");

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
rl.on("line", (line) => {
  const c = JSON.parse(line);
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
  process.stdout.write(answer + "\n");
});

"""Webhook signatures through the official Twilio Python SDK (twilio.request_validator),
and Telnyx's Ed25519 ones through the official Telnyx Python SDK (telnyx[webhooks], whose
verifier is PyNaCl).

Reads one JSON case per line on stdin, writes one answer per line on stdout:
  {"op": "sign", "key": K, "url": U, "pairs": [[name, value], ...]}
      -> RequestValidator(K).compute_signature(U, params)
  {"op": "validate", "key": K, "url": U, "pairs": [...], "sig": S}
      -> "true" / "false" from RequestValidator(K).validate(U, params, S)
  {"op": "validate_body", "key": K, "url": U, "body": B, "sig": S}
      -> validate with the body as a string (the bodySHA256 path)
  {"op": "validate_form", "key": K, "url": U, "form": F, "sig": S}
      -> validate a received form body F (raw, still percent-encoded), parsed as a web
         framework does (urllib.parse.parse_qsl, blank values kept)
  {"op": "telnyx_unwrap", "key": PUB, "body": B, "sig": S, "ts": T}
      -> "true" / "false" from Telnyx().webhooks.unwrap(B, headers=..., key=PUB): the SDK's
         check (timestamp within 300 s of now, then the signature); a body that passes and is
         not JSON (a callback form) ends in its json.loads, which counts as accepted
  {"op": "nacl_verify", "key": PUB, "body": B, "sig": S, "ts": T}
      -> "true" / "false" from PyNaCl's VerifyKey(PUB).verify(f"{T}|{B}", S) (no time check)
  {"op": "nacl_sign", "seed": SEED, "body": B, "ts": T}
      -> base64 of PyNaCl's SigningKey(SEED).sign(f"{T}|{B}").signature
Keys, seeds and signatures in base64.
Repeated names are given as a multi-dict (`getall`), as Flask's request.form is.
"""

import base64
import json
import sys
import urllib.parse

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey
from telnyx import Telnyx
from twilio.request_validator import RequestValidator

TELNYX = Telnyx(api_key="unused: only the webhook verifier runs")


def telnyx_unwrap(case):
    headers = {"telnyx-signature-ed25519": case["sig"], "telnyx-timestamp": case["ts"]}
    try:
        TELNYX.webhooks.unwrap(case["body"], headers=headers, key=case["key"])
    except json.JSONDecodeError:
        return "true"
    except ValueError:
        return "false"
    return "true"


def nacl_verify(case):
    message = f"{case['ts']}|{case['body']}".encode("utf-8")
    try:
        VerifyKey(base64.b64decode(case["key"])).verify(message, base64.b64decode(case["sig"]))
    except (BadSignatureError, ValueError):
        return "false"
    return "true"


def nacl_sign(case):
    message = f"{case['ts']}|{case['body']}".encode("utf-8")
    signed = SigningKey(base64.b64decode(case["seed"])).sign(message)
    return base64.b64encode(signed.signature).decode()


class MultiDict:
    """The part of werkzeug's MultiDict the validator uses: keys, and getall."""

    def __init__(self, pairs):
        self.pairs = pairs

    def __iter__(self):
        seen = []
        for name, _ in self.pairs:
            if name not in seen:
                seen.append(name)
        return iter(seen)

    def __len__(self):
        return len(self.pairs)

    def getall(self, name):
        return [v for n, v in self.pairs if n == name]


TELNYX_OPS = {"telnyx_unwrap": telnyx_unwrap, "nacl_verify": nacl_verify, "nacl_sign": nacl_sign}

for line in sys.stdin:
    case = json.loads(line)
    if case["op"] in TELNYX_OPS:
        print(TELNYX_OPS[case["op"]](case))
        sys.stdout.flush()
        continue
    validator = RequestValidator(case["key"])
    if case["op"] == "sign":
        print(validator.compute_signature(case["url"], MultiDict(case["pairs"])))
    elif case["op"] == "validate":
        ok = validator.validate(case["url"], MultiDict(case["pairs"]), case["sig"])
        print("true" if ok else "false")
    elif case["op"] == "validate_form":
        pairs = urllib.parse.parse_qsl(case["form"], keep_blank_values=True)
        ok = validator.validate(case["url"], MultiDict(pairs), case["sig"])
        print("true" if ok else "false")
    else:
        ok = validator.validate(case["url"], case["body"], case["sig"])
        print("true" if ok else "false")
    sys.stdout.flush()

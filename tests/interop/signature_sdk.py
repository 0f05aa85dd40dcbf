"""Webhook signatures through the official Twilio Python SDK (twilio.request_validator).

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
Repeated names are given as a multi-dict (`getall`), as Flask's request.form is.
"""

import json
import sys
import urllib.parse

from twilio.request_validator import RequestValidator


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


for line in sys.stdin:
    case = json.loads(line)
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

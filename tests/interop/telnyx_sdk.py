"""The TeXML participant calls through the official Telnyx Python SDK (it sends JSON bodies).

Usage: telnyx_sdk.py BASE_URL ACCOUNT API_KEY

BASE_URL is `confpart serve --dialect telnyx` (the SDK's base URL is BASE_URL + "/v2").
Creates three participants in a conference named in the path, waits until they are
connected, mutes one, holds one with music, makes one coach another, fetches, lists,
deletes, then checks the refusals: each must raise the SDK's error class for the status,
with Telnyx's error code (a string) in the body. Prints one line per step; exits 1 on the
first mismatch.
"""

import sys
import time

import telnyx

BASE, ACCOUNT, KEY = sys.argv[1:4]
HOLD_URL = "https://music.example/hold.mp3?loop=1&volume=low"


def client(key):
    # No retries: a refusal must reach the test as it was answered.
    return telnyx.Telnyx(api_key=key, base_url=BASE + "/v2", max_retries=0)


def step(name):
    print("step:", name, flush=True)


def code_of(e):
    errors = (e.body or {}).get("errors") if isinstance(e.body, dict) else None
    if not errors:
        return None
    return errors[0].get("code")


def refused(name, cls, status, code, call):
    step(name)
    try:
        call()
    except cls as e:
        got = (e.status_code, code_of(e))
        if got != (status, code):
            sys.exit(f"{name}: expected {status}/{code}, got {got}: {e.body}")
        print(f"  refused {got[0]}/{got[1]} as expected ({type(e).__name__})", flush=True)
        return
    except telnyx.APIStatusError as e:
        sys.exit(f"{name}: expected {cls.__name__}, got {type(e).__name__} {e.status_code}: {e.body}")
    sys.exit(f"{name}: expected {status}/{code}, the call succeeded")


tx = client(KEY)
parts = tx.texml.accounts.conferences.participants

step("create three participants, one labelled with a space")
first = parts.participants(
    "interop standup", account_sid=ACCOUNT, from_="+15005550006", to="+15005550001", label="front desk"
)
assert first.status == "connecting", first.status
assert first.account_sid == ACCOUNT, first.account_sid
assert first.call_sid.startswith("v3:"), first.call_sid
cf = first.conference_sid
second = parts.participants(cf, account_sid=ACCOUNT, from_="+15005550006", to="+15005550002", label="agent")
third = parts.participants(
    cf, account_sid=ACCOUNT, from_="+15005550006", to="+15005550003", muted=False, timeout_seconds=30
)
sids = [first.call_sid, second.call_sid, third.call_sid]
assert len(set(sids)) == 3, sids
at = {"account_sid": ACCOUNT, "conference_sid": cf}

step("wait until connected")
deadline = time.time() + 10
while True:
    statuses = [parts.retrieve(s, **at).status for s in sids]
    if all(s == "connected" for s in statuses):
        break
    if time.time() > deadline:
        sys.exit(f"not connected: {statuses}")
    time.sleep(0.1)

step("mute")
p = parts.update(third.call_sid, **at, muted=True)
assert p.muted is True, p.muted
assert p.call_sid == third.call_sid, p.call_sid
assert p.api_version == "v2/texml", p.api_version
assert p.uri.endswith(".json") and p.uri.startswith("/v2/texml/"), p.uri

step("hold with music")
p = parts.update(second.call_sid, **at, hold=True, hold_url=HOLD_URL, hold_method="GET")
assert p.hold is True, p.hold

step("unhold, then coach")
parts.update(second.call_sid, **at, hold=False)
p = parts.update(first.call_sid, **at, coaching=True, call_sid_to_coach=second.call_sid)
assert p.coaching is True, p.coaching
assert p.coaching_call_sid == second.call_sid, p.coaching_call_sid

step("fetch by call id and by label")
p = parts.retrieve(third.call_sid, **at)
assert (p.muted, p.status, p.conference_sid) == (True, "connected", cf), p
p = parts.retrieve("front desk", **at)
assert p.call_sid == first.call_sid, p.call_sid
assert p.date_created and p.date_updated, p

step("list")
page = parts.retrieve_participants(cf, account_sid=ACCOUNT)
assert sorted(x.call_sid for x in page.participants) == sorted(sids), page.participants
assert page.page == 0 and page.start == 0 and page.end == 2, page
assert page.next_page_uri is None, page.next_page_uri
assert page.uri.startswith("/v2/texml/"), page.uri

step("delete")
parts.delete(third.call_sid, **at)

refused(
    "update a deleted participant",
    telnyx.NotFoundError,
    404,
    "10005",
    lambda: parts.update(third.call_sid, **at, muted=False),
)
refused(
    "coaching without a participant to coach",
    telnyx.UnprocessableEntityError,
    422,
    "10015",
    lambda: parts.update(second.call_sid, **at, coaching=True),
)
refused(
    "a wrong API key",
    telnyx.AuthenticationError,
    401,
    "10009",
    lambda: client("not-the-key").texml.accounts.conferences.participants.retrieve(first.call_sid, **at),
)
refused(
    "fetch in a conference that does not exist",
    telnyx.NotFoundError,
    404,
    "10005",
    lambda: parts.retrieve(first.call_sid, account_sid=ACCOUNT, conference_sid="00000000-0000-4000-8000-000000000000"),
)

print("telnyx python sdk scenario: ok", flush=True)

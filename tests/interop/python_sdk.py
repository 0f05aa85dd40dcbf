"""The bridge-service scenario (issue 9) through the official Twilio Python SDK.

Usage: python_sdk.py BASE_URL ACCOUNT TOKEN OTHER_ACCOUNT OTHER_TOKEN [prism]

BASE_URL is `confpart serve`, or with `prism` a `prism proxy --errors` in front of it. Each
refusal must raise TwilioRestException with the right status and code. Prints one line per
step; exits 1 on the first mismatch.

Through Prism, the list steps are answered by Prism itself with a 500: the bridge's pages
carry relative `uri`, `first_page_uri`, `next_page_uri` values, as Twilio's do, and the
description declares them `format: uri` (absolute), which `--errors` turns into an error
response. The Rust test checks that those are the only violations in Prism's log.
"""

import os
import sys
import time

for var in ("TWILIO_EDGE", "TWILIO_REGION"):
    os.environ.pop(var, None)

from twilio.base.exceptions import TwilioRestException  # noqa: E402
from twilio.rest import Client  # noqa: E402

BASE, ACCOUNT, TOKEN, OTHER, OTHER_TOKEN = sys.argv[1:6]
THROUGH_PRISM = sys.argv[6:7] == ["prism"]
HOLD_URL = "https://music.example/hold.mp3?loop=1&volume=low"


def client(sid, token):
    c = Client(sid, token)
    c.api.base_url = BASE
    return c


def step(name):
    print("step:", name, flush=True)


def refused(name, status, code, call):
    step(name)
    try:
        call()
    except TwilioRestException as e:
        if (e.status, e.code) != (status, code):
            sys.exit(f"{name}: expected {status}/{code}, got {e.status}/{e.code}: {e.msg}")
        print(f"  refused {e.status}/{e.code} as expected", flush=True)
        return
    sys.exit(f"{name}: expected {status}/{code}, the call succeeded")


tw = client(ACCOUNT, TOKEN)
conf_name = "interop standup"

step("create three participants, one labelled with a space")
first = tw.conferences(conf_name).participants.create(
    from_="+15005550006", to="+15005550001", label="front desk"
)
assert first.status == "queued", first.status
assert first.queue_time is not None
cf = first.conference_sid
second = tw.conferences(cf).participants.create(from_="+15005550006", to="+15005550002", label="agent")
third = tw.conferences(cf).participants.create(from_="+15005550006", to="+15005550003")
parts = tw.conferences(cf).participants
sids = [first.call_sid, second.call_sid, third.call_sid]

step("wait until connected")
deadline = time.time() + 10
while True:
    statuses = [parts(s).fetch().status for s in sids]
    if all(s == "connected" for s in statuses):
        break
    if time.time() > deadline:
        sys.exit(f"not connected: {statuses}")
    time.sleep(0.1)

step("mute")
p = parts(third.call_sid).update(muted=True)
assert p.muted is True, p.muted

step("hold by label, HoldUrl with ? and &")
p = parts("front desk").update(hold=True, hold_url=HOLD_URL, hold_method="GET")
assert p.hold is True and p.call_sid == first.call_sid, (p.hold, p.call_sid)

refused(
    "coach a held target",
    400,
    16027,
    lambda: parts("agent").update(coaching=True, call_sid_to_coach=first.call_sid, muted=False),
)

step("monitor")
p = parts("agent").update(muted=True, coaching=True, call_sid_to_coach=third.call_sid)
assert p.coaching is True and p.call_sid_to_coach == third.call_sid, (p.coaching, p.call_sid_to_coach)

step("barge")
p = parts("agent").update(muted=False, coaching=False)
assert p.coaching is False and p.muted is False, (p.coaching, p.muted)

step("Coaching=true without a target")
try:
    parts(third.call_sid).update(coaching=True)
    sys.exit("Coaching=true without a target: the call succeeded")
except TwilioRestException as e:
    assert e.status == 400, e.status
    print(f"  refused {e.status}/{e.code} as expected", flush=True)


def prism_refuses_list(name, call):
    """Through `prism proxy --errors`: Prism answers a list page with its own 500 (see above)."""
    step(name + " (through Prism: its 500 for the description's relative-uri rule)")
    try:
        call()
    except Exception as e:  # the SDK raises TwilioException for a page it cannot read
        text = str(e)
        if "500" not in text or "must match format" not in text:
            sys.exit(f"{name}: not Prism's format violation: {text}")
        print("  Prism: 500, uri format violation (expected, see the module docs)", flush=True)
        return
    sys.exit(f"{name}: Prism let a page with relative URIs through")


if THROUGH_PRISM:
    prism_refuses_list("list filtered by Muted=true", lambda: parts.list(muted=True))
    prism_refuses_list("list with PageSize=2", lambda: parts.list(page_size=2))
else:
    step("list filtered by Muted=true")
    muted = parts.list(muted=True)
    assert [m.call_sid for m in muted] == [third.call_sid], [m.call_sid for m in muted]

    step("list with PageSize=2 following next_page_uri to the end")
    everyone = parts.list(page_size=2)
    assert sorted(m.call_sid for m in everyone) == sorted(sids), [m.call_sid for m in everyone]
    page = parts.page(page_size=2)
    assert page.next_page_url is not None
    assert len(list(page)) == 2

step("delete")
assert parts(second.call_sid).delete() is True

refused("update after delete", 404, 20404, lambda: parts(second.call_sid).update(muted=True))
refused("a wrong token", 401, 20003, lambda: client(ACCOUNT, "wrong").conferences(cf).participants(first.call_sid).fetch())
refused(
    "another account's path",
    401,
    20003,
    lambda: client(OTHER, OTHER_TOKEN).api.v2010.accounts(ACCOUNT).conferences(cf).participants(first.call_sid).fetch(),
)
refused(
    "another account's conference",
    404,
    20404,
    lambda: client(OTHER, OTHER_TOKEN).conferences(cf).participants(first.call_sid).fetch(),
)
print("python sdk scenario: ok", flush=True)

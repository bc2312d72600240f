"""Drives a running Switchboard through Bland's official Python client (`bland` on PyPI).

The client is used as shipped, pointed at SWITCHBOARD_BASE_URL instead of api.bland.ai. Each check
calls the client, lets it parse the answer into its own response models, and then checks the raw
answer against the seed specification. A check fails when the API answers an error the seed does
not call for, when the client cannot parse a field for a reason other than a listed place where the
client's models and the seed disagree (the seed wins there), or when the answer lacks what the seed
promises.

Prints one JSON document on stdout: {"checks": {name: {"problems": [...], "deviations": [...],
"exchanges": [...]}}}. Exit code 0 even when checks fail: the jest suite decides, check by check.
"""

import json
import os
import random
import sys
import time
import traceback
from datetime import datetime, timedelta, timezone

import httpx
from bland.client import BlandAI
from bland.core.api_error import ApiError
from pydantic.v1 import ValidationError

BASE_URL = os.environ["SWITCHBOARD_BASE_URL"]
API_KEY = os.environ["SWITCHBOARD_API_KEY"]
WAIT_S = float(os.environ.get("SWITCHBOARD_WAIT_SECONDS", "60"))

QUESTIONS = [
    ["Who answered the call?", "human or voicemail"],
    ["Customer confirmed they were satisfied", "boolean"],
]

# Places where the client's generated models are narrower than the seed; the seed wins, so a
# validation error at these locations (and only these) is recorded as a deviation, not a problem.
# Locations use "*" for list indexes and dict keys.
SEED_WINS = {
    "call_details": {
        ("batch_id",): "seed: null when the call is not part of a batch",
        ("error_message",): "seed: null unless an error occurred",
        ("answered_by",): "seed: null when answered_by_enabled is off",
        ("request_data", "*"): "seed: request_data holds the request's parameters, not only strings (its example has booleans)",
        ("variables", "*"): "seed: variables are whatever the call created",
    },
    "list_calls": {
        ("calls", "*", "createdAt"): "seed: GET /v1/calls rows carry created_at (snake case)",
        ("calls", "*", "answered_by"): "seed: answered_by is null unless detection was on",
    },
    "call_analyze": {
        ("answers", "*"): "seed: answers is one flat array, one answer per question",
    },
    "batch_analyze": {
        ("answers",): "seed: answers is an object keyed by call_id",
    },
    "batch_list": {
        ("batches", "*", "campaign_id"): "seed: campaign_id is null when not given",
        ("batches", "*", "label"): "seed: label is null when not given ('if any')",
    },
    "batch_details": {
        ("batch_params", "label"): "seed: label is null when not given",
        ("analysis", "error_messages", "*"): "seed: error_messages are {call_id, error_message} objects",
        ("call_data", "*", "call_length"): "seed: call_length is a number of minutes (0.12345 in its example)",
    },
    "batch_analysis": {
        ("analysis", "*", "answers", "*"): "seed: answers have the questions' types (booleans, null)",
        ("analysis", "*", "questions", "*"): "seed: questions are [question, type] pairs",
    },
}


def trunc(text, limit=3000):
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} chars)"


class Recorder:
    def __init__(self):
        self.exchanges = []

    def on_response(self, response):
        response.read()
        req = response.request
        body = req.content.decode("utf-8", "replace") if req.content else None
        self.exchanges.append(
            {
                "request": f"{req.method} {req.url}",
                "request_body": trunc(body) if body else None,
                "status": response.status_code,
                "response_body": trunc(response.text),
                "_full_body": response.text,
            }
        )


recorder = Recorder()
# The client's own default is httpx.Client(timeout=60, follow_redirects=True); the same, plus a hook
# that records each exchange for the report. Nothing about the client's requests changes.
client = BlandAI(
    base_url=BASE_URL,
    api_key=API_KEY,
    httpx_client=httpx.Client(timeout=60, follow_redirects=True, event_hooks={"response": [recorder.on_response]}),
)
raw = httpx.Client(base_url=BASE_URL, headers={"authorization": API_KEY}, timeout=60)

results = {}
ctx = {}


def number():
    return "+1415" + "".join(random.choice("0123456789") for _ in range(7))


def norm(loc):
    return tuple("*" if isinstance(part, int) else part for part in loc)


def matches(pattern, loc):
    if len(pattern) > len(loc):
        return False
    return all(p == "*" or p == l for p, l in zip(pattern, loc))


class Check:
    def __init__(self, name):
        self.name = name
        self.problems = []
        self.deviations = []
        self.start = len(recorder.exchanges)

    def expect(self, cond, message):
        if not cond:
            self.problems.append(message)
        return cond

    def call(self, fn, allowed_key=None, expect_status=None):
        """Calls the client. Returns (parsed model or None, raw JSON or None, status)."""
        before = len(recorder.exchanges)
        model = None
        try:
            model = fn()
        except ValidationError as err:
            allowed = SEED_WINS.get(allowed_key or self.name, {})
            for e in err.errors():
                loc = norm(e["loc"])
                # pydantic reports each member of a Union; ignore the noise of `__root__` wrappers.
                loc = tuple(p for p in loc if p != "__root__")
                reason = next((why for pat, why in allowed.items() if matches(pat, loc)), None)
                where = ".".join(str(p) for p in loc)
                if reason:
                    self.deviations.append(f"client model rejects {where} ({e['msg']}); {reason}")
                else:
                    self.problems.append(f"the client cannot parse the answer: {where}: {e['msg']}")
        except ApiError as err:
            if expect_status is None or err.status_code != expect_status:
                self.problems.append(f"HTTP {err.status_code}: {trunc(json.dumps(err.body, default=str), 1500)}")
        exchange = recorder.exchanges[before] if len(recorder.exchanges) > before else None
        if exchange is None:
            self.problems.append("no HTTP exchange happened")
            return model, None, None
        try:
            body = json.loads(exchange["_full_body"]) if exchange["_full_body"] else None
        except ValueError:
            body = None
        if expect_status is not None and exchange["status"] != expect_status:
            self.problems.append(f"expected HTTP {expect_status}, got {exchange['status']}")
        return model, body, exchange["status"]


def check(name):
    def wrap(fn):
        c = Check(name)
        try:
            fn(c)
        except Exception:  # a crash is a failed check, with its trace in the report
            c.problems.append("check crashed: " + traceback.format_exc(limit=3))
        results[name] = {
            "problems": c.problems,
            "deviations": c.deviations,
            "exchanges": [{k: v for k, v in e.items() if k != "_full_body"} for e in recorder.exchanges[c.start:]],
        }
        return fn

    return wrap


def wait_for(path, done, what):
    deadline = time.time() + WAIT_S
    last = None
    while time.time() < deadline:
        res = raw.get(path)
        last = res
        if res.status_code == 200 and done(res.json()):
            return res.json()
        time.sleep(0.5)
    raise RuntimeError(f"{what} not done after {WAIT_S}s; last answer {last.status_code if last else None}: {trunc(last.text, 500) if last else ''}")


def is_str(v):
    return isinstance(v, str)


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


# ---------------------------------------------------------------- calls


@check("send_call")
def _(c):
    """The client's call(): temperature, tools and interruption_threshold are required arguments of
    its signature but typed Optional; a user who does not care passes None, sent as JSON null."""
    to = number()
    model, body, status = c.call(
        lambda: client.call(
            phone_number=to,
            task="Ask how their day is going.",
            temperature=None,
            tools=None,
            interruption_threshold=None,
            first_sentence="Hi, this is a client test.",
            record=True,
            max_duration=2,
            request_data={"name": "Ada"},
        )
    )
    if c.expect(status == 200 and body is not None, "POST /v1/calls with the client's null optionals must be accepted"):
        c.expect(body.get("status") == "success", f"status must be success: {body}")
        c.expect(is_str(body.get("call_id")), "call_id must be a string")
        c.expect("batch_id" in body and body["batch_id"] is None, "batch_id must be null for a single call")
        c.expect(model is not None and model.call_id == body.get("call_id"), "the client must read call_id")
        ctx["call_id"], ctx["call_to"] = body.get("call_id"), to


@check("send_call_explicit_values")
def _(c):
    to = number()
    model, body, status = c.call(
        lambda: client.call(
            phone_number=to,
            task="Ask how their day is going.",
            temperature=0.5,
            tools=[],
            interruption_threshold=500,
            first_sentence="Hi, this is a client test.",
            record=True,
            max_duration=2,
            request_data={"name": "Ada"},
            wait_for_greeting=False,
            language="en-US",
            voicemail_action="hangup",
            answered_by_enabled=False,
            pronunciation_guide=[{"word": "API", "pronunciation": "A P I"}],
            transfer_list={"default": "+12223334444"},
        )
    )
    if c.expect(status == 200 and body is not None, "POST /v1/calls with explicit values must be accepted"):
        c.expect(body.get("status") == "success" and is_str(body.get("call_id")), f"success with call_id: {body}")
        c.expect(model is not None and model.call_id == body.get("call_id"), "the client must read call_id")
        if "call_id" not in ctx:
            ctx["call_id"], ctx["call_to"] = body.get("call_id"), to


def ensure_call():
    """A call to read back: the one sent by the client, or one sent raw when the client's was refused."""
    if "call_id" not in ctx:
        to = number()
        res = raw.post("/v1/calls", json={"phone_number": to, "task": "Ask how their day is going.", "record": True, "max_duration": 2})
        res.raise_for_status()
        ctx["call_id"], ctx["call_to"] = res.json()["call_id"], to
    if "call_done" not in ctx:
        ctx["call_done"] = wait_for(f"/v1/calls/{ctx['call_id']}", lambda b: b.get("completed") is True, "the call")
    return ctx["call_id"]


@check("call_details")
def _(c):
    call_id = ensure_call()
    model, body, status = c.call(lambda: client.calls.details(call_id))
    if not c.expect(status == 200 and isinstance(body, dict), "GET /v1/calls/{id} must answer 200 with an object"):
        return
    for field in ["call_id", "c_id", "to", "from", "request_data", "completed", "created_at", "queue_status", "status",
                  "endpoint_url", "max_duration", "error_message", "variables", "answered_by", "concatenated_transcript",
                  "transcripts", "corrected_duration", "call_length", "batch_id", "record", "recording_url", "price"]:
        c.expect(field in body, f"field {field} missing")
    c.expect(body.get("completed") is True and body.get("queue_status") == "complete", "the call must be complete")
    c.expect(body.get("to") == ctx["call_to"], "to must be the number called")
    c.expect(is_str(body.get("concatenated_transcript")) and body.get("concatenated_transcript"), "concatenated_transcript must be a non-empty string")
    transcripts = body.get("transcripts") or []
    c.expect(len(transcripts) > 0, "transcripts must not be empty")
    for t in transcripts:
        c.expect(all(k in t for k in ("id", "created_at", "text", "user", "c_id")), f"transcript line lacks a seed field: {t}")
        c.expect(t.get("user") in ("user", "assistant", "robot", "agent-action"), f"transcript user {t.get('user')!r}")
    c.expect(is_num(body.get("call_length")), "call_length must be a number")
    c.expect(is_num(body.get("max_duration")), "max_duration must be a number")
    if model is not None:
        c.expect(model.to == body["to"] and model.completed is True, "the client's model must carry to and completed")


@check("list_calls")
def _(c):
    call_id = ensure_call()
    model, body, status = c.call(lambda: client.calls.list(to_number=ctx["call_to"], limit=10, ascending=False))
    if not c.expect(status == 200 and isinstance(body, dict), "GET /v1/calls must answer 200"):
        return
    calls = body.get("calls") or []
    c.expect(is_num(body.get("count")) and body.get("count") == len(calls), "count must be the number of calls returned")
    c.expect(any(row.get("call_id") == call_id for row in calls), "the call must be listed under its to_number")
    for row in calls:
        for field in ("call_id", "created_at", "call_length", "to", "from", "completed", "queue_status", "answered_by", "batch_id"):
            c.expect(field in row, f"list row lacks {field}")
    # The index range the client exposes as from_/to.
    _, ranged, rstatus = c.call(lambda: client.calls.list(from_=0, to=1, limit=5), allowed_key="list_calls")
    if c.expect(rstatus == 200 and isinstance(ranged, dict), "GET /v1/calls?from=0&to=1 must answer 200"):
        c.expect(len(ranged.get("calls") or []) <= 1, "from=0&to=1 must return at most one call")


@check("call_analyze")
def _(c):
    call_id = ensure_call()
    model, body, status = c.call(lambda: client.calls.analyze(call_id, goal="Check the customer's mood.", questions=QUESTIONS))
    if not c.expect(status == 200 and isinstance(body, dict), "POST /v1/calls/{id}/analyze must answer 200"):
        return
    c.expect(body.get("status") == "success", "status must be success")
    c.expect(is_str(body.get("message")), "message must be a string")
    answers = body.get("answers")
    c.expect(isinstance(answers, list) and len(answers) == len(QUESTIONS), f"answers must be an array with one entry per question, got {answers!r}")
    c.expect(is_num(body.get("credits_used")), f"credits_used (seed: number) missing or not a number: {body.get('credits_used')!r}")


@check("call_recording")
def _(c):
    call_id = ensure_call()
    recorded = ctx["call_done"].get("record") is True
    model, body, status = c.call(lambda: client.calls.recording(call_id))
    if not recorded:
        c.expect(status == 404, "a call without a recording must answer 404")
        return
    if c.expect(status == 200 and isinstance(body, dict), "GET /v1/calls/{id}/recording of a recorded call must answer 200"):
        c.expect(body.get("status") == "success" and is_str(body.get("url")), f"must carry status success and url: {body}")
        c.expect(model is not None and model.url == body.get("url"), "the client must read url")


@check("stop_call")
def _(c):
    start = (datetime.now(timezone.utc) + timedelta(days=30)).isoformat()
    _, sent, sstatus = c.call(
        lambda: client.call(phone_number=number(), task="Scheduled, then stopped.", temperature=0.5, tools=[],
                            interruption_threshold=500, start_time=start)
    )
    if not c.expect(sstatus == 200 and isinstance(sent, dict), "a scheduled call must be accepted"):
        return
    model, body, status = c.call(lambda: client.calls.stop(sent["call_id"]))
    if c.expect(status == 200 and isinstance(body, dict), "POST /v1/calls/{id}/stop of a scheduled call must answer 200"):
        c.expect(body.get("status") == "success", f"status must be success: {body}")
        c.expect(body.get("message") == "Call ended successfully.", f"seed message: {body.get('message')!r}")
        c.expect(model is not None and model.status == "success", "the client must read status")
    _, unknown, _ = c.call(lambda: client.calls.stop("00000000-0000-4000-8000-000000000000"), expect_status=404)
    c.expect(isinstance(unknown, dict) and unknown.get("status") == "error", f"an unknown call answers status error: {unknown}")


@check("send_call_start_time_client_format")
def _(c):
    """The client documents start_time as `YYYY-MM-DD HH:MM:SS -HH:MM`; the seed gives no other form."""
    start = (datetime.now(timezone.utc) + timedelta(days=30)).strftime("%Y-%m-%d %H:%M:%S") + " -05:00"
    _, body, status = c.call(
        lambda: client.call(phone_number=number(), task="Scheduled in the client's format.", temperature=0.5, tools=[],
                            interruption_threshold=500, start_time=start)
    )
    if c.expect(status == 200 and isinstance(body, dict), f"start_time {start!r} (the client's documented format) must be accepted"):
        raw.post(f"/v1/calls/{body['call_id']}/stop")


@check("bad_key")
def _(c):
    other = BlandAI(base_url=BASE_URL, api_key="sb_not_a_key",
                    httpx_client=httpx.Client(timeout=60, event_hooks={"response": [recorder.on_response]}))
    before = len(recorder.exchanges)
    try:
        other.calls.list(limit=1)
        c.problems.append("a wrong key must be refused")
    except ApiError as err:
        c.expect(err.status_code == 401, f"a wrong key answers 401, got {err.status_code}")
        # The client parses a 401 body into its ErrorBody {status, message}.
        c.expect(type(err).__name__ == "UnauthorizedError", f"the client must raise UnauthorizedError, got {type(err).__name__}")
    except ValidationError as err:
        c.problems.append(f"the client cannot parse the 401 body into ErrorBody: {err}")
    c.expect(len(recorder.exchanges) > before, "no HTTP exchange happened")


# ---------------------------------------------------------------- batches

BASE_PROMPT = "You are calling {{business}} about {{service}}."


def batch_rows(n=2):
    return [{"phone_number": number(), "business": f"Business {i}", "service": "window cleaning"} for i in range(n)]


@check("batch_send")
def _(c):
    """The client's batches.send() always sends top-level phone_number and task (required in its
    signature; the seed: 'all other parameters supported by the Send Call endpoint are supported here')."""
    rows = batch_rows()
    model, body, status = c.call(
        lambda: client.batches.send(
            base_prompt=BASE_PROMPT,
            call_data=rows,
            phone_number=rows[0]["phone_number"],
            task=BASE_PROMPT,
            temperature=0.5,
            tools=[],
            interruption_threshold=500,
            label="client suite",
            campaign_id="client-suite",
            max_duration=2,
        )
    )
    if c.expect(status == 200 and isinstance(body, dict), "POST /v1/batches in the client's form must be accepted"):
        c.expect(body.get("message") == "success" and is_str(body.get("batch_id")), f"seed answer {{message: success, batch_id}}: {body}")
        c.expect(model is not None and model.batch_id == body.get("batch_id"), "the client must read batch_id")
        ctx["batch_id"] = body.get("batch_id")


def ensure_batch():
    if "batch_id" not in ctx:
        res = raw.post("/v1/batches", json={"base_prompt": BASE_PROMPT, "call_data": batch_rows(), "label": "client suite",
                                             "campaign_id": "client-suite", "max_duration": 2})
        res.raise_for_status()
        ctx["batch_id"] = res.json()["batch_id"]
    if "batch_done" not in ctx:
        ctx["batch_done"] = wait_for(
            f"/v1/batches/{ctx['batch_id']}",
            lambda b: b.get("status") == "completed" or (b.get("analysis") or {}).get("in_progress_calls") == 0 and (b.get("analysis") or {}).get("total_calls", 0) > 0,
            "the batch",
        )
    return ctx["batch_id"]


SEED_CALL_PARAMS = ("reduce_latency", "voice_id", "language", "max_duration", "wait_for_greeting")


@check("batch_list")
def _(c):
    batch_id = ensure_batch()
    model, body, status = c.call(lambda: client.batches.list())
    if not c.expect(status == 200 and isinstance(body, dict), "GET /v1/batches must answer 200"):
        return
    c.expect(body.get("status") == "success", "status must be success")
    mine = [b for b in body.get("batches") or [] if b.get("batch_id") == batch_id]
    if c.expect(len(mine) == 1, "the batch must be listed once"):
        b = mine[0]
        for field in ("batch_id", "campaign_id", "created_at", "label", "base_prompt", "endpoint_code", "call_params"):
            c.expect(field in b, f"batch lacks {field}")
        c.expect(b.get("base_prompt") == BASE_PROMPT, "base_prompt keeps its placeholders")
        params = b.get("call_params") or {}
        missing = [k for k in SEED_CALL_PARAMS if k not in params]
        c.expect(not missing, f"call_params lacks the seed's {missing} (the values in force, defaults included): {params}")


@check("batch_details")
def _(c):
    batch_id = ensure_batch()
    model, body, status = c.call(lambda: client.batches.details(batch_id, include_calls=True, include_transcripts=True, include_analysis=True))
    if not c.expect(status == 200 and isinstance(body, dict), "GET /v1/batches/{id} must answer 200"):
        return
    params = body.get("batch_params") or {}
    c.expect(params.get("id") == batch_id, "batch_params.id must be the batch_id")
    for field in ("created_at", "label", "base_prompt", "endpoint_code", "call_params"):
        c.expect(field in params, f"batch_params lacks {field}")
    missing = [k for k in SEED_CALL_PARAMS if k not in (params.get("call_params") or {})]
    c.expect(not missing, f"batch_params.call_params lacks the seed's {missing}: {params.get('call_params')}")
    analysis = body.get("analysis") or {}
    for field in ("total_calls", "completed_calls", "in_progress_calls", "queue_statuses", "call_lengths", "call_ids", "error_messages", "endpoints"):
        c.expect(field in analysis, f"analysis lacks {field}")
    c.expect(analysis.get("total_calls") == 2, f"total_calls must be 2: {analysis.get('total_calls')}")
    lengths = analysis.get("call_lengths") or {}
    for field in ("average", "average_nonzero", "summary", "all"):
        c.expect(field in lengths, f"call_lengths lacks {field}")
    rows = body.get("call_data") or []
    c.expect(len(rows) == 2, f"call_data must hold the 2 calls, got {len(rows)}")
    for row in rows:
        for field in ("created_at", "to", "from", "completed", "call_id", "call_length", "answered_by"):
            c.expect(field in row, f"call_data row lacks {field}")
    if model is not None:
        c.expect(model.batch_params.id == batch_id, "the client must read batch_params.id")


@check("batch_analyze")
def _(c):
    batch_id = ensure_batch()
    model, body, status = c.call(lambda: client.batches.analyze(batch_id, goal="Check the customers' mood.", questions=QUESTIONS))
    if not c.expect(status == 200 and isinstance(body, dict), "POST /v1/batches/{id}/analyze must answer 200"):
        return
    c.expect(body.get("status") == "success", "status must be success")
    c.expect(is_str(body.get("message")), "message must be a string")
    answers = body.get("answers")
    if c.expect(isinstance(answers, dict) and len(answers) == 2, f"answers must be an object with one entry per call, got {answers!r}"):
        for call_id, values in answers.items():
            c.expect(isinstance(values, list) and len(values) == len(QUESTIONS), f"answers[{call_id}] must hold one answer per question: {values!r}")
    c.expect(is_num(body.get("credits_used")), f"credits_used (seed: number) missing or not a number: {body.get('credits_used')!r}")


@check("batch_analysis")
def _(c):
    batch_id = ensure_batch()
    model, body, status = c.call(lambda: client.batches.retrieve(batch_id))
    if not c.expect(status == 200 and isinstance(body, dict), "GET /v1/batches/{id}/analysis must answer 200"):
        return
    c.expect(body.get("status") == "success", "status must be success")
    c.expect(is_str(body.get("message")), "message must be a string")
    analysis = body.get("analysis")
    if c.expect(isinstance(analysis, list) and len(analysis) == 2, f"analysis must hold one object per call (after an analyze), got {analysis!r}"):
        for a in analysis:
            for field in ("call_id", "batch_id", "goal", "answers", "questions"):
                c.expect(field in a, f"analysis object lacks {field}")
            c.expect(a.get("batch_id") == batch_id, "analysis batch_id")
            c.expect(isinstance(a.get("answers"), list) and len(a["answers"]) == len(QUESTIONS), f"answers must hold one answer per question: {a.get('answers')!r}")


@check("batch_stop")
def _(c):
    start = (datetime.now(timezone.utc) + timedelta(days=30)).isoformat()
    res = raw.post("/v1/batches", json={"base_prompt": BASE_PROMPT, "call_data": batch_rows(3), "start_time": start})
    if not c.expect(res.status_code == 200, f"setup: a scheduled batch must be accepted: {res.status_code} {trunc(res.text, 500)}"):
        return
    batch_id = res.json()["batch_id"]
    model, body, status = c.call(lambda: client.batches.stop(batch_id))
    if c.expect(status == 200 and isinstance(body, dict), "POST /v1/batches/{id}/stop of a waiting batch must answer 200"):
        c.expect(body.get("status") == "success", f"status must be success: {body}")
        c.expect(is_str(body.get("message")), "message must be a string")
        c.expect(body.get("num_calls") == 3, f"num_calls must count the 3 cancelled rows: {body.get('num_calls')!r}")
        c.expect(body.get("batch_id") == batch_id, "batch_id must be the stopped batch")
        c.expect(model is not None and model.num_calls == body.get("num_calls"), "the client must read num_calls")


json.dump({"checks": results}, sys.stdout, default=str)
sys.stdout.write("\n")

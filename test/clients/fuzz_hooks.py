"""Schemathesis hooks for the /openapi.json fuzz run (SCHEMATHESIS_HOOKS=fuzz_hooks)."""

import re

import schemathesis

# A Node.js stack frame ("    at handler (/app/api/x.ts:12:5)", "at async Promise.all (index 0)",
# "at node:internal/…"), or a Python traceback, anywhere in a response body.
STACK_TRACE = re.compile(
    r"(?:^|\\n|\n)\s*at (?:async )?(?:[\w$.<>\[\] ]+ )?\(?(?:node:|file:|/|[A-Za-z]:\\|index \d)[^)\n]*\)?"
    r"|Traceback \(most recent call last\)"
)


@schemathesis.check
def no_stack_trace(ctx, response, case):
    """No response body may carry a stack trace."""
    # Audio (a voice sample) is not text; a stack trace would come as JSON or text.
    if (response.headers.get("content-type") or [""])[0].startswith("audio/"):
        return None
    text = response.text or ""
    match = STACK_TRACE.search(text)
    if match:
        start = max(0, match.start() - 200)
        raise AssertionError(f"Stack trace in the response body: …{text[start:match.end() + 200]}…")

"""Bland's Python client (`bland`, pinned in requirements.txt) creating web agents on Switchboard.

Reads SWITCHBOARD_BASE_URL and SWITCHBOARD_API_KEY; prints one JSON document on stdout:
{"created": <the client's parsed response>, "refused": {"status_code", "body"}}.
"""
import json
import os

from bland.client import BlandAI
from bland.core.api_error import ApiError

client = BlandAI(base_url=os.environ["SWITCHBOARD_BASE_URL"], api_key=os.environ["SWITCHBOARD_API_KEY"])

created = client.web_agents.create(
    prompt="You are the front desk of a dental clinic.",
    voice="maya",
    language="ENG",
    model="enhanced",
    first_sentence="Hello, how can I help?",
    interruption_threshold=100,
    max_duration=12,
    metadata={"campaign": "spring"},
)

refused = None
try:
    client.web_agents.create(prompt="p", language="Klingon")
except ApiError as err:
    refused = {"status_code": err.status_code, "body": err.body}

print(json.dumps({"created": created.dict(), "refused": refused}, default=str))

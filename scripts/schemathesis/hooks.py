"""Schemathesis hooks of the reliability suite (scripts/reliability): loaded through
SCHEMATHESIS_HOOKS=hooks with this directory on PYTHONPATH."""

import re

import schemathesis

# Grpc-Timeout units (gRPC over HTTP/2: hours, minutes, seconds, milli-, micro-, nanoseconds).
UNITS = {"H": 3600.0, "M": 60.0, "S": 1.0, "m": 1e-3, "u": 1e-6, "n": 1e-9}
# The most time a request may have given a service that answered 504 DEADLINE_EXCEEDED: every
# answer of these services takes milliseconds on loopback.
SHORT_DEADLINE_SECONDS = 1.0


def deadline_seconds(headers):
    """The request's Grpc-Timeout in seconds, or None when it sent none (or an invalid one)."""
    for name, value in (headers or {}).items():
        if name.lower() == "grpc-timeout":
            match = re.fullmatch(r"([0-9]{1,8})([HMSmun])", str(value))
            return int(match.group(1)) * UNITS[match.group(2)] if match else None
    return None


@schemathesis.check
def deadline_exceeded_only_after_a_short_deadline(ctx, response, case):
    """A 504 is the answer only to a request whose own deadline was short."""
    if response.status_code != 504:
        return None
    deadline = deadline_seconds(response.request.headers)
    if deadline is None or deadline > SHORT_DEADLINE_SECONDS:
        raise AssertionError(
            f"504 DEADLINE_EXCEEDED to a request with Grpc-Timeout of {deadline} s "
            f"(only a deadline of at most {SHORT_DEADLINE_SECONDS} s may run out)"
        )
    return None


# Top-level domains that never name a public host: spec-service refuses a target_repository on
# them, which its contract's pattern cannot say (the pattern admits any letters as a TLD).
LOCAL_DOMAINS = ("localhost", "local", "internal")
REPOSITORY_HOST = re.compile(r"^(?:https://|ssh://(?:git@)?|git@)([^:/]+)")


@schemathesis.hook
def filter_body(ctx, body):
    """Keeps generated bodies out of the one rule the contract states only in words: a
    target_repository on a local-only top-level domain (refused, documented in its description)."""
    if not isinstance(body, dict) or not isinstance(body.get("target_repository"), str):
        return True
    match = REPOSITORY_HOST.match(body["target_repository"])
    return not (match and match.group(1).rsplit(".", 1)[-1] in LOCAL_DOMAINS)

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

"""A small stand-in for the AgentCore control plane, in a child process on 127.0.0.1.

The real ``bedrock-agentcore-control`` endpoint cannot run here, so
``authgen attach`` is tested against this server. botocore still does
everything on the client side: it serializes the requests from the real
service model (REST-JSON: ``GET``/``PUT /gateways/{id}/``, ``GET``/``PUT
/runtimes/{id}/``), validates the parameters, signs them and parses the
answers; this server only answers those four operations the way the API
describes them:

- GetGateway / GetAgentRuntime return the stored record (404 with
  ``ResourceNotFoundException`` for an unknown id);
- UpdateGateway / UpdateAgentRuntime *replace* the whole configuration with
  the request body (members left out are gone, as with the real API), answer
  202 with status ``UPDATING``, and the next ``updating_reads`` reads say
  ``UPDATING`` before the record settles on ``outcome`` (``READY``, or a
  failure with its reasons);
- every request (method, path, headers, JSON body) is appended to a
  JSON-lines file, and the records are written back to ``state.json`` after
  each change, so a test sees what was sent and what the resource became.

Run as a program (what :meth:`ControlPlane.start` does)::

    python tests/support/agentcore_control.py STATE.json
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run by path: the repository root makes tests.support importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.support.loopback import READY, LoopbackServer, RecordingHandler, serve

#: Members a read returns that no update sets (they survive an update).
GATEWAY_IDENTITY = ("gatewayArn", "gatewayId", "gatewayUrl", "createdAt", "workloadIdentityDetails")
RUNTIME_IDENTITY = (
    "agentRuntimeArn",
    "agentRuntimeId",
    "agentRuntimeName",
    "createdAt",
    "workloadIdentityDetails",
)


class ControlPlane(LoopbackServer):
    """A running server; ``stop()`` ends it by process group id."""

    @classmethod
    def start(
        cls,
        workdir: Path,
        *,
        gateways: dict[str, dict] | None = None,
        runtimes: dict[str, dict] | None = None,
        updating_reads: int = 1,
        outcome: dict[str, Any] | None = None,
        timeout: float = 15.0,
    ) -> ControlPlane:
        return cls.launch(
            __file__,
            workdir,
            "control",
            {
                "gateways": gateways or {},
                "runtimes": runtimes or {},
                "updating_reads": updating_reads,
                "outcome": outcome or {"status": "READY"},
            },
            config_suffix=".state.json",
            timeout=timeout,
        )

    @property
    def state_path(self) -> Path:
        """The server's state file (its config, written back after each change)."""
        return self.config

    def state(self) -> dict:
        """The records as they are now."""
        return json.loads(self.state_path.read_text())


# --------------------------------------------------------------------------
# The server program


def _serve(state_path: str) -> None:
    path = Path(state_path)
    state = json.loads(path.read_text())
    record = Path(state["record"])
    lock = threading.Lock()
    kinds = {
        "gateways": ("gatewayId", GATEWAY_IDENTITY, ("name", "roleArn", "authorizerType")),
        "runtimes": ("agentRuntimeId", RUNTIME_IDENTITY, ("agentRuntimeArtifact", "roleArn")),
    }

    def save() -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(path)

    def settle(kind: str, item: dict) -> dict:
        """A read: UPDATING for a while after an update, then the outcome."""
        left = item.get("_updating_left", 0)
        if left > 0:
            item["_updating_left"] = left - 1
        elif item.get("status") == "UPDATING":
            outcome = state["outcome"]
            item["status"] = outcome["status"]
            reasons = outcome.get("reasons")
            if kind == "gateways":
                item["statusReasons"] = list(reasons or [])
            elif reasons:
                item["failureReason"] = "; ".join(reasons)
        return {k: v for k, v in item.items() if not k.startswith("_")}

    class Handler(RecordingHandler):
        def _answer(self) -> None:
            raw = self.read_body()
            route = self.request_path()
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw
            with lock:
                self.record_to(record, body)
                status, answer, error = self._route(route, body)
            data = json.dumps(answer).encode()
            headers = {"x-amzn-ErrorType": error} if error else {}
            self.send(status, "application/json", data, headers)

        def _route(self, route: str, body: Any) -> tuple[int, Any, str | None]:
            if route == READY:
                return 200, {"ready": True}, None
            parts = [p for p in route.split("/") if p]
            if len(parts) != 2 or parts[0] not in kinds:
                return 404, {"message": f"no route {route}"}, "UnknownOperationException"
            kind, ident = parts
            id_key, identity, required = kinds[kind]
            items = state[kind]
            if ident not in items:
                what = "Gateway" if kind == "gateways" else "Agent runtime"
                return 404, {"message": f"{what} {ident} not found"}, "ResourceNotFoundException"
            item = items[ident]
            if self.command == "GET":
                answer = settle(kind, item)
                save()
                return 200, answer, None
            if self.command != "PUT" or not isinstance(body, dict):
                return 400, {"message": "expected a JSON body"}, "ValidationException"
            missing = [m for m in required if m not in body]
            if missing:
                return 400, {"message": f"missing {', '.join(missing)}"}, "ValidationException"
            if item.get("status") in ("CREATING", "UPDATING", "DELETING"):
                return 409, {"message": f"{ident} is {item['status']}"}, "ConflictException"
            replaced = {k: item[k] for k in identity if k in item}
            replaced.update({k: v for k, v in body.items() if k != "clientToken"})
            replaced[id_key] = ident
            replaced["status"] = "UPDATING"
            replaced["_updating_left"] = state["updating_reads"]
            now = time.time()
            if kind == "gateways":
                replaced["updatedAt"] = now
            else:
                replaced["lastUpdatedAt"] = now
                replaced["agentRuntimeVersion"] = str(int(item.get("agentRuntimeVersion", "1")) + 1)
            items[ident] = replaced
            save()
            return 202, {k: v for k, v in replaced.items() if not k.startswith("_")}, None

        do_GET = do_PUT = do_POST = _answer

    serve(int(state["port"]), Handler)


if __name__ == "__main__":
    _serve(sys.argv[1])

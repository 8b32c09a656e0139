"""Helpers of the web tests for applications (cases): a duplicate, correction or annulment takes effect only when
a head approves it (`web.officer.cases_api`), so a test that needs one done applies and approves.

    apply_for(client, path, suffix, body, writer)    the document route (202): the application, awaiting approval
    approve(client, number, head)                    the head's approval: the application, granted (or refused)
    grant(client, path, suffix, body, writer, head)  both: the application as granted
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

APPLICATIONS = "/api/v1/officer/applications"


def apply_for(client: TestClient, path: str, suffix: str, body: dict[str, Any],
              writer: dict[str, str]) -> dict[str, Any]:
    """POST `path + suffix` (`/duplicates`, `/corrections`, `/annulment`) as `writer`: 202 and the application."""
    answer = client.post(f"{path}{suffix}", json=body, headers=writer)
    assert answer.status_code == 202, answer.text
    application: dict[str, Any] = answer.json()
    assert application["state"] == "awaiting_approval" and application["proposal"] == "grant"
    return application


def approve(client: TestClient, number: str, head: dict[str, str]) -> dict[str, Any]:
    """The head approves application `number`: 200 and the decided application."""
    answer = client.post(f"{APPLICATIONS}/{number}/approve", headers=head)
    assert answer.status_code == 200, answer.text
    application: dict[str, Any] = answer.json()
    assert application["state"] in ("granted", "refused")
    return application


def grant(client: TestClient, path: str, suffix: str, body: dict[str, Any], writer: dict[str, str],
          head: dict[str, str]) -> dict[str, Any]:
    """Apply as `writer`, approve as `head`: the granted application (its `result_document` / `result_revision`)."""
    application = approve(client, apply_for(client, path, suffix, body, writer)["number"], head)
    assert application["state"] == "granted"
    return application

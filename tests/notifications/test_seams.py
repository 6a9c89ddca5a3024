"""Issue 16: the seams part A (warnings) codes against, kept exactly: ``notify``'s signature,
``DueItem``'s fields, ``Feature.due`` and the sources the features declare."""

from __future__ import annotations

import dataclasses
import inspect
from datetime import date
from typing import Any

import pytest

from tenant_app.features import Feature, features
from tenant_app.notifications.services.notify import notify
from tenant_app.reminders.items import DueItem
from tenant_app.reminders.registry import sources


def test_notify_signature_is_the_agreed_one() -> None:
    sig = inspect.signature(notify)
    params = list(sig.parameters.values())
    assert [p.name for p in params] == [
        "ctx",
        "kind",
        "title",
        "link",
        "users",
        "enterprise_id",
        "payload",
    ]
    assert all(p.kind is p.KEYWORD_ONLY for p in params[1:])
    assert (sig.parameters["users"].default, sig.parameters["enterprise_id"].default) == ((), None)
    assert sig.parameters["payload"].default is None


def test_due_item_is_frozen_with_the_agreed_fields() -> None:
    assert [f.name for f in dataclasses.fields(DueItem)] == [
        "due",
        "title",
        "link",
        "kind",
        "rule_id",
        "object_ref",
        "assignee_id",
    ]
    item = DueItem(date(2026, 10, 9), "t", "/x", "cases.statement", None, "case:1", None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.due = date(2026, 10, 10)  # type: ignore[misc]


def test_features_declare_the_sources_the_app_hands_to_reminders(app: Any) -> None:
    assert Feature("x").due == ()
    declared = {fn for f in features() for fn in f.due}
    names = {f"{fn.__module__}.{fn.__name__}" for fn in declared}
    assert names >= {
        "tenant_app.cases.due.case_deadlines",
        "tenant_app.inspections.due.inspection_deadlines",
        "tenant_app.listing.due.listing_deadlines",
        "tenant_app.registry.due.rectification_deadlines",
    }
    with app.app_context():
        assert {f"{fn.__module__}.{fn.__name__}" for fn in sources()} == names

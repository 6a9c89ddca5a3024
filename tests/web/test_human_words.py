"""Issue 10, item 2: every page of the demo shows human words, in Chinese and in English.

The demo population (tenant_app/demo) is seeded; each demo role signs in (officer, tenant admin,
principal head, the province's auditor, an enterprise user) and the public pages are read
anonymously. Every GET page of the url_map is rendered with real ids from the demo rows, in
zh_CN and after /lang/en, and the visible text must hold no stored code of the enums the pages
show (tenant_app/ui/labels.py), no Python repr (``{'``, ``[{``, ``None``, ``True``/``False``),
and the English catalogue has no empty entry.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from sqlalchemy import select

from tenant_app.demo import seed_demo_data
from tenant_app.extensions import db
from tenant_app.models import (
    Case,
    ComplianceRecord,
    Draw,
    Enterprise,
    EnterpriseWarning,
    Inspection,
    Job,
    ListingBatch,
    ListingEntry,
    ScreeningRun,
    Tenant,
)
from tenant_app.models.audit import AUDIT_ACTIONS
from tenant_app.tenancy.resolve import system_scope
from tenant_app.tenancy.scope import use_scope
from tenant_app.ui.labels import LABELS, all_codes, label

from ..helpers import login

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "tenant_app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"

# Who signs in where (tenant_app/demo/regions.py, portal.py); None: the public pages, anonymously.
VISITORS: list[tuple[str, str | None]] = [
    ("xj-urumqi", "urumqi-officer1"),
    ("xj-urumqi", "urumqi-admin"),
    ("xj-urumqi", "urumqi-principal"),
    ("xj", "xj-auditor"),
    ("xj-urumqi", "urumqi-qiye"),
    ("sx-taiyuan", "taiyuan-qiye"),
    ("xj-urumqi", None),
    ("sx-taiyuan", None),
]
# Files and JSON, not pages.
from tenant_app.cases.services.documents import KINDS as DOCUMENT_KINDS  # noqa: E402

DOWNLOAD = re.compile(
    r"\.(xlsx|csv|json|docx|ics)$|/status$|/evidence/|/evidence$|/file$|^/healthz|^/lang/"
)
# A Python repr shown as text. "None", "True" and "False" are English words ("None entered
# yet"): they count only on a Chinese page. Likewise codes that are ordinary English words
# ("listed", "done") count only on a Chinese page; in English a code with "_" or "." does.
REPR = re.compile(r"\{'|\[\{|\[\]|\{\}")
REPR_ZH = re.compile(r"\bNone\b|\bTrue\b|\bFalse\b")
# Words: runs of ASCII letters, digits, "_", ".", "-" and ":" ("xj-auditor" is a username, not
# the role; "enterprise:" a protocol's literal prefix).
WORD = re.compile(r"[A-Za-z0-9_.:\-]+")


class _Text(HTMLParser):
    """The text a reader sees: no script/style, no attributes; option labels included.
    ``<code>`` holds literals (hashes, job ids, protocol strings) and is left out."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _ids(slug: str, username: str | None) -> dict[str, list[Any]]:
    """Real ids of the demo rows of ``slug`` (the enterprise user's own rows first)."""
    with use_scope(system_scope()):
        t = db.session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one()

        def first(column: Any, *where: Any, n: int = 2) -> list[Any]:
            entity = column.class_
            stmt = select(column).where(entity.tenant_id == t.id, *where).order_by(column)
            return list(db.session.execute(stmt.limit(n)).scalars())

        own: list[int] = []
        if username and username.endswith("qiye"):
            from tenant_app.demo.portal import account_enterprise

            e = account_enterprise(username, slug)
            own = [e.id] if e is not None else []
        ent_ids = own or first(Enterprise.id)
        insp = first(Inspection.id, *([Inspection.enterprise_id.in_(own)] if own else []))
        cases = first(Case.id, *([Case.enterprise_id.in_(own)] if own else []), n=3)
        warns = first(
            EnterpriseWarning.id, *([EnterpriseWarning.enterprise_id.in_(own)] if own else []), n=3
        )
        records = first(ComplianceRecord.id, ComplianceRecord.enterprise_id.in_(ent_ids), n=1)
        record_ent = first(ComplianceRecord.enterprise_id, ComplianceRecord.id.in_(records), n=1)
        return {
            "enterprise_id": ent_ids,
            "inspection_id": insp,
            "case_id": cases,
            "warning_id": warns,
            "entry_id": first(ListingEntry.id, n=3),
            "batch_id": first(ListingBatch.id, n=3),
            "run_id": first(ScreeningRun.id, n=1),
            "draw_id": first(Draw.id, n=2),
            "job_id": first(Job.id, n=2),
            "record": list(zip(record_ent, records, strict=True)),
            "kind": ["penalty"],
        }


def _urls(app: Flask, slug: str, username: str | None) -> Iterator[str]:
    ids = _ids(slug, username)
    adapter = app.url_map.bind("localhost")
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or DOWNLOAD.search(rule.rule):
            continue
        if not rule.endpoint.startswith(("web.", "public.")):
            continue
        args = set(rule.arguments) - {"tenant"}
        if username is None and not rule.endpoint.startswith(
            ("web.listing_public", "web.inspections_public", "public.")
        ):
            continue
        base = {"tenant": slug} if "tenant" in rule.arguments else {}
        if {"kind", "row_id"} <= args:
            continue  # a stored file handed back as an attachment, not a page
        if args == {"enterprise_id", "record_id"}:
            combos = [{"enterprise_id": e, "record_id": r} for e, r in ids["record"]]
        elif args == {"case_id", "kind"}:  # a case's documents (print views)
            combos = [
                {"case_id": c, "kind": k} for c in ids.get("case_id", []) for k in DOCUMENT_KINDS
            ]
        elif args:
            (arg,) = args - {"enterprise_id"} or args
            combos = [{arg: v} for v in ids.get(arg, [])]
            if "enterprise_id" in args and arg != "enterprise_id":
                combos = [{**c, "enterprise_id": e} for c in combos for e in ids["enterprise_id"]]
        else:
            combos = [{}]
        for c in combos:
            yield adapter.build(rule.endpoint, {**base, **c})


def _problems(text: str, lang: str, codes: set[str]) -> list[str]:
    found = [m.group(0) for m in REPR.finditer(text)]
    if lang == "zh_CN":
        found += [m.group(0) for m in REPR_ZH.finditer(text)]
    for word in {w.rstrip(".") for w in WORD.findall(text)}:
        if word in codes and (lang == "zh_CN" or "_" in word or "." in word):
            found.append(word)
    return found


@pytest.mark.slow
def test_every_demo_page_in_both_languages_shows_human_words(
    world: dict[str, Any], app: Flask
) -> None:
    seed_demo_data()
    db.session.commit()
    codes = all_codes() - {"A", "B", "C", "D"}
    failures: list[str] = []
    seen = 0
    for slug, username in VISITORS:
        urls = list(_urls(app, slug, username))
        for lang in ("zh_CN", "en"):
            client = app.test_client()
            if username:
                assert login(client, slug, username).status_code == 302, username
            if lang == "en":
                client.get("/lang/en")
            for url in urls:
                resp = client.get(url)
                if resp.status_code != 200 or resp.mimetype != "text/html":
                    continue
                seen += 1
                bad = _problems(visible_text(resp.get_data(as_text=True)), lang, codes)
                if bad:
                    failures.append(f"{username or 'public'} {lang} {url}: {sorted(set(bad))}")
    assert seen > 150, seen
    assert not failures, "\n".join(failures)


def test_the_english_catalogue_has_no_empty_entry() -> None:
    with CATALOG.open("rb") as f:
        catalog = read_po(f)
    empty = [m.id for m in catalog if m.id and not m.string]
    assert not empty, empty
    # Every label a page can show has its English words.
    english = {m.id: m.string for m in catalog if m.id}
    missing = sorted(
        {text for table in LABELS.values() for text in table.values() if not english.get(text)}
    )
    assert not missing, missing


def test_every_recorded_audit_action_reads_as_a_sentence(app: Flask) -> None:
    """login.succeeded → 登录成功 (and "Signed in" in English); the action name never shows."""
    recorded: set[str] = set()
    for path in (ROOT / "tenant_app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name not in ("record", "record_now", "record_anonymous"):
                continue
            # The action is the first argument, or the second after the acting context.
            action = node.args[0]
            if isinstance(action, ast.Name | ast.Call | ast.Attribute) and len(node.args) > 1:
                action = node.args[1]
            if isinstance(action, ast.JoinedStr):
                continue  # f"inspection.{verdict}": added below
            recorded |= {
                n.value
                for n in ast.walk(action)
                if isinstance(n, ast.Constant) and isinstance(n.value, str) and "." in n.value
            }
    recorded |= {"inspection.approved", "inspection.rejected"}  # f"inspection.{verdict}"
    assert recorded - set(AUDIT_ACTIONS) == set()
    with app.test_request_context():
        assert label("audit_action", "login.succeeded") == "登录成功"
        assert label("entry_state", "in_notice") == "公示中"
        assert label("entry_state", "no_such_state") == "未知（no_such_state）"


def test_the_audit_log_on_the_dashboard_reads_as_sentences(
    world: dict[str, Any], app: Flask
) -> None:
    """The tenant admin's recent activity says who signed in, in words, in both languages."""
    client = app.test_client()
    assert login(client, "xj-urumqi", "urumqi-admin").status_code == 302
    text = visible_text(client.get("/xj-urumqi/").get_data(as_text=True))
    assert "登录成功" in text and "login.succeeded" not in text
    client.get("/lang/en")
    text = visible_text(client.get("/xj-urumqi/").get_data(as_text=True))
    assert "Signed in" in text and "login.succeeded" not in text


def test_every_marked_string_of_the_pages_has_its_english() -> None:
    """Every string the pages and page modules mark (the page shell and every feature's pages
    and templates: the positive-list, inspection, registry and import pages included) has a
    non-empty English entry."""
    from babel.messages.extract import extract_from_dir

    with CATALOG.open("rb") as f:
        english = {m.id: m.string for m in read_po(f) if m.id and m.string and not m.fuzzy}
    keywords = {"_": None, "gettext": None, "N_": None, "_l": None, "lazy_gettext": None}
    sources = [
        ("tenant_app/ui/**.py", "python"),
        ("tenant_app/**/pages/**.py", "python"),
        ("tenant_app/**/pages.py", "python"),
        ("tenant_app/**/me_pages.py", "python"),
        ("tenant_app/policy/quiet_form.py", "python"),
        ("tenant_app/**/templates/**.html", "jinja2"),
    ]
    marked = {
        msg
        for _f, _l, msg, _c, _ctx in extract_from_dir(str(ROOT), sources, keywords=keywords)
        if isinstance(msg, str)
    }
    assert len(marked) > 600, len(marked)
    missing = sorted(marked - set(english))
    assert not missing, missing

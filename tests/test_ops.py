"""Operations end to end: /reload, SIGHUP, /health, webhook mode, logs, `netralbot health`."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest_asyncio

from bot.app import build_application, running
from bot.logs import JsonFormatter
from bot.qa import QA
from bot.rulebook import bundled_path
from bot.storage import Database
from tests.conftest import ADMIN_ID, make_config


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest_asyncio.fixture
async def bot_with_own_rulebook(botapi, tmp_path):
    """The bot reading its rulebook from a copy that the test may edit."""
    book = tmp_path / "rulebook"
    shutil.copytree(bundled_path(), book, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    config = make_config(botapi.url, tmp_path / "n.db", rulebook__path=str(book))
    db = await Database.open(config.storage.path)
    qa = QA.from_path(str(book), config.matcher, db)
    app = build_application(config, qa, db=db)
    async with running(app):
        yield botapi, app, qa, book
    await db.close()


async def test_reload_keeps_old_rulebook_when_new_one_is_invalid(bot_with_own_rulebook):
    api, _app, qa, book = bot_with_own_rulebook
    admin = api.user(ADMIN_ID, "Admin")
    chat = api.private_chat(admin)
    meta = book / "meta.yaml"
    meta.write_text(meta.read_text().replace('version: "', 'version: "9.9-'), encoding="utf-8")
    api.send_text(admin, chat, "/reload")
    (ok,) = await api.wait_messages(chat, 1)
    assert "9.9-" in ok["text"] and qa.rulebook.version.startswith("9.9-")

    broken = book / "rules" / "medsos.yaml"
    broken.write_text(broken.read_text().replace("verdict: prohibited", "verdict: maybe", 1))
    api.send_text(admin, chat, "/reload")
    (bad,) = await api.wait_messages(chat, 1)
    assert "tidak valid" in bad["text"]
    assert "rules/medsos.yaml:" in bad["text"] and "maybe" in bad["text"]
    assert qa.rulebook.version.startswith("9.9-")  # the old one is still in force
    user = api.user(4242, "Penanya")
    uchat = api.private_chat(user)
    api.send_text(user, uchat, "boleh like postingan paslon?")
    (answer,) = await api.wait_messages(uchat, 1)
    assert "DILARANG" in answer["text"]

    other = api.user(4243, "Bukan admin")
    ochat = api.private_chat(other)
    api.send_text(other, ochat, "/reload")
    (refused,) = await api.wait_messages(ochat, 1)
    assert "hanya untuk admin" in refused["text"]


async def test_sighup_reloads(bot_with_own_rulebook):
    api, _app, qa, book = bot_with_own_rulebook
    meta = book / "meta.yaml"
    meta.write_text(meta.read_text().replace('version: "', 'version: "7.7-'), encoding="utf-8")
    os.kill(os.getpid(), signal.SIGHUP)
    await api.wait_for(lambda: qa.rulebook.version.startswith("7.7-"), timeout=10)


async def test_health_command(bot_with_own_rulebook):
    api, _app, qa, _book = bot_with_own_rulebook
    admin = api.user(ADMIN_ID, "Admin")
    chat = api.private_chat(admin)
    api.send_text(admin, chat, "/health")
    (report,) = await api.wait_messages(chat, 1)
    text = report["text"]
    assert qa.rulebook.version in text
    assert "outbox: 0 pending" in text
    assert "last successful Bot API call: 20" in text


async def test_webhook_mode(botapi, tmp_path, shared_qa_rulebook):
    from bot.matcher import Matcher

    port = free_port()
    config = make_config(botapi.url, tmp_path / "w.db", telegram={
        "token": "123456:TEST", "api_url": botapi.url, "mode": "webhook",
        "webhook": {"listen": "127.0.0.1", "port": port, "url_path": "hook-x",
                    "public_url": f"http://127.0.0.1:{port}",
                    "secret_token": "s3cret-token-1234567890"}})
    db = await Database.open(config.storage.path)
    app = build_application(config, QA(Matcher(shared_qa_rulebook, config.matcher), db), db=db)
    try:
        async with running(app):
            user = botapi.user(5151, "Webhook")
            chat = botapi.private_chat(user)
            botapi.send_text(user, chat, "boleh share story capres?")
            (answer,) = await botapi.wait_messages(chat, 1, timeout=15)
            assert "DILARANG" in answer["text"]
            assert botapi.webhook_deliveries
    finally:
        await db.close()


def test_json_log_lines_are_one_object_each():
    record = logging.LogRecord("netral", logging.INFO, __file__, 1, "tip stored: %s", ("NTR-1",),
                               None)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "tip stored: NTR-1" and data["level"] == "INFO"


def test_health_cli(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"storage:\n  path: {tmp_path / 'h.db'}\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "bot.cli", "--config", str(cfg), "health",
                          "--json"], capture_output=True, text=True, timeout=60,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.returncode == 1  # never talked to Telegram: unhealthy, and it says why
    assert "UNHEALTHY" in out.stderr
    data = json.loads(out.stdout)
    assert data["outbox_pending"] == 0 and data["rulebook_rules"] > 60

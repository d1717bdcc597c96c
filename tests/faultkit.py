"""Helpers for the fault-tolerance tests: simulated reporters, a bot subprocess, DB snapshots.

The reporters drive the tip form over the fake Bot API like a patient human would: they answer
whatever the bot last asked, read error messages, and when no answer comes they wait and then
send their answer again. They never look inside the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import inspect
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import yaml

from bot.texts import t
from handlers import reporter as form
from tests.botapi import FakeBotApi, TgChat
from tests.conftest import ADMIN_ID, MOD_CHAT_ID

ROOT = Path(__file__).resolve().parent.parent
CODE_RE = re.compile(r"NTR-[A-Z0-9]{4}-[A-Z0-9]{4}")
TAG_RE = re.compile(r"RPT\d{3}")
HMAC_SECRET = "test-secret-0123456789"
NOTIFY_KEY = "cIcaOQfk_7DW8MEenIXnFndLnE71Wc5NaQYDHSpKaC4="


def plain(markup: str) -> str:
    """What Telegram shows of an HTML text: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def _sig(key: str) -> str:
    return plain(t("id", key, limit="{limit}"))[:24]


# Text steps of the form, recognised by the start of their prompt.
TEXT_PROMPTS = {_sig(form.TEXT_STEPS[state].prompt): state for state in form.TEXT_STEPS}
# Replies that are not prompts, recognised by the start of their text.
REPLIES = {
    _sig("tip_cancelled"): "cancelled",
    _sig("tip_too_short"): "too_short",
    _sig("tip_bad_date"): "bad_date",
    _sig("tip_future_date"): "bad_date",
    _sig("tip_bad_nip"): "bad_nip",
    _sig("tip_evidence_text"): "evidence_text",
    _sig("tip_draft_resumed"): "resumed",
    _sig("tip_ask_notify"): "ask_notify",
    plain(t("id", "tip_evidence_links", count="1", n="1"))[:10]: "links_ack",
}


def buttons(message: dict) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row]


def classify(message: dict | None) -> tuple[str, int | None]:
    """("prompt", state) for a step of the form, ("thanks", None), or (reply kind, None)."""
    if message is None:
        return "none", None
    data = buttons(message)
    text = message.get("text") or message.get("caption") or ""
    if "lp:next" in data:
        return "prompt", form.INTRO
    if any(d.startswith("lp:cat:") for d in data):
        return "prompt", form.CATEGORY
    if "lp:done" in data:
        return "prompt", form.EVIDENCE
    if "lp:send" in data:
        return "prompt", form.SUMMARY
    if any(d.startswith("lp:goto:") for d in data):
        return "edit_menu", None
    if CODE_RE.search(text) and "Kode laporan" in text:
        return "thanks", None
    head = text[:24]
    if head in TEXT_PROMPTS:
        return "prompt", TEXT_PROMPTS[head]
    for sig, kind in REPLIES.items():
        if text.startswith(sig):
            return kind, None
    return "other", None


class Inbox:
    """Per-chat view of the messages the bot sent (edits excluded), indexed incrementally."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api
        self._pos = 0
        self._by_chat: dict[int, list[dict]] = {}

    def of(self, chat_id: int) -> list[dict]:
        sent = self.api.sent
        while self._pos < len(sent):
            record = sent[self._pos]
            self._pos += 1
            if not record["method"].lower().startswith("edit"):
                self._by_chat.setdefault(record["chat_id"], []).append(record["message"])
        return self._by_chat.get(chat_id, [])


class Liveness:
    """When the bot was last (re)started and ready to poll; reporters only lose patience
    while it is up, like a user who sees the bot is back."""

    def __init__(self) -> None:
        self.up_since: float | None = None

    def down(self) -> None:
        self.up_since = None

    def up(self) -> None:
        self.up_since = time.monotonic()


def answers_for(tag: str) -> dict[int, str]:
    """The text answers of one reporter; `tag` makes the tip recognisable on the card."""
    return {
        form.DESCRIPTION: f"Kepala seksi {tag} membagikan poster paslon di Instagram",
        form.ASN_NAME: f"Budi {tag}",
        form.ASN_AGENCY: f"Dinas {tag}",
        form.REGION: "Sukamaju",
        form.PLACE: f"Akun IG {tag}",
        form.WHEN: "kemarin",
    }


SKIPPED = {form.ASN_POSITION, form.ASN_NIP, form.WITNESSES}


def summary_fields(message: dict) -> dict[int, str]:
    """The values shown on the form's summary, by step."""
    shown = {}
    for line in (message.get("text") or "").splitlines():
        name, sep, value = line.partition(": ")
        if sep:
            shown[name] = value
    return {state: shown.get(t("id", key), "") for state, key in form.EDITABLE}


class Reporter:
    """One citizen filling in the tip form until they hold a receipt code."""

    def __init__(
        self,
        api: FakeBotApi,
        inbox: Inbox,
        index: int,
        *,
        links: int = 0,
        liveness: Liveness | None = None,
        patience: float = 4.0,
        user_base: int = 700_000_000,
        hold: asyncio.Event | None = None,
    ) -> None:
        self.api = api
        self.inbox = inbox
        self.index = index
        self.tag = f"RPT{index:03d}"
        self.user = api.user(user_base + index, f"Warga {index}", language_code="id")
        self.chat: TgChat = api.private_chat(self.user)
        self.answers = answers_for(self.tag)
        self.links = links
        self.liveness = liveness
        self.patience = patience
        self.codes: list[str] = []  # every receipt code this reporter was shown
        self.prompt: dict | None = None  # the latest step the bot asked
        self.prompt_state: int | None = None
        self.furthest = -1  # furthest step (index in form.ORDER) the bot has asked
        self.regressions: list[tuple[int, int]] = []  # (furthest, asked) when sent backwards
        self.restarts = 0  # times the reporter had to begin a new form
        self.resends = 0  # actions repeated because no answer came
        self.links_acked = 0
        self.hold = hold  # wait at the summary until this is set, then press "Kirim"
        self.at_summary = False
        self.corrections = 0  # summary fields the reporter had to correct with "Ubah"
        self._fixing: int | None = None
        self.expected = {state: "–" for state in SKIPPED} | dict(self.answers)
        del self.expected[form.WHEN]  # shown as a date
        self._seen = 0
        self._acted_at = 0.0
        self._acted_count = 0

    def tip_fields(self) -> dict[str, str]:
        """The tip's text fields as this reporter meant them (skipped steps empty; the date,
        stored as a date, left out)."""
        fields = {form.TEXT_STEPS[state].field: "" for state in SKIPPED}
        fields |= {form.TEXT_STEPS[s].field: v for s, v in self.answers.items() if s != form.WHEN}
        return fields

    # -- what the reporter sees -----------------------------------------------------------------

    def messages(self) -> list[dict]:
        return self.inbox.of(self.chat.id)

    @property
    def done(self) -> bool:
        return bool(self.codes)

    @property
    def in_form(self) -> bool:
        """Started the form (past the introduction) and has no receipt yet."""
        return not self.done and self.furthest >= form.ORDER.index(form.CATEGORY)

    def _read(self) -> None:
        messages = self.messages()
        for message in messages[self._seen :]:
            kind, state = classify(message)
            if kind == "thanks":
                self.codes.append(CODE_RE.search(message["text"]).group(0))
            elif kind == "links_ack":
                self.links_acked += 1
            elif kind == "prompt":
                step = form.ORDER.index(state)
                if step < self.furthest:
                    self.regressions.append((self.furthest, step))
                self.furthest = max(self.furthest, step)
                self.prompt, self.prompt_state = message, state
        self._seen = len(messages)

    # -- what the reporter does -----------------------------------------------------------------

    def _mark(self) -> None:
        self._acted_at = time.monotonic()
        self._acted_count = len(self.messages())

    def _say(self, text: str) -> None:
        self._mark()
        self.api.send_text(self.user, self.chat, text)

    def _press(self, message: dict, data: str) -> None:
        self._mark()
        self.api.press_button(self.user, message, data)

    def _answer_prompt(self) -> None:
        state, message = self.prompt_state, self.prompt
        if state is None:
            self._say("/lapor")
        elif state == form.INTRO:
            self._press(message, "lp:next")
        elif state == form.CATEGORY:
            self._press(message, "lp:cat:medsos")
        elif state == form.EVIDENCE:
            if self.links_acked < self.links:
                self._say(f"bukti https://instagram.com/p/{self.tag.lower()}{self.links_acked}")
            else:
                self._press(message, "lp:done")
        elif state == form.SUMMARY:  # check it like a careful reporter, correct, then send
            shown = summary_fields(message)
            wrong = [s for s, value in self.expected.items() if shown[s] != value]
            if wrong:
                self.corrections += 1
                self._fixing = wrong[0]
                self._press(message, "lp:edit")
            elif self.hold is not None and not self.hold.is_set():
                self.at_summary = True  # checked and ready; sends when `hold` is set
            else:
                self.at_summary = False
                self._press(message, "lp:send")
        elif state in SKIPPED:
            self._press(message, "lp:skip")
        else:
            self._say(self.answers[state])

    def _act(self) -> None:
        latest = self.messages()[-1] if self.messages() else None
        kind, _ = classify(latest)
        if kind == "cancelled":  # the form is gone: begin again
            self.restarts += 1
            self.prompt = self.prompt_state = None
            self.furthest = -1
            self._say("/lapor")
        elif kind == "too_short":  # the bot is waiting for the description (or region)
            self._say(self.answers[form.DESCRIPTION])
        elif kind == "bad_date":
            self._say(self.answers[form.WHEN])
        elif kind == "bad_nip" and self.prompt is not None:
            self._press(self.prompt, "lp:skip")
        elif kind == "edit_menu":
            target = self._fixing if self._fixing is not None else form.DESCRIPTION
            self.furthest = form.ORDER.index(target)  # going back on purpose
            self._press(latest, f"lp:goto:{target}")
        else:  # a prompt, an acknowledgement, or nothing: answer the latest question
            self._answer_prompt()

    def _waited_enough(self) -> bool:
        if self.liveness is None:
            return time.monotonic() - self._acted_at > self.patience
        up = self.liveness.up_since
        return up is not None and time.monotonic() - max(up, self._acted_at) > self.patience

    async def run(self, deadline: float) -> None:
        """Fill in the form until a receipt code arrives (or `deadline`, monotonic)."""
        self._say("/lapor")
        while not self.done:
            if time.monotonic() > deadline:
                raise TimeoutError(f"reporter {self.tag} got no receipt; last: {self.describe()}")
            await asyncio.sleep(0.05)
            if len(self.messages()) > self._acted_count:
                await asyncio.sleep(0.05)  # let a pair of replies (error + prompt) both land
                self._read()
                if not self.done:
                    self._act()
            elif self.at_summary:
                if self.hold is not None and self.hold.is_set():
                    self.at_summary = False
                    self._act()
            elif self._waited_enough():
                self.resends += 1
                self._read()
                self._act()

    def describe(self) -> str:
        tail = [(classify(m)[0], (m.get("text") or "")[:40]) for m in self.messages()[-3:]]
        return f"furthest={self.furthest} restarts={self.restarts} tail={tail}"


# -- the bot as a subprocess ---------------------------------------------------------------------


def write_config(path: Path, api_url: str, db_path: Path) -> Path:
    data = {
        "telegram": {"token": "123456:TEST", "api_url": api_url, "poll_timeout": 1},
        "storage": {"path": str(db_path)},
        "admins": [ADMIN_ID],
        "moderation": {"chat_id": MOD_CHAT_ID},
        "tips": {
            "hmac_secret": HMAC_SECRET,
            "notify_key": NOTIFY_KEY,
            "status_delay_seconds": 0.05,
            "per_hour": 100,
            "per_day": 100,
        },
        "logging": {"level": "INFO"},
    }
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


# `python -m bot.cli run --config CFG`, made to die with the test process even if that is
# killed before its clean-up runs (Linux: PR_SET_PDEATHSIG survives the exec).
_LAUNCH = """
import ctypes, os, signal, sys
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
except (AttributeError, OSError):
    pass
os.execv(sys.executable, [sys.executable, "-m", "bot.cli", "run", "--config", sys.argv[1]])
"""


class BotProcess:
    """`python -m bot.cli run --config CFG` in a subprocess; each run logs to its own file."""

    def __init__(self, api: FakeBotApi, config: Path, log_dir: Path) -> None:
        self.api = api
        self.config = config
        self.log_dir = log_dir
        self.proc: subprocess.Popen | None = None
        self.runs = 0
        self.logs: list[Path] = []
        self._calls_mark = 0

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NETRALBOT_")}
        env["PYTHONUNBUFFERED"] = "1"
        log = self.log_dir / f"bot-run-{self.runs}.log"
        self.logs.append(log)
        self.runs += 1
        self._calls_mark = len(self.api.calls)
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _LAUNCH, str(self.config)],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    async def wait_polling(self, timeout: float = 30.0) -> None:
        """Until this run has asked the server for updates (it is initialised and polling)."""

        def polling() -> bool:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"the bot exited with {self.proc.returncode}: {self.log_tail()}")
            return any(c["method"] == "getUpdates" for c in self.api.calls[self._calls_mark :])

        await self.api.wait_for(polling, timeout=timeout)

    async def kill(self) -> None:
        """SIGKILL: no clean-up, no flush, like a power cut or the OOM killer."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await asyncio.to_thread(self.proc.wait)

    async def stop(self) -> int:
        """SIGTERM and wait for a clean exit; returns the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(asyncio.to_thread(self.proc.wait), 20)
        except TimeoutError:
            self.proc.kill()
            await asyncio.to_thread(self.proc.wait)
            raise

    def kill_now(self) -> None:
        """Clean-up after a failed test: the process must not outlive it."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log_tail(self, lines: int = 20) -> str:
        if not self.logs:
            return ""
        return "\n".join(self.logs[-1].read_text(errors="replace").splitlines()[-lines:])

    def log_lines(self) -> list[str]:
        return [line for log in self.logs for line in log.read_text(errors="replace").splitlines()]


@contextlib.contextmanager
def read_only(db_path: Path | str) -> Iterator[sqlite3.Connection]:
    """The bot's SQLite file opened read-only (the test never writes the bot's data)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    conn.row_factory = sqlite3.Row
    try:
        yield conn
    finally:
        conn.close()


def cards_in(inbox: Inbox, chat_id: int = MOD_CHAT_ID) -> list[tuple[str, str]]:
    """(code, reporter tag) of every tip card sent to a moderation chat, duplicates included."""
    found = []
    for message in inbox.of(chat_id):
        take = [d for d in buttons(message) if d.startswith("mc:take:")]
        if take:
            tag = TAG_RE.search(message.get("text", ""))
            found.append((take[0].removeprefix("mc:take:"), tag.group(0) if tag else ""))
    return found


class Trap:
    """Catches the first sendMessage that `match(params)` accepts and never answers it, so the
    bot hangs there until the test kills it. With `deliver` the message reaches the chat first:
    Telegram has it, the bot never learns so. `caught` is set when it happens."""

    def __init__(self, api: FakeBotApi, name: str, match, *, deliver: bool) -> None:
        self.name = name
        self.caught = asyncio.Event()
        self.text: str | None = None
        method, inner = api._methods["sendmessage"]

        async def send_message(server: FakeBotApi, p) -> dict:
            if self.caught.is_set() or not match(p.values):
                result = inner(server, p)
                return await result if inspect.isawaitable(result) else result
            self.text = str(p.values.get("text", ""))
            if deliver:
                result = inner(server, p)
                if inspect.isawaitable(result):
                    await result
            self.caught.set()
            await asyncio.Future()  # cancelled when the killed bot's connection drops

        api._methods["sendmessage"] = (method, send_message)


def receipt_to(chat_id: int):
    """Matches the receipt ("Kode laporan ...") sent to one reporter."""
    return lambda v: str(v.get("chat_id")) == str(chat_id) and "Kode laporan" in str(v.get("text"))


def question_to(chat_id: int, needle: str):
    """Matches a message to one reporter whose text or buttons contain `needle`."""
    return lambda v: (
        str(v.get("chat_id")) == str(chat_id)
        and needle in (str(v.get("text")) + str(v.get("reply_markup")))
    )


def card_to(chat_id: int):
    """Matches a tip card sent to a moderation chat."""
    return lambda v: (
        str(v.get("chat_id")) == str(chat_id) and "mc:take:" in str(v.get("reply_markup"))
    )


def evidence_codes(inbox: Inbox, chat_id: int = MOD_CHAT_ID) -> set[str]:
    """Receipt codes named by the link-evidence messages sent to a moderation chat."""
    return {
        found.group(0)
        for m in inbox.of(chat_id)
        if "🔗" in m.get("text", "") and (found := CODE_RE.search(m["text"]))
    }


def delivered(inbox: Inbox, codes: set[str], chat_id: int = MOD_CHAT_ID) -> bool:
    """Every tip's card and its link evidence have reached the moderation chat."""
    return codes <= {c for c, _ in cards_in(inbox, chat_id)} and codes <= evidence_codes(
        inbox, chat_id
    )


async def until(check, timeout: float, interval: float = 0.05) -> None:
    """Poll a condition, plain or async, that the fake server does not signal, until it holds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


async def pending_count(store) -> int:
    """Outbox entries not yet delivered, from the bot's TipStore."""
    pending, _ = await store.pending_count()
    return pending

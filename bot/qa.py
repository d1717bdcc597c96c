"""The question-answering service shared by the bot, the CLI and the tests."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from bot.answers import Renderer
from bot.config import MatcherConfig
from bot.matcher import Decision, Matcher
from bot.rulebook import Rulebook, load_rulebook
from bot.storage import Database, QuestionLog, iso, utcnow

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
FLUSH_AT = 200  # queued question records written at once, besides the periodic flush


@dataclass
class QA:
    """Holds the current rulebook and matcher; `reload` swaps both atomically."""

    matcher: Matcher
    db: Database | None = None
    pending: list[QuestionLog] = field(default_factory=list)

    @classmethod
    def from_path(cls, path: str | None, config: MatcherConfig, db: Database | None = None) -> QA:
        return cls(Matcher(load_rulebook(path or None), config), db)

    @property
    def rulebook(self) -> Rulebook:
        return self.matcher.rulebook

    def reload(self, path: str | None) -> Rulebook:
        """Load and validate again; on error the old rulebook stays (RulebookError propagates)."""
        matcher = Matcher(load_rulebook(path or None), self.matcher.config)
        self.matcher = matcher
        log.info(
            "rulebook reloaded: version %s, %d rules",
            matcher.rulebook.version,
            len(matcher.rulebook.rules),
        )
        return matcher.rulebook

    def decide(self, question: str, lang_hint: str | None = None) -> Decision:
        return self.matcher.decide(question[:MAX_QUESTION_CHARS], lang_hint)

    async def ask(self, question: str, lang_hint: str | None, channel: str) -> Decision:
        """Decide and queue the record of the outcome (no identity; text only if unanswered)."""
        decision = self.decide(question, lang_hint)
        rule_id = decision.rule.id if decision.rule else None
        self.pending.append(
            QuestionLog(
                iso(utcnow()),
                decision.kind,
                rule_id,
                decision.lang,
                channel,
                question,
                decision.normalized,
            )
        )
        if len(self.pending) >= FLUSH_AT:
            await self.flush()
        return decision

    async def flush(self) -> None:
        """Write queued question records in one transaction (statistics, not tips: a crash
        loses at most a few seconds of counts, and no answer waits for a disk sync)."""
        if self.db is None or not self.pending:
            return
        batch, self.pending = self.pending, []
        await self.db.log_questions(batch)


def decision_json(decision: Decision) -> dict[str, Any]:
    """The `netralbot ask --json` object."""
    answer = None
    if decision.kind == "answer" and decision.rule:
        answer = Renderer(decision.lang, html_mode=False).answer(decision.rule, decision.also)
    return {
        "question": decision.question,
        "verdict": decision.verdict,
        "rule_id": decision.rule.id if decision.kind == "answer" and decision.rule else None,
        "score": decision.score,
        "also": [r.id for r in decision.also],
        "suggestions": [
            {"rule_id": c.rule.id, "title": c.rule.title.get(decision.lang), "score": c.score}
            for c in decision.suggestions
        ]
        if decision.kind == "suggest"
        else [],
        "answer": answer,
    }

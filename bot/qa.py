"""The question-answering service shared by the bot, the CLI and the tests."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.answers import Renderer
from bot.config import MatcherConfig
from bot.matcher import Decision, Matcher
from bot.rulebook import Rulebook, load_rulebook
from bot.storage import Database

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000


@dataclass
class QA:
    """Holds the current rulebook and matcher; `reload` swaps both atomically."""

    matcher: Matcher
    db: Database | None = None

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
        """Decide and record the outcome (no identity; the text only when unanswered)."""
        decision = self.decide(question, lang_hint)
        if self.db is not None:
            rule_id = decision.rule.id if decision.rule else None
            await self.db.log_question(
                decision.kind, rule_id, decision.lang, channel, question, decision.normalized
            )
        return decision


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

"""Renders rule answers as Telegram HTML (everything escaped) or as plain terminal text."""

from __future__ import annotations

import html
import re

from bot.rulebook import Rule
from bot.texts import VERDICT_LABELS, t

_TAG = re.compile(r"<[^>]+>")


def _plain(fragment: str) -> str:
    """Strip our own markup from a text template for terminal output."""
    return html.unescape(_TAG.sub("", fragment))


class Renderer:
    """Formats answers in one language, as HTML (`html=True`) or plain text."""

    def __init__(self, lang: str, *, html_mode: bool = True) -> None:
        self.lang = lang
        self.html = html_mode

    def esc(self, s: str) -> str:
        return html.escape(s, quote=False) if self.html else s

    def b(self, s: str) -> str:
        return f"<b>{self.esc(s)}</b>" if self.html else s

    def i(self, s: str) -> str:
        return f"<i>{self.esc(s)}</i>" if self.html else s

    def tx(self, key: str, **values: str) -> str:
        """A template from texts.py with escaped values; plain mode strips the tags."""
        esc = {k: self.esc(v) for k, v in values.items()} if self.html else values
        out = t(self.lang, key, **esc)
        return out if self.html else _plain(out)

    def verdict_line(self, rule: Rule) -> str:
        label = VERDICT_LABELS[self.lang][rule.verdict]
        return f"{self.b(label)} — {self.esc(rule.title.get(self.lang))}"

    def answer(self, rule: Rule, also: tuple[Rule, ...] = ()) -> str:
        """Verdict first, then reason, condition, caution, basis, sanction, related, footer."""
        lang = self.lang
        parts = [self.verdict_line(rule), self.esc(rule.answer.get(lang))]
        if rule.condition:
            parts.append(f"{self.b(t(lang, 'condition'))}: {self.esc(rule.condition.get(lang))}")
        if rule.unconfirmed:
            label = t(lang, "caution_unsettled")
            parts.append(f"⚠️ {self.b(label)}: {self.esc(rule.unconfirmed.get(lang))}")
        elif rule.confidence == "inferred":
            parts.append(self.i(t(lang, "caution_inferred")))
        parts.append(f"{self.b(t(lang, 'basis'))}: {self.esc('; '.join(rule.legal_basis))}")
        parts.append(f"{self.b(t(lang, 'sanction'))}: {self.esc(rule.sanction.get(lang))}")
        if also:
            lines = [self.esc(t(lang, "also_asked"))]
            # An "allowed" side-topic was not matched with the confidence "boleh" needs: name
            # it and let the button show its own answer.
            lines += [
                f"• {self.esc(r.title.get(lang))}"
                if r.verdict == "allowed"
                else f"• {self.verdict_line(r)}"
                for r in also
            ]
            parts.append("\n".join(lines))
        parts.append(self.tx("footer"))
        return "\n\n".join(parts)

    def sources(self, rule: Rule) -> str:
        """The expanded citation view behind the 'Dasar hukum' button."""
        lang = self.lang
        lines = [self.tx("sources_title", title=rule.title.get(lang))]
        lines += [f"• {self.esc(c)}" for c in rule.legal_basis]
        rows = ", ".join(str(s) for s in rule.sources)
        lines.append(self.tx("sources_rows", rows=rows))
        if rule.refs:
            lines.append(self.tx("sources_refs", refs=", ".join(f"[{r}]" for r in rule.refs)))
        return "\n".join(lines)

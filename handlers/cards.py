"""The tip card shown to moderators: text and buttons, rebuilt by the bot from stored data."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.texts import t
from bot.tips import CATEGORY_LABELS, REJECT_REASONS, STATUS_LABELS, TRANSITIONS, Tip, label

# Long fields are cut on the card so it always fits one message; /tip KODE shows them whole.
CARD_LIMITS = {"description": 1500, "witnesses": 400, "place": 300, "asn": 200}
STATUS_ICONS = {
    "baru": "🆕",
    "diverifikasi": "🔎",
    "diteruskan": "📤",
    "selesai": "✅",
    "ditolak": "🚫",
}


def _cut(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def field_line(key: str, value: str, lang: str = "id") -> str:
    """One 'Label: value' line, both escaped."""
    return f"<b>{html.escape(t(lang, key))}:</b> {html.escape(value)}"


def render_card(tip: Tip, *, full: bool = False) -> str:
    """The card text (Indonesian; moderators work in Indonesian). Every value is escaped."""
    e = html.escape
    lim = (lambda k: 10_000) if full else CARD_LIMITS.get
    dash = "–"
    who = " · ".join(x for x in (tip.asn_name, tip.asn_position, tip.asn_agency) if x) or dash
    if tip.asn_nip:
        who += f" · NIP {tip.asn_nip}"
    status = label(STATUS_LABELS, tip.status, "id")
    if tip.status_reason:
        status += f" ({label(REJECT_REASONS, tip.status_reason, 'id')})"
    created = tip.created_at[:16].replace("T", " ")
    updated = tip.updated_at[:16].replace("T", " ")
    place = f" — {_cut(tip.place, lim('place'))}" if tip.place else ""
    title = f"{e(t('id', 'card_title'))} <code>{e(tip.code)}</code>"
    assignee = f"<b>{e(t('id', 'card_assignee'))}:</b> {e(tip.assignee or dash)}"
    lines = [
        f"{STATUS_ICONS.get(tip.status, '')} <b>{title}</b>",
        f"<b>Status:</b> {e(status)} · {assignee}",
        field_line("tip_field_category", label(CATEGORY_LABELS, tip.category, "id")),
        field_line("card_reported", _cut(who, lim("asn"))),
        field_line("tip_field_region", (tip.region or dash) + place),
        field_line("tip_field_when", tip.occurred_on or dash),
        field_line("tip_field_description", _cut(tip.description, lim("description"))),
        field_line("tip_field_witnesses", _cut(tip.witnesses, lim("witnesses")) or dash),
        field_line("tip_field_evidence", str(tip.evidence_count)),
        f"<i>{e(t('id', 'card_times', created=created, updated=updated))}</i>",
    ]
    if tip.purged:
        lines.append(f"<i>{e(t('id', 'card_purged'))}</i>")
    return "\n".join(lines)


def card_keyboard(tip: Tip) -> InlineKeyboardMarkup | None:
    """Buttons for the next allowed actions; a closed tip keeps only the note button."""
    code = tip.code
    rows: list[list[InlineKeyboardButton]] = []
    if not tip.closed:
        rows.append([InlineKeyboardButton(t("id", "btn_take"), callback_data=f"mc:take:{code}")])
        status_row = [
            InlineKeyboardButton(t("id", f"btn_status_{s}"), callback_data=f"mc:st:{s}:{code}")
            for s in ("diverifikasi", "diteruskan", "selesai")
            if s in TRANSITIONS[tip.status]
        ]
        if "ditolak" in TRANSITIONS[tip.status]:
            status_row.append(
                InlineKeyboardButton(t("id", "btn_reject"), callback_data=f"mc:rj:{code}")
            )
        rows.append(status_row)
        rows.append(
            [
                InlineKeyboardButton(t("id", "btn_ask_reporter"), callback_data=f"mc:ask:{code}"),
                InlineKeyboardButton(t("id", "btn_note"), callback_data=f"mc:note:{code}"),
            ]
        )
        rows.append([InlineKeyboardButton(t("id", "btn_block"), callback_data=f"mc:blk:{code}")])
    else:
        rows.append([InlineKeyboardButton(t("id", "btn_note"), callback_data=f"mc:note:{code}")])
    return InlineKeyboardMarkup(rows)


def reject_keyboard(code: str) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(label(REJECT_REASONS, r, "id"), callback_data=f"mc:rr:{r}:{code}")]
        for r in REJECT_REASONS
    ]
    rows.append([InlineKeyboardButton(t("id", "btn_back"), callback_data=f"mc:back:{code}")])
    return InlineKeyboardMarkup(rows)


def block_keyboard(code: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t("id", "btn_block_confirm"), callback_data=f"mc:blk!:{code}")],
            [InlineKeyboardButton(t("id", "btn_back"), callback_data=f"mc:back:{code}")],
        ]
    )

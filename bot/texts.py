"""All user-facing text, Indonesian first, English second. Handlers never hold literal text.

Values are templates for `str.format`; placeholders are filled with *escaped* values by the
caller when the text goes out as Telegram HTML.
"""

from __future__ import annotations

from typing import Any

LANGS = ("id", "en")

VERDICT_LABELS = {
    "id": {
        "prohibited": "⛔ DILARANG",
        "allowed": "✅ BOLEH",
        "conditional": "⚠️ BOLEH DENGAN SYARAT",
        "info": "ℹ️ INFO",
    },
    "en": {
        "prohibited": "⛔ PROHIBITED",
        "allowed": "✅ ALLOWED",
        "conditional": "⚠️ ALLOWED WITH CONDITIONS",
        "info": "ℹ️ INFO",
    },
}

TEXTS: dict[str, dict[str, str]] = {
    "id": {
        # Q&A
        "start": (
            "Halo! Saya <b>Netral</b>, asisten netralitas ASN dalam Pemilu dan Pilkada.\n\n"
            "• Tanyakan apa saja, misalnya: <i>boleh nggak saya nge-like postingan paslon?</i> "
            "Saya jawab: dilarang, boleh, atau boleh dengan syarat, lengkap dengan dasar hukum "
            "dan sanksinya.\n"
            "• Lihat pelanggaran ASN? Laporkan <b>tanpa identitas</b> lewat /lapor.\n\n"
            "Jawaban saya bukan nasihat hukum. Untuk kasus Anda, tanyakan BKPSDM/Inspektorat "
            "instansi Anda atau Bawaslu setempat."
        ),
        "help": (
            "<b>Cara memakai Netral</b>\n"
            "• Ketik pertanyaan Anda biasa saja, boleh pakai bahasa sehari-hari.\n"
            "• /topik — daftar topik aturan\n"
            "• /tanya &lt;pertanyaan&gt; — bertanya di grup\n"
            "• /lapor — laporkan pelanggaran ASN secara anonim\n"
            "• /status KODE — cek perkembangan laporan Anda\n"
            "• /batal — batalkan langkah yang sedang berjalan\n\n"
            "Versi aturan: {version} ({date})."
        ),
        "btn_ask": "❓ Tanya aturan",
        "btn_report": "📝 Lapor pelanggaran",
        "btn_topics": "📚 Daftar topik",
        "ask_prompt": "Silakan ketik pertanyaan Anda, misalnya: <i>boleh share story capres?</i>",
        "report_soon": (
            "Fitur lapor anonim sedang disiapkan. Sementara itu, laporan dapat disampaikan ke "
            "Bawaslu setempat, SIGAPLAPOR (sigaplapor.bawaslu.go.id) atau SP4N-LAPOR!."
        ),
        "did_you_mean": "Saya belum yakin maksud Anda. <b>Maksud Anda:</b>",
        "dont_know": (
            "Maaf, saya belum punya jawaban untuk pertanyaan itu. Coba tulis dengan kata lain, "
            "atau lihat /topik.\n\nUntuk kepastian, tanyakan BKPSDM/Inspektorat instansi Anda "
            "atau Bawaslu setempat."
        ),
        "topics_title": "<b>Pilih kategori:</b>",
        "topic_rules": "<b>{category}</b> — pilih topik:",
        "btn_back": "« Kembali",
        "btn_sources": "📖 Dasar hukum & sumber",
        "condition": "Syarat",
        "basis": "Dasar hukum",
        "sanction": "Sanksi",
        "caution_inferred": (
            "Catatan: tidak ada sumber yang menyebut situasi ini persis; jawaban ini disimpulkan "
            "dari aturan yang lebih umum."
        ),
        "caution_unsettled": "Belum pasti",
        "also_asked": "Pertanyaan Anda juga menyinggung:",
        "sources_title": "<b>Sumber untuk: {title}</b>",
        "sources_rows": "Baris tabel aturan (lembar domain): {rows}",
        "sources_refs": "Rujukan: {refs}",
        "footer": (
            "<i>Bukan nasihat hukum. Untuk kasus Anda, tanyakan BKPSDM/Inspektorat instansi Anda "
            "atau Bawaslu setempat.</i>"
        ),
        "group_hint": "Di grup, tanya dengan /tanya &lt;pertanyaan&gt; atau sebut @{username}.",
        "tanya_usage": "Tulis pertanyaannya setelah perintah, misalnya: /tanya boleh like postingan paslon?",
        "unsupported": (
            "Maaf, saya hanya bisa membaca pertanyaan dalam bentuk teks. Ketik pertanyaan Anda, "
            "atau /topik untuk melihat daftar topik."
        ),
        "too_long": "Pertanyaannya terlalu panjang. Mohon ringkas, paling banyak {limit} karakter.",
        "stale_button": "Tombol ini sudah tidak berlaku. Silakan tanya lagi.",
        "error": "Maaf, terjadi gangguan. Silakan coba lagi sebentar lagi.",
        "added_to_group": (
            "Halo, saya Netral, asisten netralitas ASN. Di grup ini saya hanya menjawab bila "
            "dipanggil dengan /tanya &lt;pertanyaan&gt; atau disebut @{username}."
        ),
        "admin_only": "Perintah ini hanya untuk admin, di chat pribadi.",
        "reload_ok": "Rulebook dimuat ulang: versi <b>{version}</b> ({date}), {rules} aturan, {warnings} peringatan.",
        "reload_failed": (
            "Rulebook baru <b>tidak valid</b> ({count} galat); versi lama {version} tetap berlaku.\n"
            "<pre>{problems}</pre>\n(+{more} galat lain)"
        ),
        "bad_date": "Tanggal tidak dikenali. Pakai format TTTT-BB-HH, misalnya 2026-11-01.",
        "unanswered_none": "Tidak ada pertanyaan yang belum terjawab sejak {since}.",
        "unanswered_title": "<b>Pertanyaan belum terjawab sejak {since}</b> (terbanyak dulu):",
        "stats_title": "<b>Statistik sejak {since}</b>: {total} pertanyaan",
        "stats_day": "{day}: {total} (dijawab {answered}, saran {suggested}, ditolak {declined})",
        "stats_share": "Porsi: dijawab {answered}%, saran {suggested}%, tidak tahu {declined}%",
        "stats_top": "<b>Aturan teratas:</b>",
    },
    "en": {
        "start": (
            "Hello! I am <b>Netral</b>, an assistant on the neutrality of Indonesian civil "
            "servants (ASN) in elections.\n\n"
            "• Ask me anything, e.g. <i>can I like a candidate's post?</i> I answer prohibited, "
            "allowed or allowed with conditions, with the legal basis and the sanction.\n"
            "• Seen a civil servant break the rules? Report it <b>anonymously</b> with /lapor.\n\n"
            "My answers are not legal advice. For your case, ask your agency's BKPSDM or "
            "Inspectorate, or the local Bawaslu."
        ),
        "help": (
            "<b>How to use Netral</b>\n"
            "• Type your question in plain words.\n"
            "• /topik — list of topics\n"
            "• /tanya &lt;question&gt; — ask in a group\n"
            "• /lapor — report a violation anonymously\n"
            "• /status CODE — follow up your report\n"
            "• /batal — cancel the current step\n\n"
            "Rulebook version: {version} ({date})."
        ),
        "btn_ask": "❓ Ask about the rules",
        "btn_report": "📝 Report a violation",
        "btn_topics": "📚 Topics",
        "ask_prompt": "Type your question, e.g. <i>can I share a candidate's story?</i>",
        "report_soon": (
            "Anonymous reporting is coming soon. Meanwhile you can report to the local Bawaslu, "
            "SIGAPLAPOR (sigaplapor.bawaslu.go.id) or SP4N-LAPOR!."
        ),
        "did_you_mean": "I am not sure what you mean. <b>Did you mean:</b>",
        "dont_know": (
            "Sorry, I have no answer for that yet. Try other words, or see /topik.\n\n"
            "To be sure, ask your agency's BKPSDM or Inspectorate, or the local Bawaslu."
        ),
        "topics_title": "<b>Choose a category:</b>",
        "topic_rules": "<b>{category}</b> — choose a topic:",
        "btn_back": "« Back",
        "btn_sources": "📖 Legal basis & sources",
        "condition": "Conditions",
        "basis": "Legal basis",
        "sanction": "Sanction",
        "caution_inferred": (
            "Note: no source names this exact situation; this answer is inferred from a broader "
            "rule."
        ),
        "caution_unsettled": "Not settled",
        "also_asked": "Your question also touches on:",
        "sources_title": "<b>Sources for: {title}</b>",
        "sources_rows": "Rows of the rule table (domain sheet): {rows}",
        "sources_refs": "References: {refs}",
        "footer": (
            "<i>Not legal advice. For your case, ask your agency's BKPSDM or Inspectorate, or "
            "the local Bawaslu.</i>"
        ),
        "group_hint": "In groups, ask with /tanya &lt;question&gt; or mention @{username}.",
        "tanya_usage": "Write the question after the command, e.g. /tanya can I like a candidate's post?",
        "unsupported": (
            "Sorry, I can only read questions written as text. Type your question, or /topik "
            "for the list of topics."
        ),
        "too_long": "That question is too long. Please keep it under {limit} characters.",
        "stale_button": "This button is no longer valid. Please ask again.",
        "error": "Sorry, something went wrong. Please try again in a moment.",
        "added_to_group": (
            "Hello, I am Netral, an assistant on civil-servant neutrality. In this group I only "
            "answer when called with /tanya &lt;question&gt; or mentioned as @{username}."
        ),
        "admin_only": "This command is for admins, in a private chat.",
        "reload_ok": "Rulebook reloaded: version <b>{version}</b> ({date}), {rules} rules, {warnings} warnings.",
        "reload_failed": (
            "The new rulebook is <b>invalid</b> ({count} errors); the old version {version} stays in force.\n"
            "<pre>{problems}</pre>\n(+{more} more errors)"
        ),
        "bad_date": "Unknown date. Use YYYY-MM-DD, e.g. 2026-11-01.",
        "unanswered_none": "No unanswered questions since {since}.",
        "unanswered_title": "<b>Unanswered questions since {since}</b> (most frequent first):",
        "stats_title": "<b>Statistics since {since}</b>: {total} questions",
        "stats_day": "{day}: {total} (answered {answered}, suggested {suggested}, declined {declined})",
        "stats_share": "Share: answered {answered}%, suggested {suggested}%, declined {declined}%",
        "stats_top": "<b>Top rules:</b>",
    },
}


def pick_lang(code: str | None) -> str:
    """Map a Telegram language_code to one of ours (Indonesian unless English)."""
    return "en" if (code or "").lower().startswith("en") else "id"


def t(lang: str, key: str, **values: Any) -> str:
    """Look up a text; missing English falls back to Indonesian."""
    table = TEXTS.get(lang, TEXTS["id"])
    template = table.get(key) or TEXTS["id"][key]
    return template.format(**values) if values else template

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
        "chat_id": "ID chat ini: <code>{chat_id}</code> (di chat pribadi, ini juga ID pengguna Anda untuk <code>admins</code>).",
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
        "chat_id": "This chat's id: <code>{chat_id}</code> (in a private chat it is also your user id, for <code>admins</code>).",
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


# -- anonymous tips (reporter, moderators) ------------------------------------------------------

TEXTS["id"].update(
    {
        "tip_intro": (
            "<b>Lapor pelanggaran netralitas ASN — tanpa identitas</b>\n\n"
            "• Moderator (Bawaslu/Inspektorat/BKPSDM) <b>tidak pernah melihat siapa Anda</b>: bot "
            "menyalin isi laporan, tidak meneruskan pesan Anda, dan tidak menyimpan nama, username "
            "atau nomor Anda bersama laporan.\n"
            "• Laporan anonim menjadi <b>informasi awal</b>: Bawaslu dapat menelusurinya dan "
            "menjadikannya <i>temuan</i> sendiri.\n"
            "• Laporan <b>resmi</b> ke Bawaslu memerlukan identitas pelapor (KTP, formulir A.1) dan "
            "harus diajukan paling lambat <b>7 hari</b> sejak pelanggaran diketahui — lewat kantor "
            "Bawaslu setempat atau SIGAPLAPOR (sigaplapor.bawaslu.go.id).\n\n"
            "Butuh sekitar 3 menit. Ketik /batal kapan saja untuk membatalkan."
        ),
        "btn_continue": "Lanjut ➡️",
        "btn_cancel": "Batal",
        "btn_skip": "Lewati",
        "btn_done": "Selesai ✅",
        "btn_send": "Kirim ✅",
        "btn_edit": "Ubah ✏️",
        "tip_ask_category": "<b>1/8 · Apa yang terjadi?</b> Pilih jenis pelanggaran:",
        "tip_ask_description": (
            "<b>2/8 · Ceritakan kejadiannya.</b> Apa yang dilakukan ASN itu? Tulis sejelas mungkin "
            "(maks. {limit} karakter)."
        ),
        "tip_ask_asn_name": "<b>3/8 · Siapa?</b> Nama ASN yang dilaporkan (sejauh diketahui).",
        "tip_ask_asn_agency": "Instansi / unit kerjanya (misalnya Dinas Pendidikan Kab. X).",
        "tip_ask_asn_position": "Jabatannya (misalnya guru, kepala seksi, camat).",
        "tip_ask_asn_nip": "NIP (18 angka), bila tahu. Boleh dilewati.",
        "tip_ask_region": "<b>4/8 · Di mana?</b> Kabupaten/kota tempat kejadian.",
        "tip_ask_place": (
            "Tempatnya (alamat/lokasi), atau untuk pelanggaran online: tautan postingan atau nama "
            "akunnya."
        ),
        "tip_ask_when": (
            "<b>5/8 · Kapan?</b> Tulis tanggalnya, misalnya <i>hari ini</i>, <i>kemarin</i>, "
            "<i>3 hari lalu</i>, <i>12/11/2024</i> atau <i>12 November</i>."
        ),
        "tip_ask_evidence": (
            "<b>6/8 · Bukti.</b> Kirim foto, video, tangkapan layar, dokumen atau tautan (maks. "
            "{limit}). Tekan <b>Selesai</b> bila sudah, atau <b>Lewati</b>.\n\n"
            "Tips: tangkapan layar yang menampilkan nama akun, tautan dan waktu paling berguna. "
            "Foto yang dikirim sebagai <i>file</i> akan dibersihkan dari metadata (lokasi GPS, "
            "kamera). Dokumen PDF/Word bisa menyimpan nama penulis — kirim tangkapan layarnya bila "
            "ragu."
        ),
        "tip_ask_witnesses": "<b>7/8 · Saksi</b> (opsional): siapa lagi yang melihat kejadian ini?",
        "tip_summary": "<b>8/8 · Periksa laporan Anda</b>\n\n{summary}\n\nKirim sekarang?",
        "tip_edit_pick": "Bagian mana yang ingin diubah?",
        "tip_cancelled": "Laporan dibatalkan dan drafnya sudah dihapus.",
        "tip_bad_text": "Mohon kirim jawaban berupa teks.",
        "tip_too_long": "Terlalu panjang ({length} karakter). Maksimal {limit} karakter — mohon diringkas.",
        "tip_too_short": "Terlalu singkat. Mohon jelaskan sedikit lebih lengkap.",
        "tip_bad_nip": "NIP terdiri dari 18 angka. Periksa lagi, atau tekan Lewati.",
        "tip_bad_date": "Tanggal tidak dikenali. Contoh: <i>kemarin</i>, <i>3 hari lalu</i>, <i>12/11/2024</i>.",
        "tip_future_date": "Tanggal itu masih di masa depan. Mohon tulis tanggal kejadian yang sudah terjadi.",
        "tip_evidence_ok": "Bukti ke-{n} diterima. Kirim lagi, atau tekan Selesai.",
        "tip_evidence_album": "{count} bukti dari album diterima (total {n}). Kirim lagi, atau tekan Selesai.",
        "tip_evidence_links": "{count} tautan dicatat sebagai bukti (total {n}).",
        "tip_evidence_sanitized": "Metadata gambar (lokasi GPS, kamera) sudah dihapus. Versi inilah yang akan dilihat moderator.",
        "tip_evidence_doc_warning": (
            "Dokumen diterima. ⚠️ Dokumen PDF/Word/Excel bisa menyimpan nama penulis atau nama "
            "komputer. Bila ragu, hapus dokumen ini dan kirim tangkapan layarnya."
        ),
        "btn_remove_last": "Hapus bukti terakhir",
        "tip_evidence_removed": "Bukti terakhir dihapus (sisa {n}).",
        "tip_evidence_full": "Batas {limit} bukti sudah tercapai. Tekan Selesai untuk lanjut.",
        "tip_evidence_unsupported": "Jenis pesan ini tidak bisa dipakai sebagai bukti. Kirim foto, video, dokumen atau tautan.",
        "tip_evidence_bad_image": "Gambar ini tidak bisa dibersihkan dari metadatanya, jadi tidak disimpan. Kirim sebagai foto biasa atau tangkapan layar.",
        "tip_evidence_text": "Untuk bukti, kirim tautan (misalnya https://instagram.com/...) atau media. Tekan Selesai bila sudah.",
        "tip_limit": "Maaf, batas jumlah laporan untuk saat ini sudah tercapai. Silakan coba lagi nanti, atau lapor langsung ke Bawaslu setempat.",
        "tip_no_moderation": "Maaf, penerimaan laporan belum diaktifkan oleh pengelola bot ini. Silakan lapor ke Bawaslu setempat atau SIGAPLAPOR.",
        "tip_thanks": (
            "✅ <b>Laporan Anda sudah tersimpan.</b>\n\n"
            "Kode laporan: <code>{code}</code>\n"
            "Simpan kode ini. Dengan <code>/status {code}</code> Anda bisa melihat perkembangan "
            "dan pertanyaan moderator, dan menjawabnya dengan <code>/balas {code} teks</code>."
        ),
        "tip_ask_notify": (
            "Bolehkah bot mengabari Anda di chat ini bila ada perkembangan? Bila <b>tidak</b>, tidak "
            "ada apa pun yang menghubungkan laporan dengan akun Anda; cek sendiri dengan /status."
        ),
        "btn_notify_yes": "Ya, kabari saya",
        "btn_notify_no": "Tidak",
        "tip_notify_on": "Baik, Anda akan dikabari di sini. (ID chat disimpan terenkripsi, terpisah dari laporan.)",
        "tip_notify_off": "Baik, tidak ada yang menghubungkan laporan dengan akun Anda. Cek dengan /status {code}.",
        "tip_draft_resumed": "Anda masih punya draf laporan. Kita lanjutkan dari langkah terakhir.",
        "tip_private_only": "Laporan hanya bisa dibuat di chat pribadi dengan bot, demi kerahasiaan Anda.",
        "status_usage": "Tulis kodenya, misalnya: /status NTR-7K3Q-9XPA",
        "status_unknown": "Kode itu tidak ditemukan. Periksa lagi penulisannya.",
        "status_report": "<b>Laporan {code}</b>\nStatus: <b>{status}</b>\nDiterima: {created}\n{messages}",
        "status_messages": "\n<b>Pesan dari moderator:</b>\n{items}",
        "status_no_messages": "",
        "btn_reply": "Balas moderator",
        "reply_usage": "Tulis: /balas KODE teks jawaban Anda",
        "reply_prompt": "Tulis jawaban Anda untuk moderator (laporan {code}):",
        "reply_sent": "Jawaban Anda sudah dikirim ke moderator, tanpa identitas Anda.",
        "notify_status": "Kabar laporan <b>{code}</b>: {message}",
        "notify_question": "Moderator bertanya tentang laporan <b>{code}</b>:\n\n{text}\n\nJawab dengan tombol di bawah atau /balas {code} teks.",
        "status_msg_baru": "laporan Anda sudah diterima dan menunggu ditinjau.",
        "status_msg_diverifikasi": "laporan Anda sedang diverifikasi.",
        "status_msg_diteruskan": "laporan Anda sudah diteruskan ke Bawaslu/BKN untuk ditindaklanjuti.",
        "status_msg_selesai": "penanganan laporan Anda sudah selesai. Terima kasih.",
        "status_msg_ditolak": "laporan Anda tidak dapat ditindaklanjuti. Alasan: {reason}.",
    }
)

TEXTS["en"].update(
    {
        "tip_intro": (
            "<b>Report a civil-servant neutrality violation — anonymously</b>\n\n"
            "• Moderators (Bawaslu / Inspectorate / BKPSDM) <b>never see who you are</b>: the bot "
            "copies the content, never forwards your messages, and never stores your name, username "
            "or number with the report.\n"
            "• An anonymous tip is <b>initial information</b>: Bawaslu can investigate it and make it "
            "its own <i>finding</i>.\n"
            "• A <b>formal</b> report to Bawaslu needs the reporter's identity (ID card, form A.1) and "
            "must be filed within <b>7 days</b> of learning of the violation — at the local Bawaslu "
            "office or on SIGAPLAPOR (sigaplapor.bawaslu.go.id).\n\n"
            "It takes about 3 minutes. Type /batal at any time to cancel."
        ),
        "btn_continue": "Continue ➡️",
        "btn_cancel": "Cancel",
        "btn_skip": "Skip",
        "btn_done": "Done ✅",
        "btn_send": "Send ✅",
        "btn_edit": "Edit ✏️",
        "tip_ask_category": "<b>1/8 · What happened?</b> Choose the kind of violation:",
        "tip_ask_description": "<b>2/8 · Describe it.</b> What did the civil servant do? (max. {limit} characters)",
        "tip_ask_asn_name": "<b>3/8 · Who?</b> Name of the civil servant (as far as you know).",
        "tip_ask_asn_agency": "Their agency / unit (e.g. Education Office of X regency).",
        "tip_ask_asn_position": "Their position (e.g. teacher, section head, sub-district head).",
        "tip_ask_asn_nip": "NIP (18 digits), if known. You may skip this.",
        "tip_ask_region": "<b>4/8 · Where?</b> Regency/city where it happened.",
        "tip_ask_place": "The place (address/location), or for online violations: the link to the post or the account name.",
        "tip_ask_when": "<b>5/8 · When?</b> E.g. <i>today</i>, <i>yesterday</i>, <i>3 days ago</i>, <i>12/11/2024</i> or <i>12 November</i>.",
        "tip_ask_evidence": (
            "<b>6/8 · Evidence.</b> Send photos, videos, screenshots, documents or links (max. "
            "{limit}). Press <b>Done</b> when finished, or <b>Skip</b>.\n\n"
            "Tip: screenshots showing the account name, link and time help most. Photos sent as "
            "<i>files</i> are cleaned of metadata (GPS location, camera). PDF/Word documents can "
            "carry the author's name — send a screenshot instead if unsure."
        ),
        "tip_ask_witnesses": "<b>7/8 · Witnesses</b> (optional): who else saw it?",
        "tip_summary": "<b>8/8 · Check your report</b>\n\n{summary}\n\nSend it now?",
        "tip_edit_pick": "Which part do you want to change?",
        "tip_cancelled": "Report cancelled; the draft has been deleted.",
        "tip_bad_text": "Please answer with text.",
        "tip_too_long": "Too long ({length} characters). At most {limit} — please shorten it.",
        "tip_too_short": "Too short. Please describe a little more.",
        "tip_bad_nip": "An NIP has 18 digits. Check it, or press Skip.",
        "tip_bad_date": "Unknown date. Examples: <i>yesterday</i>, <i>3 days ago</i>, <i>12/11/2024</i>.",
        "tip_future_date": "That date is in the future. Please give the date it happened.",
        "tip_evidence_ok": "Evidence #{n} received. Send more, or press Done.",
        "tip_evidence_album": "{count} items from the album received ({n} in all). Send more, or press Done.",
        "tip_evidence_links": "{count} link(s) recorded as evidence ({n} in all).",
        "tip_evidence_sanitized": "Image metadata (GPS location, camera) removed. This is the version moderators will see.",
        "tip_evidence_doc_warning": (
            "Document received. ⚠️ PDF/Word/Excel files can carry the author's or computer's name. "
            "If unsure, remove this document and send a screenshot instead."
        ),
        "btn_remove_last": "Remove last item",
        "tip_evidence_removed": "Last item removed ({n} left).",
        "tip_evidence_full": "The limit of {limit} items is reached. Press Done to continue.",
        "tip_evidence_unsupported": "This kind of message cannot be used as evidence. Send a photo, video, document or link.",
        "tip_evidence_bad_image": "This image could not be cleaned of metadata, so it was not kept. Send it as a normal photo or a screenshot.",
        "tip_evidence_text": "For evidence, send a link (e.g. https://instagram.com/...) or media. Press Done when finished.",
        "tip_limit": "Sorry, the number of reports for now is at its limit. Please try again later, or report directly to the local Bawaslu.",
        "tip_no_moderation": "Sorry, this bot's operators have not enabled reports yet. Please report to the local Bawaslu or SIGAPLAPOR.",
        "tip_thanks": (
            "✅ <b>Your report is saved.</b>\n\n"
            "Report code: <code>{code}</code>\n"
            "Keep this code. With <code>/status {code}</code> you can follow the report and see "
            "moderators' questions, and answer with <code>/balas {code} text</code>."
        ),
        "tip_ask_notify": (
            "May the bot notify you in this chat about follow-ups? If <b>not</b>, nothing links the "
            "report to your account; check it yourself with /status."
        ),
        "btn_notify_yes": "Yes, notify me",
        "btn_notify_no": "No",
        "tip_notify_on": "OK, you will be notified here. (The chat id is stored encrypted, apart from the report.)",
        "tip_notify_off": "OK, nothing links the report to your account. Check it with /status {code}.",
        "tip_draft_resumed": "You have an unfinished report. Let's continue from the last step.",
        "tip_private_only": "Reports can only be made in a private chat with the bot, for your safety.",
        "status_usage": "Write the code, e.g.: /status NTR-7K3Q-9XPA",
        "status_unknown": "That code was not found. Check how it is written.",
        "status_report": "<b>Report {code}</b>\nStatus: <b>{status}</b>\nReceived: {created}\n{messages}",
        "status_messages": "\n<b>Messages from the moderators:</b>\n{items}",
        "status_no_messages": "",
        "btn_reply": "Reply to moderators",
        "reply_usage": "Write: /balas CODE your answer",
        "reply_prompt": "Write your answer to the moderators (report {code}):",
        "reply_sent": "Your answer was sent to the moderators, without your identity.",
        "notify_status": "Update on report <b>{code}</b>: {message}",
        "notify_question": "A moderator asks about report <b>{code}</b>:\n\n{text}\n\nAnswer with the button below or /balas {code} text.",
        "status_msg_baru": "your report was received and awaits review.",
        "status_msg_diverifikasi": "your report is being verified.",
        "status_msg_diteruskan": "your report was forwarded to Bawaslu/BKN for follow-up.",
        "status_msg_selesai": "handling of your report is complete. Thank you.",
        "status_msg_ditolak": "your report cannot be followed up. Reason: {reason}.",
    }
)

TEXTS["id"].update(
    {
        "tip_field_category": "Jenis pelanggaran",
        "tip_field_description": "Kronologi",
        "tip_field_asn_name": "Nama ASN",
        "tip_field_asn_agency": "Instansi",
        "tip_field_asn_position": "Jabatan",
        "tip_field_asn_nip": "NIP",
        "tip_field_region": "Kabupaten/kota",
        "tip_field_place": "Tempat/tautan",
        "tip_field_when": "Tanggal kejadian",
        "tip_field_evidence": "Bukti",
        "tip_field_witnesses": "Saksi",
        # moderators
        "card_title": "Laporan",
        "card_assignee": "Ditangani",
        "card_reported": "Terlapor",
        "card_times": "Diterima {created} UTC · diperbarui {updated} UTC",
        "card_purged": "Isi laporan sudah dihapus sesuai masa simpan.",
        "card_evidence_caption": "Bukti {n} dari {total} · <code>{code}</code>",
        "card_reporter_reply": "💬 <b>Jawaban pelapor</b> untuk <code>{code}</code>:\n\n{text}",
        "btn_take": "🙋 Saya tangani",
        "btn_status_diverifikasi": "🔎 Diverifikasi",
        "btn_status_diteruskan": "📤 Diteruskan ke Bawaslu/BKN",
        "btn_status_selesai": "✅ Selesai",
        "btn_reject": "🚫 Tolak",
        "btn_ask_reporter": "❓ Tanya pelapor",
        "btn_note": "📝 Catatan internal",
        "btn_block": "⛔ Blokir pelapor",
        "btn_block_confirm": "⛔ Ya, blokir pelapor laporan ini",
        "mod_refused": "Tombol ini hanya untuk moderator.",
        "mod_only": "Perintah ini hanya untuk moderator (di grup moderator) atau admin.",
        "mod_taken": "Anda menangani laporan ini.",
        "mod_bad_transition": "Status itu tidak bisa dipilih dari status sekarang.",
        "mod_blocked": "Pelapor laporan ini diblokir. Identitasnya tetap tidak diketahui siapa pun.",
        "mod_ask_prompt": "Pertanyaan untuk pelapor {code}: balas pesan ini dengan pertanyaan Anda.",
        "mod_note_prompt": "Catatan internal untuk {code}: balas pesan ini dengan catatan Anda.",
        "mod_note_saved": "Catatan untuk <code>{code}</code> tersimpan.",
        "mod_question_saved": "Pertanyaan untuk pelapor <code>{code}</code> tersimpan dan dikirim.",
        "mod_question_stored": "Pertanyaan untuk pelapor <code>{code}</code> tersimpan; pelapor melihatnya saat mengecek /status.",
        "mod_tips_usage": "Pakai: /tips [status], status salah satu dari: {statuses}",
        "mod_tips_none": "Belum ada laporan.",
        "mod_tips_title": "<b>Laporan terbaru</b>",
        "mod_history": "Riwayat",
        "mod_export_caption": "Ekspor laporan (tanpa data pelapor, tanpa isi kronologi).",
        "mod_queue": "Antrian pengiriman: <b>{pending}</b> pesan menunggu; tertua sejak {oldest} UTC.",
        "mod_stats_title": "<b>Statistik laporan</b>",
        "alert_lost": "⚠️ Bot tidak bisa mengirim ke grup moderator {chat} (dikeluarkan atau dibatasi?). {pending} pesan menunggu (tertua {oldest}). Semua laporan tetap tersimpan dan akan dikirim begitu bot bisa mengirim lagi.",
        "alert_back": "✅ Pengiriman ke grup moderator {chat} pulih. {pending} pesan masih dalam antrian.",
    }
)

TEXTS["en"].update(
    {
        "tip_field_category": "Kind of violation",
        "tip_field_description": "What happened",
        "tip_field_asn_name": "Name",
        "tip_field_asn_agency": "Agency",
        "tip_field_asn_position": "Position",
        "tip_field_asn_nip": "NIP",
        "tip_field_region": "Regency/city",
        "tip_field_place": "Place/link",
        "tip_field_when": "Date",
        "tip_field_evidence": "Evidence",
        "tip_field_witnesses": "Witnesses",
    }
)

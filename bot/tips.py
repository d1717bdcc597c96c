"""Anonymous tips: pure values and helpers (categories, statuses, codes, dates, drafts, routing)."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import asdict, dataclass, field, fields
from datetime import date, timedelta
from typing import Any

from bot.config import Route, TipsConfig

# -- categories, statuses, reasons ------------------------------------------------------------

CATEGORIES: tuple[str, ...] = (
    "medsos",
    "kampanye",
    "fasilitas",
    "politik-uang",
    "keputusan",
    "lainnya",
)
CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    "medsos": ("Media sosial", "Social media"),
    "kampanye": ("Kampanye / atribut", "Campaign / attributes"),
    "fasilitas": ("Fasilitas negara", "State facilities"),
    "politik-uang": ("Politik uang / pemberian barang", "Vote buying / gifts"),
    "keputusan": ("Keputusan / mutasi", "Decisions / transfers"),
    "lainnya": ("Lainnya", "Other"),
}

STATUSES: tuple[str, ...] = ("baru", "diverifikasi", "diteruskan", "selesai", "ditolak")
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "baru": ("Baru", "New"),
    "diverifikasi": ("Diverifikasi", "Verified"),
    "diteruskan": ("Diteruskan ke pihak berwenang", "Forwarded to the authorities"),
    "selesai": ("Selesai", "Closed"),
    "ditolak": ("Ditolak", "Rejected"),
}
# Closed statuses are final: a wrongly rejected tip is re-submitted, never silently reopened.
TRANSITIONS: dict[str, frozenset[str]] = {
    "baru": frozenset({"diverifikasi", "ditolak"}),
    "diverifikasi": frozenset({"diteruskan", "selesai", "ditolak"}),
    "diteruskan": frozenset({"selesai", "ditolak"}),
    "selesai": frozenset(),
    "ditolak": frozenset(),
}
CLOSED_STATUSES: frozenset[str] = frozenset({"selesai", "ditolak"})

REJECT_REASONS: dict[str, tuple[str, str]] = {
    "bukan-asn": ("Terlapor bukan ASN", "The reported person is not an ASN"),
    "bukti-kurang": ("Bukti kurang", "Not enough evidence"),
    "di-luar-wewenang": ("Di luar wewenang", "Outside our remit"),
    "duplikat": ("Duplikat laporan lain", "Duplicate of another tip"),
    "tidak-jelas": ("Laporan tidak jelas", "The tip is unclear"),
}


def label(labels: dict[str, tuple[str, str]], key: str, lang: str = "id") -> str:
    """The Indonesian or English label of a category/status/reason id (the id if unknown)."""
    pair = labels.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]


def can_transition(old: str, new: str) -> bool:
    """Whether a tip may move from status `old` to status `new`."""
    return new in TRANSITIONS.get(old, frozenset())


# -- receipt codes ----------------------------------------------------------------------------

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CONFUSABLES = str.maketrans({"O": "0", "I": "1", "L": "1"})
CODE_BITS = 40


def new_receipt_code() -> str:
    """A fresh receipt code NTR-XXXX-XXXX carrying 40 random bits."""
    value = secrets.randbits(CODE_BITS)
    symbols = "".join(CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(8)))
    return f"NTR-{symbols[:4]}-{symbols[4:]}"


def normalize_code(text: str) -> str | None:
    """The canonical NTR-XXXX-XXXX form of a typed code, or None if it cannot be one."""
    if not isinstance(text, str):
        return None
    compact = re.sub(r"[\s\-_.#]", "", text).upper()
    if len(compact) == 11 and compact.startswith("NTR"):
        compact = compact[3:]
    if len(compact) != 8:
        return None
    body = compact.translate(_CONFUSABLES)
    if any(ch not in CROCKFORD for ch in body):
        return None
    return f"NTR-{body[:4]}-{body[4:]}"


# -- dates ------------------------------------------------------------------------------------


_CODE_IN_TEXT = re.compile(r"\bNTR-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}\b", re.IGNORECASE)


def find_code(text: str) -> str | None:
    """The first receipt code written in a text (e.g. in a bot prompt), canonical, or None."""
    match = _CODE_IN_TEXT.search(text or "")
    return normalize_code(match.group(0)) if match else None


class DateError(ValueError):
    """A date the reporter typed that cannot be used; `reason` is "unknown" or "future"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
    (
        ("januari", "january", "jan"),
        ("februari", "pebruari", "february", "feb", "peb"),
        ("maret", "march", "mar"),
        ("april", "apr"),
        ("mei", "may"),
        ("juni", "june", "jun"),
        ("juli", "july", "jul"),
        ("agustus", "august", "agu", "agt", "ags", "aug"),
        ("september", "sept", "sep"),
        ("oktober", "october", "okt", "oct"),
        ("november", "nopember", "nov", "nop"),
        ("desember", "december", "des", "dec"),
    ),
    start=1,
):
    for _name in _names:
        _MONTHS[_name] = _num

_NUMBER_WORDS = {
    "se": 1, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7,
    "delapan": 8, "sembilan": 9, "sepuluh": 10, "a": 1, "an": 1, "one": 1, "two": 2,
    "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip

_RELATIVE = re.compile(
    r"^(?P<n>\d{1,4}|[a-z]+)?\s*(?P<unit>hari|days?|minggu|pekan|weeks?)"
    r"\s*(?:yang\s+)?(?:lalu|ago|kemarin|yg\s+lalu)$"
)
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_MONTH = re.compile(r"^(\d{1,2})\s*([a-z]+)\.?(?:\s+(\d{2}|\d{4}))?$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:\s+(\d{4}))?$")


def _build_date(year: int | None, month: int, day: int, today: date) -> date:
    """A calendar date; a missing year means the latest such date that is not in the future."""
    if year is None:
        # the latest valid one not in the future: "29 Feb" in 2025 means 29 Feb 2024
        for back in range(5):
            try:
                candidate = date(today.year - back, month, day)
            except ValueError:
                continue
            if candidate <= today:
                return candidate
        raise DateError("unknown")
    try:
        if year < 100:
            year += 2000
        return date(year, month, day)
    except ValueError as exc:  # 31 February, month 13, 29 February of a common year
        raise DateError("unknown") from exc


def _parse(text: str, today: date) -> date:
    """Parse without the future check (see parse_date)."""
    if text in ("hari ini", "today", "sekarang", "tadi", "barusan"):
        return today
    if text == "kemarin lusa":
        return today - timedelta(days=2)
    if text in ("kemarin", "kemaren", "yesterday"):
        return today - timedelta(days=1)
    if text in ("seminggu", "minggu lalu", "pekan lalu", "last week"):
        return today - timedelta(days=7)
    m = _RELATIVE.match(text)
    if m:
        raw = m.group("n") or "1"
        if raw.isdigit():
            n = int(raw)
        elif raw in _NUMBER_WORDS:
            n = _NUMBER_WORDS[raw]
        else:
            raise DateError("unknown")
        days = n * 7 if m.group("unit").startswith(("minggu", "pekan", "week")) else n
        try:
            return today - timedelta(days=days)
        except OverflowError as exc:
            raise DateError("unknown") from exc
    m = _ISO.match(text)
    if m:
        return _build_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), today)
    m = _NUMERIC.match(text)
    if m:
        year = int(m.group(3)) if m.group(3) else None
        return _build_date(year, int(m.group(2)), int(m.group(1)), today)
    m = _DAY_MONTH.match(text)
    if m and m.group(2) in _MONTHS:
        year = int(m.group(3)) if m.group(3) else None
        return _build_date(year, _MONTHS[m.group(2)], int(m.group(1)), today)
    m = _MONTH_DAY.match(text)
    if m and m.group(1) in _MONTHS:
        year = int(m.group(3)) if m.group(3) else None
        return _build_date(year, _MONTHS[m.group(1)], int(m.group(2)), today)
    raise DateError("unknown")


def parse_date(text: str, today: date) -> date:
    """Parse an Indonesian/English date (day first); raise DateError("unknown"/"future")."""
    cleaned = text.strip().lower()
    cleaned = re.sub(r"^(?:tanggal|tgl\.?|pada|on)\s+", "", cleaned)
    cleaned = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", cleaned)
    cleaned = re.sub(r"[,]", " ", cleaned)
    cleaned = re.sub(r"\s+", " ", cleaned).strip(" .!?")
    # "seminggu lalu" is "se" + "minggu lalu"; split it so the relative pattern sees a number
    cleaned = re.sub(r"^se(minggu|pekan|hari)\b", r"se \1", cleaned)
    result = _parse(cleaned, today)
    if result > today:
        raise DateError("future")
    return result


# -- evidence, drafts, tips -------------------------------------------------------------------

EVIDENCE_KINDS: tuple[str, ...] = (
    "photo", "video", "animation", "document", "audio", "voice", "link",
)  # fmt: skip
ALBUM_KINDS: frozenset[str] = frozenset({"photo", "video"})
MAX_LINKS = 10
MAX_LINK_LENGTH = 500


@dataclass
class Evidence:
    kind: str
    file_id: str = ""
    file_unique_id: str = ""
    mime_type: str = ""
    file_name: str = ""
    file_size: int = 0
    url: str = ""
    media_group_id: str = ""
    sanitized: bool = False  # True when an image was re-encoded without its metadata

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evidence:
        """Build from a dict, ignoring keys this version does not know."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


_COMMON_TLDS = frozenset(
    {
        "com", "net", "org", "id", "info", "io", "me", "co", "tv", "ly", "gl", "be", "app",
        "xyz", "news", "site", "online", "web", "biz", "asia", "my", "sg", "gg", "to", "link",
        "page", "blog", "live",
    }
)  # fmt: skip
_URL = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
_BARE = re.compile(
    r"(?<![\w@./:-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,24}))(/[^\s<>\"']*)?",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}'\"»›"


def extract_links(text: str) -> list[str]:
    """Up to 10 distinct links in a text: http(s) URLs and bare domains (given https://)."""
    found: list[tuple[int, str]] = []
    spans: list[tuple[int, int]] = []
    for m in _URL.finditer(text):
        scheme, sep, rest = m.group(0).rstrip(_TRAILING).partition("://")
        found.append((m.start(), scheme.lower() + sep + rest))  # "HTTPS://x" is "https://x"
        spans.append(m.span())
    for m in _BARE.finditer(text):
        if any(a <= m.start() < b for a, b in spans):
            continue
        tld, path = m.group(2).lower(), m.group(3)
        # "Pak.Budi" is not a link; "instagram.com" and "foo.bar/x" are
        if tld not in _COMMON_TLDS and not path:
            continue
        found.append((m.start(), "https://" + m.group(0).rstrip(_TRAILING)))
    links: list[str] = []
    for _, url in sorted(found):
        if len(url) <= MAX_LINK_LENGTH and url not in links:
            links.append(url)
        if len(links) == MAX_LINKS:
            break
    return links


def valid_nip(s: str) -> bool:
    """Whether a NIP is 18 digits once spaces are removed; empty is fine (the field is optional)."""
    compact = re.sub(r"\s+", "", s or "")
    return compact == "" or (len(compact) == 18 and compact.isascii() and compact.isdigit())


@dataclass
class TipDraft:
    category: str = ""
    description: str = ""
    asn_name: str = ""
    asn_agency: str = ""
    asn_position: str = ""
    asn_nip: str = ""
    region: str = ""
    place: str = ""
    occurred_on: str = ""  # ISO date
    evidence: list[Evidence] = field(default_factory=list)
    witnesses: str = ""

    def to_json(self) -> str:
        """Serialise for the drafts table (content only; never who wrote it)."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> TipDraft:
        """Rebuild a draft, tolerating missing and unknown keys from other versions."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("draft JSON must be an object")
        known = {f.name for f in fields(cls)} - {"evidence"}
        draft = cls(**{k: str(v) for k, v in data.items() if k in known and v is not None})
        draft.evidence = [
            Evidence.from_dict(e) for e in data.get("evidence") or [] if isinstance(e, dict)
        ]
        return draft


def validate_draft(draft: TipDraft, config: TipsConfig) -> list[str]:
    """Problems that stop a draft being submitted (empty list: it is fine)."""
    problems: list[str] = []
    if draft.category not in CATEGORIES:
        problems.append("category")
    if not draft.description.strip():
        problems.append("description")
    texts = (
        draft.description, draft.asn_name, draft.asn_agency, draft.asn_position,
        draft.region, draft.place, draft.witnesses,
    )  # fmt: skip
    if any(len(t) > config.max_text_length for t in texts):
        problems.append("too_long")
    if len(draft.evidence) > config.max_evidence:
        problems.append("evidence")
    if any(e.kind not in EVIDENCE_KINDS for e in draft.evidence):
        problems.append("evidence_kind")
    if not valid_nip(draft.asn_nip):
        problems.append("nip")
    if draft.occurred_on:
        try:
            date.fromisoformat(draft.occurred_on)
        except ValueError:
            problems.append("date")
    return problems


@dataclass(frozen=True)
class Tip:
    id: int
    code: str
    created_at: str
    category: str
    description: str
    asn_name: str
    asn_agency: str
    asn_position: str
    asn_nip: str
    region: str
    place: str
    occurred_on: str
    witnesses: str
    status: str
    status_reason: str
    assignee: str  # a moderator's display label, e.g. "Moderator #3"
    updated_at: str
    closed_at: str
    purged: bool
    evidence_count: int

    @property
    def closed(self) -> bool:
        """Whether the tip has reached a final status."""
        return self.status in CLOSED_STATUSES


# -- routing ----------------------------------------------------------------------------------

# a prefix needs a dot or a space after it: "Kotabaru" is a regency, not "Kota Baru"
_REGION_PREFIX = re.compile(r"^(kabupaten|kotamadya|provinsi|kab|kota|prov)(?:\.\s*|\s+)")


def _region_key(text: str) -> tuple[str, str]:
    """(kind, bare name): "Kab. Bogor" and "Kabupaten Bogor" → ("kab", "bogor")."""
    s = re.sub(r"\s+", " ", text.strip().lower())
    m = _REGION_PREFIX.match(s)
    if not m:
        return "", s
    prefix = m.group(1)
    kind = {"kabupaten": "kab", "kotamadya": "kota", "provinsi": "prov"}.get(prefix, prefix)
    return kind, s[m.end() :].strip()


def _region_matches(route_region: str, region: str) -> bool:
    """Same bare name, and the same kind unless one side leaves the kind out."""
    rk, rn = _region_key(route_region)
    for part in region.split(","):
        k, n = _region_key(part)
        if n and n == rn and (not rk or not k or rk == k):
            return True
    return False


def route_chat(
    routes: list[Route], default_chat: int | None, region: str, category: str
) -> int | None:
    """The moderation chat for a tip: first matching route by region or category, else default."""
    cat = category.strip().lower()
    for route in routes:
        if region and any(_region_matches(r, region) for r in route.regions):
            return route.chat_id
        if cat and any(c.strip().lower() == cat for c in route.categories):
            return route.chat_id
    return default_chat

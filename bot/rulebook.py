"""The YAML rulebook: loading, validation with file and line, and the Rule value objects."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from bot.normalize import Normalizer, SlangTable

VERDICTS = ("prohibited", "conditional", "info", "allowed")
CONFIDENCES = ("explicit", "inferred", "contested", "unconfirmed")
LANGS = ("id", "en")
# Strictness: lower sorts first when several actions are answered together.
SEVERITY = {"prohibited": 0, "conditional": 1, "info": 2, "allowed": 3}
SHEET_ROWS = range(1, 68)
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_SECTION_RE = re.compile(r"^§\d+(\.\d+)?$")


@dataclass(frozen=True)
class Text:
    """A piece of user-facing text in Indonesian and English."""

    id: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.id


@dataclass(frozen=True)
class Category:
    id: str
    title: Text


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    verdict: str
    confidence: str
    title: Text
    phrasings: dict[str, tuple[str, ...]]
    keywords: tuple[str, ...]
    answer: Text
    legal_basis: tuple[str, ...]
    sanction: Text
    sources: tuple[int | str, ...]
    condition: Text | None = None
    unconfirmed: Text | None = None
    refs: tuple[int | str, ...] = ()
    see_also: tuple[str, ...] = ()
    # General rules this one is the exception to (a spouse on CLTN may escort to KPU): when
    # both match, this one answers instead of the general rule taking the lead.
    overrides: tuple[str, ...] = ()
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str
    level: str = "error"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.level}: {self.message}"


@dataclass
class Rulebook:
    version: str
    date: str
    categories: list[Category]
    rules: list[Rule]
    slang: SlangTable
    path: str
    warnings: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_id = {r.id: r for r in self.rules}

    def rule(self, rule_id: str) -> Rule | None:
        return self.by_id.get(rule_id)

    def category(self, cat_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == cat_id), None)

    def in_category(self, cat_id: str) -> list[Rule]:
        return [r for r in self.rules if r.category == cat_id]


class RulebookError(Exception):
    """The rulebook is invalid; `problems` lists every error with file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.level == "error"]
        super().__init__(f"rulebook invalid: {len(errors)} error(s); first: {errors[0]}")


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that remembers the line of every mapping and of each of its keys."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=True)
    lines = {}
    for key_node, _ in node.value:
        lines[str(loader.construct_object(key_node))] = key_node.start_mark.line + 1
    mapping["__line__"] = node.start_mark.line + 1
    mapping["__lines__"] = lines
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def bundled_path() -> Path:
    """Folder of the rulebook shipped with the package."""
    return Path(str(resources.files("knowledge")))


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, file: str, line: int, msg: str) -> None:
        self.problems.append(Problem(file, line, msg))

    def warn(self, file: str, line: int, msg: str) -> None:
        self.problems.append(Problem(file, line, msg, "warning"))

    def load_yaml(self, path: Path, display: str) -> Any:
        try:
            return yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark else 1
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            self.error(display, line, f"bad YAML: {problem}")
        except (OSError, UnicodeDecodeError) as exc:
            self.error(display, 1, f"cannot read file: {exc}")
        return None

    def text(self, d: dict, key: str, file: str, where: str, *, required: bool) -> Text | None:
        line = d.get("__lines__", {}).get(key, d.get("__line__", 1))
        value = d.get(key)
        if value is None:
            if required:
                self.error(file, d.get("__line__", 1), f"{where}: missing '{key}'")
            return None
        if not isinstance(value, dict):
            self.error(file, line, f"{where}: '{key}' must have 'id' and 'en' texts")
            return None
        out = {}
        for lang in LANGS:
            s = value.get(lang)
            if not isinstance(s, str) or not s.strip():
                self.error(file, line, f"{where}: '{key}.{lang}' is missing or empty")
                out[lang] = ""
            else:
                out[lang] = s.strip()
        return Text(out["id"], out["en"])


def _str_list(value: Any) -> list[str] | None:
    # YAML reads unquoted no/yes/on/off as booleans ("no pose" would become "False pose").
    if not isinstance(value, list) or not all(
        isinstance(v, str | int) and not isinstance(v, bool) for v in value
    ):
        return None
    return [str(v).strip() for v in value]


def _parse_rule(c: _Checker, d: Any, file: str, categories: set[str]) -> Rule | None:
    if not isinstance(d, dict):
        c.error(file, 1, "each rule must be a mapping")
        return None
    line = d.get("__line__", 1)
    lines = d.get("__lines__", {})
    rid = d.get("id")
    where = f"rule {rid!r}" if rid else "rule"
    ok = True

    def fail(key: str, msg: str) -> None:
        nonlocal ok
        ok = False
        c.error(file, lines.get(key, line), f"{where}: {msg}")

    if not isinstance(rid, str) or not _ID_RE.match(rid):
        fail("id", "'id' must be lower-case letters, digits and hyphens")
    known = {
        "id",
        "category",
        "verdict",
        "confidence",
        "title",
        "phrasings",
        "keywords",
        "answer",
        "condition",
        "legal_basis",
        "sanction",
        "sources",
        "refs",
        "unconfirmed",
        "see_also",
        "overrides",
    }
    for key in d:
        if not key.startswith("__") and key not in known:
            fail(key, f"unknown field '{key}'")
    verdict = d.get("verdict")
    if verdict not in VERDICTS:
        fail("verdict", f"unknown verdict {verdict!r} (use one of {', '.join(VERDICTS)})")
    confidence = d.get("confidence")
    if confidence not in CONFIDENCES:
        fail("confidence", f"unknown confidence {confidence!r} (use {', '.join(CONFIDENCES)})")
    category = d.get("category")
    if category not in categories:
        fail("category", f"unknown category {category!r} (declare it in meta.yaml)")

    title = c.text(d, "title", file, where, required=True)
    answer = c.text(d, "answer", file, where, required=True)
    sanction = c.text(d, "sanction", file, where, required=True)
    condition = c.text(d, "condition", file, where, required=verdict == "conditional")
    unconfirmed = c.text(
        d, "unconfirmed", file, where, required=confidence in ("contested", "unconfirmed")
    )
    if condition is not None and verdict != "conditional":
        fail("condition", "'condition' is only for conditional rules")
    if None in (title, answer, sanction) or (verdict == "conditional" and condition is None):
        ok = False
    if confidence in ("contested", "unconfirmed") and unconfirmed is None:
        ok = False

    phrasings: dict[str, tuple[str, ...]] = {}
    raw = d.get("phrasings")
    if not isinstance(raw, dict):
        fail("phrasings", "'phrasings' must map 'id' and 'en' to lists of questions")
    else:
        for lang in LANGS:
            items = _str_list(raw.get(lang))
            items = [s for s in items or [] if s]
            if not items:
                fail("phrasings", f"'phrasings.{lang}' is empty")
            phrasings[lang] = tuple(items)

    keywords = _str_list(d.get("keywords"))
    if not keywords:
        fail("keywords", "'keywords' must be a non-empty list")
    basis = _str_list(d.get("legal_basis"))
    if not basis or not all(basis):
        fail("legal_basis", "'legal_basis' must cite at least one source (every rule cites)")
    sources_raw = d.get("sources")
    sources: list[int | str] = []
    if not isinstance(sources_raw, list) or not sources_raw:
        fail("sources", "'sources' must list rows of the domain sheet (1-67) or sections (§4.1)")
    else:
        for s in sources_raw:
            if isinstance(s, int) and not isinstance(s, bool) and s in SHEET_ROWS:
                sources.append(s)
            elif isinstance(s, str) and _SECTION_RE.match(s.strip()):
                sources.append(s.strip())
            else:
                fail("sources", f"bad source {s!r} (a row 1-67 or a section like '§4.1')")
    refs = d.get("refs", [])
    if not isinstance(refs, list):
        fail("refs", "'refs' must be a list")
        refs = []
    see_also = _str_list(d.get("see_also", [])) if "see_also" in d else []
    if see_also is None:
        fail("see_also", "'see_also' must be a list of rule ids")
        see_also = []
    overrides = _str_list(d.get("overrides", [])) if "overrides" in d else []
    if overrides is None:
        fail("overrides", "'overrides' must be a list of rule ids")
        overrides = []
    if not ok:
        return None
    assert title and answer and sanction and keywords and basis  # narrowed by the checks above
    return Rule(
        id=rid,
        category=category,
        verdict=verdict,
        confidence=confidence,
        title=title,
        phrasings=phrasings,
        keywords=tuple(keywords),
        answer=answer,
        legal_basis=tuple(basis),
        sanction=sanction,
        sources=tuple(sources),
        condition=condition,
        unconfirmed=unconfirmed,
        refs=tuple(refs),
        see_also=tuple(see_also),
        overrides=tuple(overrides),
        file=file,
        line=line,
    )


def _parse_meta(c: _Checker, root: Path) -> tuple[str, str, list[Category]]:
    meta = c.load_yaml(root / "meta.yaml", "meta.yaml")
    if meta is None:
        if (root / "meta.yaml").exists():
            return "", "", []
        c.error("meta.yaml", 1, "missing meta.yaml (version, date, categories)")
        return "", "", []
    if not isinstance(meta, dict):
        c.error("meta.yaml", 1, "meta.yaml must be a mapping")
        return "", "", []
    version, date = str(meta.get("version", "")), str(meta.get("date", ""))
    if not version:
        c.error("meta.yaml", meta["__line__"], "missing 'version'")
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", date):
        c.error("meta.yaml", meta["__lines__"].get("date", 1), "'date' must be YYYY-MM-DD")
    cats: list[Category] = []
    for item in meta.get("categories") or []:
        if not isinstance(item, dict):
            c.error("meta.yaml", 1, "each category must be a mapping with id and title")
            continue
        cid = item.get("id")
        title = c.text(item, "title", "meta.yaml", f"category {cid!r}", required=True)
        if not isinstance(cid, str) or not _ID_RE.match(cid):
            c.error("meta.yaml", item["__line__"], f"bad category id {cid!r}")
        elif title:
            cats.append(Category(cid, title))
    if not cats:
        c.error("meta.yaml", 1, "no categories declared")
    return version, date, cats


# Optional word lists of slang.yaml, each a keyword of SlangTable.from_mapping.
SLANG_WORD_LISTS = (
    "out_of_scope",
    "negators",
    "negation_skip",
    "negation_hosts",
    "permission_words",
    "fact_words",
    "context_words",
)


def _parse_slang(c: _Checker, root: Path) -> SlangTable:
    data = c.load_yaml(root / "slang.yaml", "slang.yaml") if (root / "slang.yaml").exists() else {}
    if data is None:
        return SlangTable()
    if not isinstance(data, dict):
        c.error("slang.yaml", 1, "slang.yaml must be a mapping with 'canonical' and 'stopwords'")
        return SlangTable()
    canonical = data.get("canonical") or {}
    stopwords = _str_list(data.get("stopwords") or [])
    lists: dict[str, list[str]] = {}
    for key in SLANG_WORD_LISTS:
        items = _str_list(data.get(key) or [])
        if items is None:
            c.error(
                "slang.yaml",
                data["__lines__"].get(key, 1),
                f"'{key}' must be a list of words (quote yes/no/on/off)",
            )
            items = []
        lists[key] = items
    clean: dict[str, list[str]] = {}
    if not isinstance(canonical, dict):
        c.error("slang.yaml", data["__line__"], "'canonical' must map tokens to lists")
        canonical = {}
    for key, variants in canonical.items():
        if key.startswith("__"):
            continue
        items = _str_list(variants)
        if items is None:
            line = canonical["__lines__"].get(key, 1)
            c.error("slang.yaml", line, f"canonical '{key}': variants must be a list of words")
            continue
        clean[key] = items
    if stopwords is None:
        c.error("slang.yaml", data["__lines__"].get("stopwords", 1), "'stopwords' must be a list")
        stopwords = []
    seen: dict[str, str] = {}
    for key, items in clean.items():
        for v in items:
            other = seen.get(v.lower())
            if other and other != key:
                c.warn(
                    "slang.yaml",
                    canonical["__lines__"].get(key, 1),
                    f"variant '{v}' maps to both '{other}' and '{key}'",
                )
            seen[v.lower()] = key
    return SlangTable.from_mapping(clean, stopwords, **lists)


# Words naming the people the rules cover; a question naming one stays in scope.
COVERED_PEOPLE = "asn pns pppk p3k honorer tk2d ppnpn"


def load_rulebook(path: str | Path | None = None) -> Rulebook:
    """Load and validate a rulebook folder; raise RulebookError listing every problem."""
    root = Path(path) if path else bundled_path()
    c = _Checker()
    if not root.is_dir():
        raise RulebookError([Problem(str(root), 0, "rulebook folder not found")])
    version, date, cats = _parse_meta(c, root)
    slang = _parse_slang(c, root)
    cat_ids = {cat.id for cat in cats}
    rules: list[Rule] = []
    declared: set[str] = set()  # ids of every rule, valid or not, so one error does not cascade
    files = sorted((root / "rules").glob("*.yaml")) if (root / "rules").is_dir() else []
    if not files:
        c.error("rules/", 0, "no rule files (rules/*.yaml)")
    for f in files:
        display = f"rules/{f.name}"
        data = c.load_yaml(f, display)
        if data is None:
            continue
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
            c.error(display, 1, "a rule file must be a mapping with a 'rules:' list")
            continue
        for item in data["rules"]:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                declared.add(item["id"])
            rule = _parse_rule(c, item, display, cat_ids)
            if rule:
                rules.append(rule)
    _cross_check(c, rules, declared)
    # An out_of_scope entry that is also a variant puts its canonical word out of scope; a
    # phrasing using that word would then be declined ("anggota dewan" would take "dpr").
    normalizer = Normalizer(slang)
    covered = set(normalizer.tokens(COVERED_PEOPLE))
    for rule in rules:
        for items in rule.phrasings.values():
            for phrasing in items:
                toks = set(normalizer.tokens(phrasing))
                clash = toks & slang.out_of_scope
                if clash and not toks & covered:
                    c.warn(
                        rule.file,
                        rule.line,
                        f"rule '{rule.id}': phrasing {phrasing!r} would be declined as out of "
                        f"scope ({', '.join(sorted(clash))} in slang.yaml out_of_scope)",
                    )
    errors = [p for p in c.problems if p.level == "error"]
    if errors:
        raise RulebookError(c.problems)
    return Rulebook(
        version,
        date,
        cats,
        rules,
        slang,
        str(root),
        [p for p in c.problems if p.level == "warning"],
    )


def _cross_check(c: _Checker, rules: list[Rule], declared: set[str]) -> None:
    by_id: dict[str, Rule] = {}
    phrasing_owner: dict[str, str] = {}
    for r in rules:
        if r.id in by_id:
            first = by_id[r.id]
            c.error(r.file, r.line, f"duplicate id '{r.id}' (first at {first.file}:{first.line})")
        by_id.setdefault(r.id, r)
        for lang in LANGS:
            for p in r.phrasings.get(lang, ()):
                key = " ".join(p.lower().split())
                owner = phrasing_owner.get(key)
                if owner and owner != r.id:
                    c.error(r.file, r.line, f"rule '{r.id}': phrasing {p!r} also in '{owner}'")
                phrasing_owner.setdefault(key, r.id)
    for r in rules:
        for field_name, ids in (("see_also", r.see_also), ("overrides", r.overrides)):
            for other in ids:
                if other not in by_id and other not in declared:
                    c.error(
                        r.file, r.line, f"rule '{r.id}': {field_name} names unknown rule '{other}'"
                    )
        for other in r.overrides:
            general = by_id.get(other)
            if general and SEVERITY[general.verdict] > SEVERITY[r.verdict]:
                c.error(
                    r.file,
                    r.line,
                    f"rule '{r.id}': overrides '{other}', which is less strict; an exception "
                    "may only relax a stricter rule",
                )
    covered = {s for r in rules for s in r.sources if isinstance(s, int)}
    missing = [n for n in SHEET_ROWS if n not in covered]
    if rules and missing:
        rows = ", ".join(map(str, missing))
        c.warn("rules/", 0, f"rows of the domain sheet not covered by any rule: {rows}")

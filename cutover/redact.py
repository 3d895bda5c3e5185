"""Keeping secrets out of everything a run writes or prints.

Two layers, because either alone misses things:

- By value. Every secret the run resolves or mints is registered in `RUN_SECRETS`; `scrub`
  replaces it in every form it takes on the way to a file or a terminal: raw, HTML-escaped (once,
  twice, Jinja's way: pytest-html escapes a failure text, puts it in JSON and Jinja escapes that
  again), JSON-escaped, Python repr (`--showlocals`), URL-encoded, YAML- and shell-quoted, and
  chains of these up to three deep; base64 (standard and urlsafe, at any offset in a longer text)
  and hex. Text inside `data:...;base64,` URIs (pytest-html's extras) is decoded, scrubbed and
  re-encoded. `leaks` is the independent check afterwards: it also decodes what it finds (HTML
  entities, JSON escapes, %-escapes, every base64 data URI) and looks for the raw secret there.
- By name. Whatever a variable or field is called that says it holds a secret (`is_secret_name`:
  SECRET, PASSWORD, TOKEN, KEY, CREDENTIAL...) is masked wherever an environment or mapping is
  shown, even when its value was never registered (an engine's KMS key, a client secret read
  back from a container).

Secrets shorter than MIN_SECRET_LENGTH characters are refused (`SecretTooShort`): scrubbing
them would replace ordinary words all over the record, and MinIO itself refuses a root secret
that short. Nothing here is tied to pytest; the change record calls it.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import mmap
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, unquote, unquote_plus

import yaml
from pydantic import SecretStr

from cutover.errors import ConfigError

REDACTED = "[REDACTED]"
MASKED = "<secret, not shown>"
MIN_SECRET_LENGTH = 8
ENCODING_DEPTH = 3  # pytest-html: escape -> JSON -> Jinja escape


class SecretTooShort(ConfigError):
    """A secret too short to be scrubbed from the record without mangling it."""


# --- by name ---------------------------------------------------------------------------------

_SECRET_WORD = re.compile(r"SECRET|PASSW|PASSPHRASE|TOKEN|KEY|CREDENTIAL", re.IGNORECASE)
_STRONG_WORD = re.compile(r"SECRET|PASSW|PASSPHRASE|TOKEN|CREDENTIAL", re.IGNORECASE)
# A last word that says the field describes a secret rather than holding it: where it comes
# from (SECRET_ENV, SECRET_FILE), where it is used (TOKEN_ENDPOINT), whether it is set.
_DESCRIBES = re.compile(
    r"IDS?|ENDPOINT|URL|URI|SUPPORTED|SET|FILE|ENV|SOURCE|PATH|DIR|NAME|TYPE|COUNT|MARKER|"
    r"METHODS?|ALG|ALGORITHM|EXPIRES|EXPIRATION|EXPIRY|LENGTH"
)
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def _words(name: str) -> list[str]:
    return [w.upper() for w in _WORDS.findall(name)]


def is_secret_name(name: str) -> bool:
    """True when a variable or field called `name` holds a secret.

    Identities are not secrets: an access key id (RUSTFS_ACCESS_KEY, MINIO_ROOT_USER,
    RCLONE_CONFIG_R2_ACCESS_KEY_ID, AccessKeyId) names who signs, not what proves it, and the
    record needs it to say which keys were used. S3's `Key` (an object's name) is no secret
    either. Everything else matching SECRET|PASSW|PASSPHRASE|TOKEN|KEY|CREDENTIAL is.
    """
    if not _SECRET_WORD.search(name):
        return False
    words = _words(name)
    if not words or words == ["KEY"] or _DESCRIBES.fullmatch(words[-1]):
        return False
    return not (words[-2:] == ["ACCESS", "KEY"] and not _STRONG_WORD.search(name))


_REFERENCE = re.compile(r"<[^<>]* [^<>]*>|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")


def is_reference(value: str) -> bool:
    """A value that says where a secret comes from (`<secret from $X>`, `$X`), not the secret."""
    return bool(_REFERENCE.fullmatch(value.strip())) or value in {REDACTED, MASKED}


def mask_value(name: str, value: Any) -> Any:
    """`value` as it may be shown under `name`."""
    if isinstance(value, SecretStr):
        return MASKED
    if isinstance(value, str) and value and is_secret_name(name) and not is_reference(value):
        return MASKED
    return value


def mask_mapping(data: Any) -> Any:
    """A copy of nested mappings/lists with every secret-named string value masked."""
    if isinstance(data, Mapping):
        return {
            k: mask_value(k, mask_mapping(v)) if isinstance(k, str) else mask_mapping(v)
            for k, v in data.items()
        }
    if isinstance(data, list | tuple):
        return [mask_mapping(v) for v in data]
    return MASKED if isinstance(data, SecretStr) else data


_ASSIGNMENT = re.compile(
    r"""(?P<name>\b[A-Za-z_][A-Za-z0-9_]*)(?P<sep>["']?[ \t]*[:=][ \t]*)"""
    r"""(?P<value><[^<>\n]*>|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s'",;&}\]]+)"""
)


def mask_assignments(text: str) -> str:
    """Mask `NAME=value`, `NAME: value` and `"name": "value"` in free text (logs, commands) when
    the name says it is a secret. Only names that look like variables are read (several words
    or all capitals), so prose such as "the new secret: lists" is left alone."""

    def mask(match: re.Match[str]) -> str:
        name, value = match["name"], match["value"]
        inner = value[1:-1] if value[:1] in "\"'" and len(value) > 1 else value
        if len(_words(name)) < 2 and not name.isupper():
            return match[0]
        if not is_secret_name(name) or not inner or is_reference(inner):
            return match[0]
        if inner.lower() in {"true", "false", "null", "none", "on", "off"}:
            return match[0]
        quote_char = value[0] if value[:1] in "\"'" else ""
        return f"{name}{match['sep']}{quote_char}{MASKED}{quote_char}"

    return _ASSIGNMENT.sub(mask, text)


# --- the registry ----------------------------------------------------------------------------


@dataclass
class SecretRegistry:
    """Every secret of one run, by value, with what it is (for messages that never quote it)."""

    _what: dict[str, str] = field(default_factory=dict)

    def add(self, secret: SecretStr | str | None, what: str) -> None:
        value = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
        if not value or value in self._what:
            return
        if len(value) < MIN_SECRET_LENGTH:
            raise SecretTooShort(
                f"the {what} is {len(value)} characters long: secrets shorter than "
                f"{MIN_SECRET_LENGTH} are refused, because the change record cannot be scrubbed "
                "of them without mangling it (and MinIO refuses a root secret that short); use a "
                "longer secret"
            )
        self._what[value] = what

    def what(self, value: str) -> str:
        return self._what.get(value, "a secret")

    def reset(self) -> None:
        self._what.clear()

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._what))

    def __len__(self) -> int:
        return len(self._what)

    def __contains__(self, value: object) -> bool:
        return value in self._what


RUN_SECRETS = SecretRegistry()


def remember(secret: SecretStr | str | None, what: str) -> None:
    """Register a secret the run resolved or minted; the record is scrubbed of it."""
    RUN_SECRETS.add(secret, what)


# --- encodings -------------------------------------------------------------------------------


def _jinja_escape(s: str) -> str:
    """markupsafe's escape (Jinja autoescape), without depending on it."""
    return (
        s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


def _yaml_double_quoted(s: str, *, unicode: bool) -> str:
    dumped = yaml.safe_dump(s, default_style='"', allow_unicode=unicode, width=1 << 30)
    return dumped.strip().removesuffix("...").strip()[1:-1]


def _lower_percent(s: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), s)


ENCODERS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("HTML-escaped", lambda s: html.escape(s, quote=True)),
    ("HTML-escaped (quotes kept)", lambda s: html.escape(s, quote=False)),
    ("HTML-escaped (Jinja)", _jinja_escape),
    ("JSON-escaped", lambda s: json.dumps(s)[1:-1]),
    ("JSON-escaped (UTF-8)", lambda s: json.dumps(s, ensure_ascii=False)[1:-1]),
    ("repr", lambda s: repr(s)[1:-1]),
    ("URL-encoded", lambda s: quote(s, safe="")),
    ("URL-encoded (path)", quote),
    ("URL-encoded (form)", quote_plus),
    ("URL-encoded (lower case)", lambda s: _lower_percent(quote(s, safe=""))),
    ("YAML single-quoted", lambda s: s.replace("'", "''")),
    ("YAML double-quoted", lambda s: _yaml_double_quoted(s, unicode=False)),
    ("YAML double-quoted (UTF-8)", lambda s: _yaml_double_quoted(s, unicode=True)),
    ("shell-quoted", lambda s: s.replace("'", "'\"'\"'")),
)


@lru_cache(maxsize=256)
def text_forms(secret: str) -> tuple[tuple[str, str], ...]:
    """(form, how) for every chain of up to ENCODING_DEPTH encoders, longest form first."""
    found: dict[str, str] = {secret: "raw"}
    frontier = [secret]
    for _ in range(ENCODING_DEPTH):
        nxt = []
        for form in frontier:
            for how, encode in ENCODERS:
                encoded = encode(form)
                if encoded not in found:
                    previous = found[form]
                    found[encoded] = how if previous == "raw" else f"{previous}, then {how}"
                    nxt.append(encoded)
        frontier = nxt
    return tuple(sorted(found.items(), key=lambda item: len(item[0]), reverse=True))


def _b64_cores(data: bytes) -> set[str]:
    """The characters of base64 that only `data` determines, wherever it starts in a longer
    text (three alignments), in both alphabets."""
    cores = set()
    bits = 8 * len(data)
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data).decode().rstrip("=")
        start, end = -(-8 * offset // 6), (8 * offset + bits) // 6
        core = encoded[start:end]
        cores |= {core, core.replace("+", "-").replace("/", "_")}
    return cores


@lru_cache(maxsize=256)
def binary_forms(secret: str) -> tuple[tuple[str, str], ...]:
    """(form, how) for base64 (full, and any offset) and hex of the secret's UTF-8 bytes."""
    data = secret.encode("utf-8")
    found: dict[str, str] = {}
    for full in (base64.b64encode(data).decode(), base64.urlsafe_b64encode(data).decode()):
        found.setdefault(full, "base64")
    for core in _b64_cores(data):
        found.setdefault(core, "base64 (inside a longer text)")
    found.setdefault(data.hex(), "hex")
    found.setdefault(data.hex().upper(), "hex")
    return tuple(sorted(found.items(), key=lambda item: len(item[0]), reverse=True))


def all_forms(secret: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted({*text_forms(secret), *binary_forms(secret)}, key=lambda f: -len(f[0])))


# --- scrubbing -------------------------------------------------------------------------------

_DATA_URI = re.compile(r"(data:[\w.+/-]*(?:;[\w.+-]+=[\w.+-]+)*;base64,)([A-Za-z0-9+/_-]+=*)")


def _decode_b64(blob: str) -> bytes | None:
    try:
        padded = blob + "=" * (-len(blob) % 4)
        if "-" in blob or "_" in blob:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None


def _as_text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _pattern(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    forms = sorted({f for s in secrets for f, _ in all_forms(s)}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, forms))) if forms else None


@lru_cache(maxsize=64)
def _cached_pattern(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    return _pattern(secrets)


@lru_cache(maxsize=64)
def _form_origins(secrets: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """form -> (secret, how), for naming what a match was."""
    return {form: (s, how) for s in secrets for form, how in all_forms(s)}


def _usable(secrets: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({s for s in secrets if s}))


def scrub(text: str, secrets: Iterable[str], *, _depth: int = 0) -> str:
    """`text` with every form of every secret replaced by REDACTED; base64 data URIs are
    decoded, scrubbed and re-encoded (so an extra stays readable)."""
    usable = _usable(secrets)
    if not usable or not text:
        return text
    if _depth < 3 and "base64," in text:

        def rewrite(match: re.Match[str]) -> str:
            data = _decode_b64(match[2])
            if data is None:
                return match[0]
            decoded = _as_text(data)
            cleaned = (
                scrub(decoded, usable, _depth=_depth + 1).encode("utf-8")
                if decoded is not None
                else scrub_bytes(data, usable)
            )
            if cleaned == data:
                return match[0]
            return match[1] + base64.b64encode(cleaned).decode("ascii")

        text = _DATA_URI.sub(rewrite, text)
    pattern = _cached_pattern(usable)
    return pattern.sub(REDACTED, text) if pattern is not None else text


ELLIPSIS = "..."
MIN_CUT = 3


def scrub_cut(text: str, secrets: Iterable[str]) -> str:
    """The part of a secret left beside "..." where a repr was cut short (pytest's
    `--showlocals` cuts reprs over 240 characters in the middle): a prefix of MIN_CUT or more
    characters before the cut, or a suffix after it, is replaced too."""
    if ELLIPSIS not in text:
        return text
    for secret in _usable(secrets):
        for form in {secret, repr(secret)[1:-1]}:
            for k in range(len(form) - 1, MIN_CUT - 1, -1):
                text = text.replace(form[:k] + ELLIPSIS, REDACTED + ELLIPSIS)
                text = text.replace(ELLIPSIS + form[-k:], ELLIPSIS + REDACTED)
    return text


def scrub_bytes(data: bytes, secrets: Iterable[str]) -> bytes:
    """Binary content (an SQLite file): the raw and escaped forms overwritten with as many
    `*` as they are long, so offsets and lengths inside the file stay valid."""
    for secret in _usable(secrets):
        for form, _how in all_forms(secret):
            encoded = form.encode("utf-8")
            if encoded in data:
                data = data.replace(encoded, b"*" * len(encoded))
    return data


# --- verifying -------------------------------------------------------------------------------

_BACKSLASH_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|[\"\\/bfnrt'])")
_SIMPLE = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _backslash_unescape(text: str) -> str:
    """JSON, Python repr and YAML double-quoted escapes decoded."""

    def one(m: re.Match[str]) -> str:
        code = m[1]
        if code[0] in "uUx":
            return chr(int(code[1:], 16))
        return _SIMPLE.get(code, code)

    return _BACKSLASH_ESCAPE.sub(one, text)


DECODERS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("HTML entities decoded", html.unescape),
    ("backslash escapes decoded", _backslash_unescape),
    ("%-escapes decoded", unquote),
    ("form-decoded", unquote_plus),
)


def _views(text: str, depth: int = ENCODING_DEPTH) -> Iterator[tuple[str, str]]:
    """`text` and what it reads as after each chain of decoders (those that change it)."""
    seen = {text}
    frontier = [(text, "as written")]
    yield text, "as written"
    for _ in range(depth):
        nxt = []
        for view, how in frontier:
            for name, decode in DECODERS:
                decoded = decode(view)
                if decoded not in seen:
                    seen.add(decoded)
                    label = name if how == "as written" else f"{how}, then {name}"
                    nxt.append((decoded, label))
                    yield decoded, label
        frontier = nxt


def leaks(text: str, secrets: SecretRegistry | Iterable[str], *, _depth: int = 0) -> list[str]:
    """What of each secret `text` still holds, e.g. "the R2 secret (base64 in a data: URI)";
    the messages never quote a secret. Empty when clean."""
    registry = secrets if isinstance(secrets, SecretRegistry) else None
    usable = _usable(secrets)
    found: list[str] = []

    def note(secret: str, how: str) -> None:
        what = registry.what(secret) if registry is not None else "a registered secret"
        line = f"{what} ({how})"
        if line not in found:
            found.append(line)

    pattern = _cached_pattern(usable)
    if pattern is not None:
        origin = _form_origins(usable)
        for form in {m[0] for m in pattern.finditer(text)}:
            note(*origin[form])
    for view, how in _views(text):
        if how == "as written":
            continue
        for secret in usable:
            if secret in view:
                note(secret, how)
    if _depth < 3:
        for match in _DATA_URI.finditer(text):
            data = _decode_b64(match[2])
            if data is None:
                continue
            decoded = _as_text(data)
            inner = (
                leaks(decoded, secrets, _depth=_depth + 1)
                if decoded is not None
                else [f"raw bytes of {line}" for line in _byte_leaks(data, usable, registry)]
            )
            found += [f"{line} in a base64 data: URI" for line in inner if line not in found]
    return found


def _byte_leaks(data: bytes, usable: tuple[str, ...], registry: SecretRegistry | None) -> list[str]:
    out = []
    for secret in usable:
        what = registry.what(secret) if registry is not None else "a registered secret"
        for form, how in all_forms(secret):
            if form.encode("utf-8") in data:
                out.append(f"{what} ({how})")
                break
    return out


# --- files -----------------------------------------------------------------------------------


def files_under(*roots: Path) -> list[Path]:
    """Every regular file under the given directories (missing ones are skipped)."""
    out: list[Path] = []
    for root in roots:
        if root.is_dir():
            out += sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
    return out


# Above this size a file is read through mmap, byte for byte, for the forms a large file really
# holds (an inventory in SQLite or JSON: raw, escaped, quoted, base64, hex), masked in place
# with as many `*`: a production inventory can be gigabytes, too much for every chain.
LARGE_FILE = 64 << 20
_LARGE_FILE_FORMS = {
    "raw",
    "JSON-escaped",
    "JSON-escaped (UTF-8)",
    "repr",
    "HTML-escaped",
    "HTML-escaped (Jinja)",
    "URL-encoded",
    "base64",
    "hex",
}


def _large_forms(secrets: tuple[str, ...]) -> list[tuple[str, str, bytes]]:
    return [
        (secret, how, form.encode("utf-8"))
        for secret in secrets
        for form, how in all_forms(secret)
        if how in _LARGE_FILE_FORMS
    ]


def _large_file(path: Path, secrets: tuple[str, ...], *, mask: bool) -> list[tuple[str, str]]:
    """(secret, how) found in a large file; with `mask`, each occurrence overwritten."""
    found = []
    with path.open("r+b" if mask else "rb") as handle:
        access = mmap.ACCESS_WRITE if mask else mmap.ACCESS_READ
        with mmap.mmap(handle.fileno(), 0, access=access) as view:
            for secret, how, form in _large_forms(secrets):
                at = view.find(form)
                if at >= 0:
                    found.append((secret, how))
                while mask and at >= 0:
                    view[at : at + len(form)] = b"*" * len(form)
                    at = view.find(form, at + len(form))
            if mask and found:
                view.flush()
    return found


def scrub_path(path: Path, secrets: Iterable[str]) -> bool:
    """Scrub one file in place, text or binary; True when something was replaced."""
    usable = _usable(secrets)
    if not usable or not path.is_file():
        return False
    if path.stat().st_size > LARGE_FILE:
        return bool(_large_file(path, usable, mask=True))
    data = path.read_bytes()
    text = _as_text(data)
    cleaned = scrub(text, usable).encode("utf-8") if text is not None else scrub_bytes(data, usable)
    if cleaned == data:
        return False
    path.write_bytes(cleaned)
    return True


def path_leaks(path: Path, secrets: SecretRegistry | Iterable[str]) -> list[str]:
    registry = secrets if isinstance(secrets, SecretRegistry) else None
    usable = _usable(secrets)
    if path.stat().st_size > LARGE_FILE:
        found = _large_file(path, usable, mask=False)
        return [
            f"{registry.what(s) if registry else 'a registered secret'} ({how})" for s, how in found
        ]
    data = path.read_bytes()
    text = _as_text(data)
    if text is not None:
        return leaks(text, secrets)
    return _byte_leaks(data, usable, registry)


@dataclass(frozen=True)
class TreeScrub:
    """What the final pass did: files it had to scrub, and what remained (must be nothing)."""

    scrubbed: list[Path]
    remaining: dict[Path, list[str]]

    def problems(self) -> list[str]:
        """One sentence per file that still holds a secret (never quoting it)."""
        return [
            f"{path} still holds {'; '.join(found)} after the scrub: do not attach or share "
            "it; delete it (or remove those lines) and report this"
            for path, found in self.remaining.items()
        ]


def scrub_tree(secrets: SecretRegistry | Iterable[str], *roots: Path) -> TreeScrub:
    """Scrub every file under `roots`, then read every file again for what is left."""
    usable = _usable(secrets)
    scrubbed, remaining = [], {}
    if not usable:
        return TreeScrub([], {})
    for path in files_under(*roots):
        try:
            if scrub_path(path, usable):
                scrubbed.append(path)
            found = path_leaks(path, secrets)
        except OSError as exc:
            found = [f"unreadable ({exc.strerror or exc}), so not known to be clean"]
        if found:
            remaining[path] = found
    return TreeScrub(scrubbed, remaining)

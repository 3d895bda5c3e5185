"""Unit tests for keeping secrets out of the record (cutover/redact.py).

The secrets hold every character that an encoding rewrites (`& < > " ' % + / =`), unicode, and
spaces; each encoding is produced here the way the real producer does it (pytest-html, Jinja,
json, yaml, urllib, shlex, base64), not by the module under test.
"""

from __future__ import annotations

import base64
import html
import json
import shlex
from functools import partial
from urllib.parse import quote, quote_plus

import pytest
import yaml
from markupsafe import escape as jinja_escape
from pydantic import SecretStr

from cutover.record import RunRecord, write_summary
from cutover.redact import (
    MASKED,
    MIN_SECRET_LENGTH,
    REDACTED,
    SecretRegistry,
    SecretTooShort,
    is_secret_name,
    leaks,
    mask_assignments,
    mask_mapping,
    scrub,
    scrub_tree,
)

HOSTILE = [
    "s3cr&t<\"x'>+/=%ab",
    "pässwörd-€-Ω-\"&'<>",
    "a b+c/d=e%20f&amp;g",
    "&amp;&lt;&#39;%2B==",
]


def _pytest_html(text: str) -> str:
    """What pytest-html 4 does to a failure text: html.escape, into JSON, Jinja-escaped."""
    return str(jinja_escape(json.dumps({"log": [html.escape(text) + "\n"]})))


def _b64_at(offset: int, s: str) -> str:
    return base64.b64encode(b"x" * offset + s.encode() + b"y").decode()


def _data_uri(text: str) -> str:
    return "data:text/plain;charset=utf-8;base64," + base64.b64encode(text.encode()).decode()


ENCODINGS = {
    "raw": lambda s: s,
    "html.escape": html.escape,
    "html.escape twice": lambda s: html.escape(html.escape(s)),
    "pytest-html failure text": lambda s: _pytest_html(f"E   AssertionError: {s}"),
    "jinja": lambda s: str(jinja_escape(s)),
    "jinja twice": lambda s: str(jinja_escape(str(jinja_escape(s)))),
    "json": lambda s: json.dumps({"k": s}),
    "json utf-8": lambda s: json.dumps({"k": s}, ensure_ascii=False),
    "json in html": lambda s: html.escape(json.dumps({"k": s})),
    "repr (--showlocals)": lambda s: repr({"secret": s}),
    "quote": lambda s: "?x=" + quote(s, safe=""),
    "quote path": lambda s: "/p/" + quote(s),
    "quote_plus": lambda s: "client_secret=" + quote_plus(s) + "&code=1",
    "yaml": lambda s: yaml.safe_dump({"RUSTFS_SECRET_KEY": s}, allow_unicode=True),
    "yaml ascii": lambda s: yaml.safe_dump({"RUSTFS_SECRET_KEY": s}),
    "shlex": lambda s: "docker run -e " + shlex.quote(f"X={s}"),
    "base64": lambda s: base64.b64encode(s.encode()).decode(),
    "urlsafe base64": lambda s: base64.urlsafe_b64encode(s.encode()).decode(),
    "hex": lambda s: s.encode().hex(),
    "HEX": lambda s: s.encode().hex().upper(),
    **{f"base64 at offset {n}": partial(_b64_at, n) for n in range(6)},
    "data URI extra": lambda s: _data_uri(f"rclone log\nRCLONE_CONFIG_R2_SECRET_ACCESS_KEY={s}\n"),
    "data URI json extra": lambda s: _data_uri(json.dumps({"client": s})),
    "pytest-html report": lambda s: _pytest_html(_data_uri(f"tail: {s}")),
}


@pytest.mark.parametrize("secret", HOSTILE)
@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_every_encoding_is_found_and_scrubbed(secret, encoding):
    text = f"before {ENCODINGS[encoding](secret)} after"
    assert leaks(text, [secret]), f"{encoding} of the secret was not seen"
    cleaned = scrub(text, [secret])
    assert leaks(cleaned, [secret]) == [], encoding
    assert cleaned.startswith("before ") and cleaned.endswith(" after")


@pytest.mark.parametrize("secret", HOSTILE)
def test_a_data_uri_stays_readable_after_the_scrub(secret):
    text = f'<a href="{_data_uri("line one " + secret + " line two")}">log</a>'
    cleaned = scrub(text, [secret])
    blob = cleaned.split("base64,", 1)[1].split('"', 1)[0]
    assert base64.b64decode(blob).decode() == f"line one {REDACTED} line two"


def test_the_registry_names_what_leaked_never_the_value():
    registry = SecretRegistry()
    registry.add(SecretStr(HOSTILE[0]), "R2 secret")
    found = leaks(_pytest_html(_data_uri(HOSTILE[0])), registry)
    assert found and all("R2 secret" in f for f in found)
    assert "data: URI" in " ".join(found)
    assert not any(HOSTILE[0] in f or html.escape(HOSTILE[0]) in f for f in found)


def test_short_secrets_are_refused_with_a_sentence():
    registry = SecretRegistry()
    with pytest.raises(SecretTooShort) as refused:
        registry.add("abc1234", "OIDC client secret")
    message = str(refused.value)
    assert "OIDC client secret is 7 characters long" in message
    assert f"shorter than {MIN_SECRET_LENGTH} are refused" in message
    assert "abc1234" not in message
    registry.add("", "empty means none")
    registry.add("abcd1234", "long enough")
    assert list(registry) == ["abcd1234"]


def test_clean_text_is_left_alone():
    text = _pytest_html("nothing secret here & <b>ok</b> 100% = fine")
    assert scrub(text, HOSTILE) == text
    assert leaks(text, HOSTILE) == []


# --- by name ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "RUSTFS_SECRET_KEY",
        "MINIO_ROOT_PASSWORD",
        "MINIO_KMS_SECRET_KEY",
        "RUSTFS_IDENTITY_OPENID_CLIENT_SECRET",
        "RCLONE_CONFIG_R2_SECRET_ACCESS_KEY",
        "RCLONE_CONFIG_LOCAL_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "SessionToken",
        "SecretAccessKey",
        "client_secret",
        "RUSTFS_IAM_MASTER_KEY",
        "DB_PASSWD",
        "GITHUB_TOKEN",
        "RUSTFS_SECRETKEY",
        "api_key",
    ],
)
def test_names_that_hold_a_secret(name):
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "RUSTFS_ACCESS_KEY",  # who signs: an identity, shown in the record
        "MINIO_ROOT_USER",
        "RCLONE_CONFIG_R2_ACCESS_KEY_ID",
        "AccessKeyId",
        "access_key",
        "Key",  # an S3 object's name
        "secret_env",  # where a secret comes from
        "client_secret_file",
        "token_endpoint",
        "id_token_signing_alg_values_supported",
        "client_secret_set",
        "RUSTFS_IDENTITY_OPENID_CLIENT_ID",
        "RUSTFS_VOLUMES",
        "KeyCount",
    ],
)
def test_names_that_do_not(name):
    assert not is_secret_name(name)


def test_mask_mapping_masks_secret_named_strings_at_any_depth():
    data = {
        "Credentials": {
            "AccessKeyId": "ASIA123",
            "SecretAccessKey": "plain-value-1",
            "SessionToken": "plain-value-2",
        },
        "env": [{"RUSTFS_IDENTITY_OPENID_CLIENT_SECRET": "plain-value-3", "X": SecretStr("v")}],
        "client_secret_set": True,
        "RUSTFS_SECRET_KEY": "<secret from $CUTOVER_ROOT_SECRET>",
    }
    masked = mask_mapping(data)
    assert masked["Credentials"] == {
        "AccessKeyId": "ASIA123",
        "SecretAccessKey": MASKED,
        "SessionToken": MASKED,
    }
    assert masked["env"] == [{"RUSTFS_IDENTITY_OPENID_CLIENT_SECRET": MASKED, "X": MASKED}]
    assert masked["client_secret_set"] is True
    assert masked["RUSTFS_SECRET_KEY"] == "<secret from $CUTOVER_ROOT_SECRET>"  # a reference


def test_mask_assignments_in_logs_and_commands():
    text = (
        "docker run -e RCLONE_CONFIG_R2_SECRET_ACCESS_KEY=abc/def+ghi -e "
        "RCLONE_CONFIG_R2_ACCESS_KEY_ID=R2KEY rclone\n"
        'MINIO_KMS_SECRET_KEY: "kms:QUJD"\n'
        '{"client_secret": "xyz-123", "client_id": "abc"}\n'
        "RUSTFS_SECRET_KEY=<secret from $CUTOVER_ROOT_SECRET>\n"
        "the new secret: lists the buckets; key: a/b.parquet\n"
    )
    masked = mask_assignments(text)
    for value in ("abc/def+ghi", "kms:QUJD", "xyz-123"):
        assert value not in masked
    assert "RCLONE_CONFIG_R2_ACCESS_KEY_ID=R2KEY" in masked
    assert '"client_id": "abc"' in masked
    assert "RUSTFS_SECRET_KEY=<secret from $CUTOVER_ROOT_SECRET>" in masked
    assert "the new secret: lists the buckets; key: a/b.parquet" in masked


# --- files -----------------------------------------------------------------------------------


def test_scrub_tree_cleans_every_file_and_keeps_binary_sizes(tmp_path):
    secret = HOSTILE[0]
    (tmp_path / "sub").mkdir()
    (tmp_path / "report.html").write_text(_pytest_html(_data_uri(secret)), encoding="utf-8")
    (tmp_path / "sub" / "app.yaml").write_text(yaml.safe_dump({"k": secret}), encoding="utf-8")
    (tmp_path / "notes").write_text(quote_plus(secret), encoding="utf-8")  # any suffix
    blob = b"SQLite format 3\x00\xff\xfe" + secret.encode() + b"\x00\x81"
    (tmp_path / "inventory.sqlite").write_bytes(blob)
    result = scrub_tree([secret], tmp_path)
    assert {p.name for p in result.scrubbed} == {
        "report.html",
        "app.yaml",
        "notes",
        "inventory.sqlite",
    }
    assert result.remaining == {} and result.problems() == []
    assert len((tmp_path / "inventory.sqlite").read_bytes()) == len(blob)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert leaks(path.read_bytes().decode("utf-8", "replace"), [secret]) == [], path


def test_what_the_scrub_cannot_rewrite_is_named_loudly(tmp_path):
    """A form no encoder produces (a decimal HTML entity for one character) is still found by
    the check afterwards, which decodes, and the file is named."""
    secret = HOSTILE[0]
    odd = "".join(f"&#{ord(c)};" if c == "c" else c for c in secret)
    (tmp_path / "report.html").write_text(f"<p>{html.escape(odd, quote=False)}</p>", "utf-8")
    registry = SecretRegistry()
    registry.add(secret, "root secret")
    result = scrub_tree(registry, tmp_path)
    (problem,) = result.problems()
    assert str(tmp_path / "report.html") in problem
    assert "root secret (HTML entities decoded" in problem and "do not attach" in problem
    assert secret not in problem


def test_summary_json_holds_no_form_of_a_hostile_secret(tmp_path):
    secret = HOSTILE[1]
    record = RunRecord(run_id="r", mode="rehearsal", target_profile="p", ticket="T")
    record.action(f"something printed {secret}")
    tests = [{"message": f"E  {secret!r} {html.escape(secret)}", "outcome": "failed"}]
    write_summary(tmp_path / "summary.json", record, tests, [secret])
    text = (tmp_path / "summary.json").read_text(encoding="utf-8")
    assert leaks(text, [secret]) == []
    json.loads(text)


def test_record_actions_mask_secret_assignments():
    record = RunRecord(run_id="r", mode="rehearsal", target_profile="p", ticket="T")
    record.action("docker run -e RCLONE_CONFIG_R2_SECRET_ACCESS_KEY=abcdef123456 rclone")
    assert "abcdef123456" not in record.actions[0] and MASKED in record.actions[0]


def test_a_short_secret_stops_the_phase_in_one_sentence():
    from fixtures.handles import keep_out_of_record

    with pytest.raises(pytest.fail.Exception) as failed:
        keep_out_of_record(None, SecretStr("r2-abc"), "R2 secret")
    assert str(failed.value).startswith("the R2 secret is 6 characters long")
    assert "r2-abc" not in str(failed.value)


def test_every_secret_the_profile_points_to_is_registered_at_the_start(monkeypatch):
    """Even for a phase that does not run: a fault plugin or a debugging print may hold it."""
    from cutover.profile import load_profile
    from cutover.redact import RUN_SECRETS
    from fixtures.startup import register_declared_secrets

    monkeypatch.setenv("CUTOVER_NEW_ROOT_SECRET", "new-&<'\"-secret")
    monkeypatch.setenv("CUTOVER_R2_SECRET", "r2-&<'\"-secret")
    monkeypatch.delenv("CUTOVER_ROOT_SECRET", raising=False)
    RUN_SECRETS.reset()
    register_declared_secrets(load_profile("rehearsal"))
    assert RUN_SECRETS.what("new-&<'\"-secret") == "new root secret"
    assert RUN_SECRETS.what("r2-&<'\"-secret") == "R2 secret"
    assert len(RUN_SECRETS) == 2  # nothing generated: a generated secret is registered where made
    RUN_SECRETS.reset()


def test_a_large_file_is_masked_in_place_and_stays_valid(tmp_path, monkeypatch):
    """Above LARGE_FILE (a production inventory can be gigabytes) the file is masked through
    mmap with as many `*`, for the forms such a file holds; JSON stays JSON, SQLite keeps its
    offsets."""
    import cutover.redact as redact

    monkeypatch.setattr(redact, "LARGE_FILE", 1024)
    secret = HOSTILE[0]
    rows = [{"key": f"k{i}", "etag": "x" * 40} for i in range(100)]
    rows[50]["note"] = secret
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    size = path.stat().st_size
    result = scrub_tree([secret], tmp_path)
    assert result.scrubbed == [path] and result.remaining == {}
    assert path.stat().st_size == size
    assert json.loads(path.read_text())[50]["note"].strip("*") == ""

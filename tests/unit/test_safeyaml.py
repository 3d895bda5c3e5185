"""Unit tests for the bounded YAML reader (cutover/safeyaml.py): hostile files are refused,
ordinary ones (anchors, aliases, nesting) still load."""

from __future__ import annotations

import pytest

from cutover.safeyaml import MAX_DEPTH, YamlLimitError, read_limited, safe_load


def test_ordinary_anchors_and_aliases_still_load():
    text = "base: &base {engine: minio, app: minio}\nsource: *base\nother: *base\n"
    assert safe_load(text)["other"] == {"engine": "minio", "app": "minio"}


def test_nesting_up_to_the_limit_loads():
    levels = MAX_DEPTH - 1
    assert safe_load("[" * levels + "]" * levels) is not None


def test_nesting_beyond_the_limit_is_refused_not_a_recursion_error():
    with pytest.raises(YamlLimitError, match=f"nesting deeper than {MAX_DEPTH} levels"):
        safe_load("{a: " * 20_000 + "1" + "}" * 20_000)


def test_alias_expansion_is_bounded():
    lines = ['l0: &l0 ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 7)]
    with pytest.raises(YamlLimitError, match="once its aliases"):
        safe_load("\n".join(lines))


def test_read_limited_stops_at_the_limit(tmp_path):
    path = tmp_path / "big.yml"
    path.write_bytes(b"#" * 101)
    assert read_limited(path, 101) == b"#" * 101
    with pytest.raises(YamlLimitError, match="larger than"):
        read_limited(path, 100)

"""Errors an operator can act on.

Every error raised for bad input carries a sentence that names the file, the item and the
field at fault and says what to do, so the command line can print it instead of a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError


class CutoverError(Exception):
    """An expected failure with an operator-facing message (no traceback wanted)."""


class ConfigError(CutoverError):
    """A configuration file (manifest, target profile) is missing or invalid."""


def _item_label(data: Any, loc: tuple[Any, ...], list_key: str) -> str:
    """Name the list item an error sits in by its `name`, e.g. "bucket 'raw' (buckets[0])"."""
    if len(loc) >= 2 and loc[0] == list_key and isinstance(loc[1], int):
        index = loc[1]
        name = None
        if isinstance(data, dict):
            items = data.get(list_key)
            if isinstance(items, list) and index < len(items) and isinstance(items[index], dict):
                name = items[index].get("name")
        singular = list_key[:-1] if list_key.endswith("s") else list_key
        label = f"{singular} {name!r}" if name is not None else singular
        return f"{label} ({list_key}[{index}])"
    return ""


def format_validation_error(
    path: Path, error: ValidationError, data: Any, list_key: str, extra: list[str] | None = None
) -> str:
    """Turn pydantic's error list into one line per problem that an operator can fix."""
    problems: list[str] = []
    for item in error.errors():
        loc = tuple(item["loc"])
        where = _item_label(data, loc, list_key)
        field_path = loc[2:] if where else loc
        field = ".".join(str(p) for p in field_path) or "(top level)"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key (check the spelling; see the example file)"
        elif item["type"] == "missing":
            message = "required key is missing"
        if where and not field_path:
            prefix = where
        elif where:
            prefix = f"{where} field {field!r}"
        elif field_path:
            prefix = f"field {field!r}"
        else:
            prefix = "file"
        problems.append(f"{prefix}: {message}")
    problems += [p for p in extra or [] if not any(p in q for q in problems)]
    lines = [f"{path}: {len(problems)} problem(s):", *(f"  - {p}" for p in problems)]
    return "\n".join(lines)


def load_yaml_mapping(path: Path, what: str) -> dict[str, Any]:
    """Read a YAML file that must hold a mapping, with errors that say where it went wrong."""
    import yaml

    from cutover.safeyaml import YamlLimitError, read_limited, safe_load

    if path.is_dir():
        raise ConfigError(f"{what} {path} is a directory: name the YAML file inside it")
    if not path.exists():
        raise ConfigError(f"{what} not found: {path}")
    if not path.is_file():
        raise ConfigError(f"{what} {path} is not a regular file: name a YAML file")
    try:
        data = safe_load(read_limited(path).decode("utf-8"))
    except YamlLimitError as exc:
        raise ConfigError(
            f"{path}: refused, {exc}: a {what} is a few kilobytes of plain YAML; check that this "
            "is the right file"
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}: not valid YAML{where}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a UTF-8 text file") from None
    except OSError as exc:
        raise ConfigError(f"{what} {path} cannot be read: {exc.strerror or exc}") from None
    if data is None:
        raise ConfigError(f"{path}: the file is empty; see the example in the repository")
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: expected a YAML mapping at the top, found {type(data).__name__}"
        )
    return data

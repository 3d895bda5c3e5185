"""YAML from files an operator (or anyone who can edit them) hands us, read within limits.

A profile or a manifest is a few kilobytes. PyYAML composes nested nodes recursively, so a
20,000-deep `[[[...]]]` ends in a RecursionError; and aliases share nodes that validation then
walks once per reference, so nine nested "billion laughs" anchors expand to 10^9 nodes. The
loader below refuses both while composing, and the file is read only up to a size limit, so a
hostile or mistaken file is one sentence, never a traceback or a hung run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 1 << 20  # 1 MiB: the shipped profile is 5 KB, a manifest of 1,000 buckets ~150 KB
MAX_DEPTH = 64  # the shipped files nest 5 levels deep
MAX_NODES = 200_000  # nodes after expanding every alias


class YamlLimitError(ValueError):
    """The document exceeds a limit; the message says which, and where."""


class _GuardedLoader(yaml.SafeLoader):
    """SafeLoader that counts nesting depth and expanded nodes while it composes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0
        self._sizes: dict[int, int] = {}  # id(node) -> expanded size, for aliases

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            node = super().compose_node(parent, index)
            self._count(self._sizes.get(id(node), 1), node)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            mark = self.peek_event().start_mark
            raise YamlLimitError(
                f"nesting deeper than {MAX_DEPTH} levels at line {mark.line + 1}, column "
                f"{mark.column + 1}"
            )
        before = self._nodes
        node = super().compose_node(parent, index)
        self._depth -= 1
        self._count(1, node)
        self._sizes[id(node)] = self._nodes - before
        return node

    def _count(self, size: int, node: Any) -> None:
        self._nodes += size
        if self._nodes > MAX_NODES:
            mark = node.start_mark
            raise YamlLimitError(
                f"more than {MAX_NODES:,} values once its aliases (*name) are expanded, at line "
                f"{mark.line + 1}"
            )


def read_limited(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The file's bytes, refusing anything larger than `limit` without reading it all."""
    with path.open("rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise YamlLimitError(f"larger than {limit // 1024} KiB")
    return data


def safe_load(text: str) -> Any:
    """`yaml.safe_load` within the depth and alias-expansion limits."""
    loader = _GuardedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()

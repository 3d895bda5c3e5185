"""Do the drives given form one MinIO erasure set, whole? Read from each drive's format.json.

A single-node multi-drive MinIO (`minio server /d1 /d2 /d3 /d4`) writes on every drive a
`.minio.sys/format.json` with the deployment id (`id`), the drive's own id (`xl.this`) and
the whole layout (`xl.sets`: the drive ids of each set, in the order the drives were named on
the command line; format-erasure.go). Every object is spread over one set's drives, so an
inventory read from a subset of them (a drive forgotten in the profile) or from a mix (a
drive of another deployment mounted in place) is not what MinIO served. Both are refused
here, each problem naming the drive and saying what to do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from cutover.errors import CutoverError
from cutover.layout import MINIO_META


class DriveSetRefused(CutoverError):
    """The drives given are not exactly the drives of one MinIO deployment."""


@dataclass(frozen=True)
class DriveFormat:
    """One drive's format.json, as far as the set check needs it."""

    root: str
    kind: str  # xl, xl-single, fs, missing, unreadable (...)
    deployment_id: str = ""
    drive_id: str = ""
    sets: tuple[tuple[str, ...], ...] = field(default_factory=tuple)

    @property
    def members(self) -> list[str]:
        """Every drive id of the deployment on this node, set after set."""
        return [d for s in self.sets for d in s]

    @property
    def set_size(self) -> int:
        return len(self.sets[0]) if self.sets else 1


def read_drive_format(root: Path) -> DriveFormat:
    path = root / MINIO_META / "format.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return DriveFormat(str(root), "missing")
    except (OSError, ValueError) as exc:
        return DriveFormat(str(root), f"unreadable ({type(exc).__name__})")
    if not isinstance(data, dict):
        return DriveFormat(str(root), "unreadable (not a JSON object)")
    xl = data.get("xl") if isinstance(data.get("xl"), dict) else {}
    sets = xl.get("sets") if isinstance(xl.get("sets"), list) else []
    return DriveFormat(
        root=str(root),
        kind=str(data.get("format", "unknown")),
        deployment_id=str(data.get("id", "")),
        drive_id=str(xl.get("this", "")),
        sets=tuple(tuple(str(d) for d in s) for s in sets if isinstance(s, list)),
    )


def set_problems(formats: list[DriveFormat]) -> list[str]:
    """Everything that keeps `formats` from being the whole of one deployment's drives.

    One drive of `xl-single` is the ordinary case and has no problems. Each sentence names
    the drive and what to do; an empty list means the set is whole.
    """
    if not formats:
        return ["no drive given: name MinIO's data directory in the profile"]
    problems = []
    for f in formats:
        if f.kind not in ("xl", "xl-single"):
            problems.append(
                f"drive {f.root}: .minio.sys/format.json is {f.kind}: not a MinIO drive (a wrong "
                "path, or a blank replacement disk MinIO has not healed yet). Name MinIO's data "
                "directory of each drive (ondisk.local_path, ondisk.drives), or start MinIO "
                "and let it heal the new drive before the cutover"
            )
    if problems:
        return problems
    if len(formats) == 1 and formats[0].kind == "xl-single":
        return []
    first = formats[0]
    if any(f.kind == "xl-single" for f in formats):
        singles = ", ".join(f.root for f in formats if f.kind == "xl-single")
        return [
            f"drive(s) {singles} are single-drive deployments (xl-single), not drives of a "
            "set: give one xl-single drive alone, or only the drives of one multi-drive set"
        ]
    for f in formats[1:]:
        if f.deployment_id != first.deployment_id:
            problems.append(
                f"drive {f.root} belongs to deployment {f.deployment_id}, drive {first.root} to "
                f"{first.deployment_id}: a mixed set (a drive of another MinIO mounted in place). "
                "Give only the drives of the deployment being migrated; do not deploy until the "
                "right drive is back"
            )
        elif f.sets != first.sets:
            problems.append(
                f"drive {f.root} lists a different set layout than drive {first.root} in its "
                "format.json: the drives disagree about the set; heal with MinIO (mc admin heal) "
                "before the cutover"
            )
    if problems:
        return problems
    members = first.members
    seen: dict[str, str] = {}
    for f in formats:
        if f.drive_id not in members:
            problems.append(
                f"drive {f.root} has id {f.drive_id}, which is not in the set its own "
                "format.json lists: a damaged or hand-edited format.json; restore the drive "
                "from the snapshot or heal it with MinIO before the cutover"
            )
        elif f.drive_id in seen:
            problems.append(
                f"drive {f.root} is the same drive (id {f.drive_id}) as {seen[f.drive_id]}: "
                "a drive given twice or a copied drive; give each drive of the set once"
            )
        seen.setdefault(f.drive_id, f.root)
    missing = [(i + 1, d) for i, d in enumerate(members) if d not in seen]
    if missing:
        shown = ", ".join(f"position {pos} (id {drive})" for pos, drive in missing)
        problems.append(
            f"partial set: deployment {first.deployment_id} has {len(members)} drives, "
            f"{len(seen)} given ({', '.join(f.root for f in formats)}); missing: {shown}. "
            "Every object is spread over all of them: add the missing drive(s) to ondisk.drives "
            "(and to the target's volumes), in the order MinIO was started with"
        )
    return problems


def check_drive_set(roots: list[Path]) -> list[DriveFormat]:
    """The drives' formats, ordered as the set lists them; raises DriveSetRefused otherwise."""
    formats = [read_drive_format(r) for r in roots]
    problems = set_problems(formats)
    if problems:
        raise DriveSetRefused(
            "the drives given are not one whole MinIO set:\n- " + "\n- ".join(problems)
        )
    order = {d: i for i, d in enumerate(formats[0].members)}
    return sorted(formats, key=lambda f: order.get(f.drive_id, 0))

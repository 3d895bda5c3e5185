"""`python -m cutover.images ensure --target rehearsal [--role source|target|rclone|all]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from cutover.errors import CutoverError
from cutover.images.recipes import default_cache_dir, ensure_image
from cutover.images.resolve import docker_client
from cutover.profile import load_profile


def _cmd_ensure(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.markup import escape

    out = Console(highlight=False, soft_wrap=True)
    profile = load_profile(args.target)
    cache_dir = Path(args.cache_dir).expanduser() if args.cache_dir else default_cache_dir()
    client = docker_client()
    images = {
        "source": (f"source ({profile.source.engine})", profile.source.image),
        "target": (f"target ({profile.target.engine})", profile.target.image),
    }
    if profile.r2 is not None:
        images["rclone"] = ("R2 sync (rclone)", profile.r2.image)
    if args.role != "all" and args.role not in images:
        out.print(f"[yellow]{args.role}[/yellow]: the profile has no r2: section, nothing to do")
        return 0
    roles = list(images) if args.role == "all" else [args.role]

    def say(line: str) -> None:
        out.print(f"  [dim]{escape(line)}[/dim]")

    for role in roles:
        label, spec = images[role]
        resolved = ensure_image(client, spec, profile.pull_images, cache_dir, say)
        short_id = resolved.image_id.removeprefix("sha256:")[:12]
        out.print(
            f"[green]{label}[/green]: {escape(resolved.ref)} "
            f"[dim]({resolved.origin}, {short_id})[/dim]"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cutover.images",
        description="Make sure the engine images a target profile needs exist locally.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    ensure = sub.add_parser("ensure", help="resolve, pull or build the source/target images")
    ensure.add_argument(
        "--target", default="rehearsal", help="target profile (default: %(default)s)"
    )
    ensure.add_argument("--role", choices=["source", "target", "rclone", "all"], default="all")
    ensure.add_argument(
        "--cache-dir", help="build cache (default: $RUSTFS_CUTOVER_CACHE or ~/.cache)"
    )
    ensure.set_defaults(func=_cmd_ensure)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CutoverError as exc:
        from rich.console import Console
        from rich.text import Text

        Console(stderr=True, highlight=False, soft_wrap=True).print(Text(str(exc), style="red"))
        return 2

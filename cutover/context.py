"""What one run was asked to do, fixed when it starts.

The confirmation lives here, frozen, and not in the change record: the record is written to by
every fixture, so a confirmation kept there could be widened by any of them. Fixtures and hooks
read this; the record only records what happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from cutover.manifest import Manifest
from cutover.nas import Nas
from cutover.profile import Mode, Profile


@dataclass(frozen=True)
class RunContext:
    profile: Profile
    manifest: Manifest
    root_secret: SecretStr
    run_dir: Path
    confirmed: str = ""  # the dataset --confirm named (production); "" = read-only
    rollback: bool = False
    dress: str = ""  # a dress rehearsal: on what copy of the real data ("" = not one)
    dress_snapshot: str = ""  # the snapshot a dress rehearsal on the NAS takes
    state_dir: Path | None = None  # production: what a resumed run needs
    nas: Nas | None = None  # reached at startup (production and the NAS dress rehearsal)

    @property
    def production(self) -> bool:
        """Acts on the real dataset: a production profile, and not a dress rehearsal."""
        return self.profile.mode is Mode.PRODUCTION and not self.dress

    @property
    def mode(self) -> str:
        return "dress-rehearsal" if self.dress else self.profile.mode.value

    def refusal(self, action: str) -> tuple[str, str] | None:
        """Why `action` may not act on production in this run: ("fail" | "skip", sentence),
        or None when it may."""
        if self.dress:  # a safety net: its own fixtures never ask; production's must not act
            return (
                "fail",
                f"not in a dress rehearsal: {action} would act on production; nothing was changed",
            )
        if self.production and not self.confirmed:
            return (
                "skip",
                f"read-only run: {action} happens only with --confirm <dataset> (see the plan in "
                "the terminal summary and the report)",
            )
        return None

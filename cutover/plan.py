"""The cutover plan: every action a production run would take, in order, with the exact command.

Without `--confirm <dataset>` a production run prints this and changes nothing; with it, the
same steps run, each skipped when already done (snapshot there, app already stopped).
"""

from __future__ import annotations

import posixpath

from pydantic import SecretStr

from cutover import dress, truenas
from cutover.appspec import AppSpec, app_env_file
from cutover.errors import ConfigError
from cutover.manifest import Manifest, Tier, load_manifest
from cutover.profile import Mode, Profile
from cutover.rotation import SECRET_KEY, root_key_clients, rotated_app
from cutover.runbook import Step, cutover_steps, env_file_note, rollback_steps, tools
from cutover.truenas import CronJob


def _secrets_dir(profile: Profile) -> str:
    return profile.host.secrets_dir if profile.host else "<secrets dir>"


def _redeployed(app: AppSpec) -> AppSpec:
    """A redeploy that changes a secret names a new env file (the old one goes once it ran)."""
    if not app.env_file:
        return app
    folder = posixpath.dirname(app.env_file)
    return app.with_changes(env_file=app_env_file(folder, app.service, "<UTC time>"))


def rotation_step(profile: Profile, app: AppSpec, cron_jobs: list[CronJob] | None = None) -> Step:
    """Runbook Step 7 as one app.update, and the clients to update once it ran.

    `cron_jobs` None means they were not listed (no NAS reached): the step says so."""
    assert profile.rotation is not None
    name = profile.target.app
    rotated = _redeployed(rotated_app(app, profile.rotation))
    clients = [f"- {c}" for c in root_key_clients(profile, cron_jobs)]
    if cron_jobs is None and profile.mode is Mode.PRODUCTION:
        clients.append("- (TrueNAS cron jobs not listed: the NAS was not reached for this plan)")
    heading = (
        "then update every client that holds the old secret:"
        if clients
        else "then update every client that holds the old secret (none known to this tool: "
        "list them in rotation.clients)"
    )
    return Step(
        "70 rotate key",
        f"rotate the {name} app's root secret ({SECRET_KEY} <- {profile.rotation.source}); the "
        "old one is refused from then on, IAM must stay as it was",
        truenas.app_update_command(name, rotated.to_yaml(), midclt=tools(profile).midclt),
        f"the {name} app already runs with the new secret (resumed run)",
        notes=(*env_file_note(rotated), heading, *clients),
    )


def sso_step(profile: Profile, app: AppSpec) -> Step:
    """Runbook Step 8: the app updated with the provider's settings (secrets as references)."""
    from cutover.oidc import SsoSettings

    oidc = profile.oidc
    assert oidc is not None
    where = (
        f"${oidc.client_secret_env}" if oidc.client_secret_env else oidc.client_secret_file or ""
    )
    settings = SsoSettings(
        provider=oidc.provider,
        config_url=oidc.config_url,
        issuer=oidc.issuer,
        client_id=oidc.client_id,
        client_secret=SecretStr("unused"),
        scopes=tuple(oidc.scopes),
        groups_claim=oidc.groups_claim,
        redirect_uri=oidc.redirect_uri,
    )
    source = f"client secret from {where}"
    env = {
        k: v if isinstance(v, str) or app.env_file else f"<{source}>"
        for k, v in settings.engine_env().items()
    }
    secret = [k for k, v in env.items() if isinstance(v, SecretStr)]
    updated = _redeployed(
        app.with_changes(
            environment={**app.environment, **env},
            secret_sources={**app.secret_sources, **dict.fromkeys(secret, source)},
        )
    )
    policies = ", ".join(f"{group} ({access})" for group, access in sorted(oidc.policies.items()))
    return Step(
        "80 sso",
        f"update the {profile.target.app} app with the {oidc.provider} OIDC settings, then "
        f"create the IAM policies named after the mapped groups: {policies}",
        truenas.app_update_command(
            profile.target.app, updated.to_yaml(), midclt=tools(profile).midclt
        ),
        f"the {profile.target.app} app already carries these settings (the policies are "
        "written again)",
        notes=env_file_note(updated),
    )


def cutover_plan(
    profile: Profile, app: AppSpec, cron_jobs: list[CronJob] | None = None
) -> list[Step]:
    """The steps to show. With an env_file the deploy command is exactly the one run (its YAML
    holds no secret); without one, secrets show as references to where they come from."""
    rotation = [rotation_step(profile, app, cron_jobs)] if profile.rotation else []
    sso = [sso_step(profile, app)] if profile.oidc is not None else []
    return [
        *(step.describe() for step in cutover_steps(profile, app)),
        Step(
            "40 verify",
            "read back buckets, every object version, bucket settings, IAM and sampled contents "
            "with MinIO's root keys and compare them with baseline.json",
            "",
            "",
        ),
        *rotation,
        *sso,
    ]


def rollback_plan(profile: Profile) -> list[Step]:
    return [
        *(step.describe() for step in rollback_steps(profile)),
        Step(
            "50 rollback",
            f"re-verify what {profile.source.app} serves against baseline.json",
            "",
            "",
        ),
    ]


def r2_sync_plan(profile: Profile, buckets: list[str]) -> list[Step]:
    """Phase 60 on the NAS: the detached rclone sync to R2, then read-only checks of R2."""
    from pydantic import SecretStr

    from cutover.r2 import local_engine_url, sync_container
    from cutover.rclone import Remote

    r2 = profile.r2
    if r2 is None or not buckets:
        return []
    creds = profile.credentials
    port = 9000 if profile.network.api_port == "auto" else profile.network.api_port
    local = Remote(
        r2.local_remote,
        "Other",
        local_engine_url(profile.network.bind, port),
        creds.access_key,
        SecretStr(""),
        secret_source=f"secret from ${creds.secret_env}" if creds.secret_env else "root secret",
    )
    remote = Remote(
        r2.remote,
        r2.provider,
        r2.endpoint,
        r2.access_key,
        SecretStr(""),
        secret_source=f"secret from ${r2.secret_env}" if r2.secret_env else "r2.secret_file",
    )
    job = sync_container(
        r2.image.official,
        r2.container,
        local,
        remote,
        buckets,
        config_file=f"{_secrets_dir(profile)}/{r2.container}.rclone.conf",
        transfers=r2.transfers,
        stats=r2.stats,
    )
    return [
        Step(
            "60 R2 sync",
            f"sync the r2-tier buckets ({', '.join(buckets)}) to R2 at {r2.endpoint} in a "
            f"detached container, then wait for it (docker wait {r2.container})",
            job.command(detach=True),
            f"{r2.container} is already running (waited for, never started twice; an exited "
            f"{r2.container} is removed and run again)",
            notes=(
                f"its secrets: {job.secrets_note()}; written first, over SSH on stdin, and kept "
                "for the cron job's docker start",
            ),
        ),
        Step(
            "60 R2 sync",
            "check R2 against the local engine (rclone check, then --download for objects "
            "without an MD5), R2's buckets against datasets.yml, and the TrueNAS cron job that "
            f"runs `docker start -a {r2.container}`"
            + (f" on '{r2.schedule}'" if r2.schedule else ""),
            "",
            "",
        ),
    ]


def render_plan(steps: list[Step], *, sudo: bool) -> str:
    prefix = "sudo " if sudo else ""
    lines = []
    for number, step in enumerate(steps, start=1):
        lines.append(f"{number}. [{step.phase}] {step.action}")
        if not step.command:
            lines.append("   (read-only)")
            continue
        lines.append(f"   $ {prefix}{step.command}")
        skip = f"skipped when {step.already_done_when}" if step.already_done_when else "always runs"
        lines.append(f"   ({skip})")
        lines.extend(f"   {note}" for note in step.notes)
    return "\n".join(lines)


def planned_app(profile: Profile) -> AppSpec:
    """The Custom App as planned from the profile alone (the owner measured on disk may differ;
    the deploy renders it again from the measurement). The secret is only a reference here."""
    from cutover.appspec import Listen, render_rustfs_app

    net = profile.network
    listen = Listen(
        net.bind,
        9000 if net.api_port == "auto" else net.api_port,
        9001 if net.console_port == "auto" else net.console_port,
    )
    host = profile.host
    env_file = app_env_file(host.secrets_dir, profile.target.app) if host else None
    return render_rustfs_app(
        profile,
        data_owner=profile.dataset.owner,
        host_path=profile.dataset.host_path,
        secret=SecretStr("unused"),
        listen=listen,
        env_file=env_file,
    )


def plan_text(
    profile: Profile,
    *,
    rollback: bool = False,
    cron_jobs: list[CronJob] | None = None,
    manifest: Manifest | None = None,
) -> list[str]:
    """The plan as printed: a heading line, then the numbered steps with their commands.

    A cutover run plans the cutover (with the R2 sync when the profile has an r2: section); a
    `--rollback` run plans only the rollback. `cron_jobs` (the NAS's, when it was reached) name
    the scheduled clients a key rotation breaks.
    """
    if rollback:
        steps = rollback_plan(profile)
    else:
        steps = cutover_plan(profile, planned_app(profile), cron_jobs)
        if profile.r2 is not None:
            manifest = manifest or load_manifest(profile.manifest_path())
            r2 = r2_sync_plan(profile, sorted(b.name for b in manifest.in_tier(Tier.R2)))
            steps = sorted(steps + r2, key=lambda step: step.phase[:2])  # runbook order
    sudo = bool(profile.host and profile.host.sudo)
    where = profile.host.ssh if profile.host else "this machine"
    what = "Rollback plan" if rollback else "Plan"
    heading = f"{what} for {profile.name} ({profile.mode}) on {where}, ticket {profile.ticket}:"
    return [heading, *render_plan(steps, sudo=sudo).splitlines()]


def dress_plan_text(profile: Profile) -> list[str]:
    """What `--dress-rehearsal` would do on the NAS; its snapshot is named when the run starts."""
    if profile.mode is not Mode.PRODUCTION or profile.host is None:
        raise ConfigError(dress.not_real_data(profile, pytest_run=False))
    snapshot = f"{dress.SNAPSHOT_PREFIX}<UTC time>"
    return dress.nas_plan(dress.nas_profile(profile), snapshot, profile.host.ssh)


def main(argv: list[str] | None = None) -> int:
    """Print the plan for a profile; reads nothing but the profile and changes nothing."""
    import argparse
    import sys

    from cutover.errors import CutoverError
    from cutover.profile import load_profile

    parser = argparse.ArgumentParser(prog="python -m cutover.plan", description=main.__doc__)
    parser.add_argument("--target", required=True, help="target profile name or path")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--rollback", action="store_true", help="plan the rollback instead")
    what.add_argument(
        "--dress-rehearsal",
        action="store_true",
        help="plan a dress rehearsal on a ZFS clone instead (production profile)",
    )
    args = parser.parse_args(argv)
    try:
        profile = load_profile(args.target)
        if args.dress_rehearsal:
            text = dress_plan_text(profile)
        else:  # reads the manifest for the R2 step
            text = plan_text(profile, rollback=args.rollback)
    except CutoverError as exc:
        print(exc, file=sys.stderr)
        return 2
    print("\n".join(text))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

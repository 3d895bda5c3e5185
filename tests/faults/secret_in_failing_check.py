"""Fault: a check fails while its frame holds every secret of the run in plain text (locals and
message), the way a debugging print or an unguarded `get_secret_value()` would. Run with
`--showlocals --tb=long`: the terminal and the change record must still show none of them."""

from cutover.profile import resolve_new_root_secret, resolve_r2_secret, resolve_root_secret


def pytest_cutover_public_routes(routes, rehearsal):
    profile = rehearsal.profile
    root = resolve_root_secret(profile.credentials).get_secret_value()
    rotated = resolve_new_root_secret(profile.rotation).get_secret_value()
    r2 = resolve_r2_secret(profile.r2).get_secret_value()
    env = {"RUSTFS_SECRET_KEY": rotated, "RCLONE_CONFIG_R2_SECRET_ACCESS_KEY": r2}
    print(f"planted output: {root} {env}")
    raise AssertionError(f"planted failure: the tunnel was handed {root!r}, {rotated} and {env}")

"""Phase 20 — stop the old apps.

Runbook Step 2: "Apps → minio → Stop. RustFS and MinIO cannot both own the data directory."
RustFS then takes over MinIO's API port, so nothing may still listen there.
"""

from cutover.ports import port_in_use


def test_minio_is_stopped(stopped_source, profile):
    assert stopped_source.status in {"exited", "dead"}, (
        f"the {profile.source.app} app is still {stopped_source.status}: stop it "
        f"(Apps → {profile.source.app} → Stop) before deploying RustFS; two engines must never "
        "own one data directory"
    )


def test_api_port_is_free(stopped_source, engine_listen):
    assert not port_in_use(engine_listen.bind, engine_listen.api_port), (
        f"something still listens on {engine_listen.api_address} after MinIO was stopped; "
        "find it (ss -ltnp) and stop it, or RustFS cannot take over MinIO's API port"
    )

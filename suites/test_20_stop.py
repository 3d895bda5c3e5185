"""Phase 20 — stop the old apps.

Runbook Step 2: "Apps → minio → Stop. RustFS and MinIO cannot both own the data directory."
RustFS then takes over MinIO's API port, so nothing may still listen there.
"""

import pytest

pytestmark = pytest.mark.cutover


def test_minio_is_stopped(stopped_source, profile):
    assert stopped_source.stopped, (
        f"the {profile.source.app} app is still {stopped_source.status}: stop it "
        f"(Apps → {profile.source.app} → Stop) before deploying RustFS; two engines must never "
        "own one data directory"
    )


def test_api_port_is_free(api_port_listeners, profile):
    assert not api_port_listeners, (
        f"something still listens on {', '.join(api_port_listeners)} after MinIO was stopped; "
        "find it (ss -ltnp) and stop it, or RustFS cannot take over MinIO's API port"
    )

"""Phase 30 — deploy RustFS as a Custom App.

Runbook Step 3: "The two settings that make binary replacement work are RUSTFS_VOLUMES=/data
... and user: matching the data owner", the host path mounted at /data (not the catalog
app's /rustfs/data0), a pinned image, and the MinIO root keys reused.
"""

import pytest

from cutover.appspec import lint_app_spec

pytestmark = pytest.mark.cutover


def test_rendered_app_spec_follows_the_runbook(target_spec, dataset_layout):
    lint = lint_app_spec(
        target_spec, data_owner=dataset_layout.owner, host_path=dataset_layout.path
    )
    assert not lint.findings, "the Custom App YAML breaks the runbook:\n" + "\n".join(
        f"- {f.message}" for f in lint.findings
    )


@pytest.mark.parametrize(
    "rule",
    ["user", "volumes-env", "host-path", "catalog-app", "image-pin"],
    ids=[
        "runs-as-data-owner",
        "rustfs-volumes-is-data",
        "host-path-at-data",
        "not-catalog-app",
        "image-pinned",
    ],
)
def test_deployed_app(rule, deployed_spec, dataset_layout):
    lint = lint_app_spec(
        deployed_spec, data_owner=dataset_layout.owner, host_path=dataset_layout.path
    )
    problems = [f.message for f in lint.findings if f.rule == rule]
    assert not problems, "the deployed target: " + "; ".join(problems)

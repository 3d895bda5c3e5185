"""The local RustFS image must come from the current docker/rustfs/Dockerfile (cutover/images/):
one built before the CA bundle cannot reach an OpenID provider, yet carries the same tag."""

from types import SimpleNamespace

import pytest

from cutover import images
from cutover.errors import CutoverError
from cutover.profile import load_profile

SPEC = load_profile("rehearsal").target.image


class Engine:
    """Just enough of a Docker client: one local image with the given labels."""

    def __init__(self, labels: dict[str, str]) -> None:
        image = SimpleNamespace(id="sha256:abc", labels=labels)

        def get(ref: str):
            if ref != SPEC.local:
                from docker.errors import ImageNotFound

                raise ImageNotFound(ref)
            return image

        self.images = SimpleNamespace(get=get)


def test_current_recipe_resolves():
    engine = Engine({images.RECIPE_LABEL: images.recipe(images.RUSTFS_DOCKERFILE)})
    resolved = images.resolve_image(engine, SPEC, pull=False)
    assert resolved is not None and resolved.origin == "local-build"


def test_older_recipe_is_refused_with_the_command_that_rebuilds_it():
    with pytest.raises(CutoverError, match=r"python -m cutover\.images ensure"):
        images.resolve_image(Engine({}), SPEC, pull=False)


def test_ensure_treats_an_older_recipe_as_absent():
    said = []
    assert (
        images.resolve_image(Engine({}), SPEC, pull=False, say=said.append, stale_ok=True) is None
    )
    assert said and "CA bundle" in said[0]


def test_ca_bundle_is_a_pem_bundle():
    text = images.ca_bundle().read_text(encoding="ascii", errors="replace")
    assert text.count("BEGIN CERTIFICATE") > 100

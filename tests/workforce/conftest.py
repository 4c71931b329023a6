from __future__ import annotations

import pytest

from tests.access.world import World, build_world


@pytest.fixture
def world(db: object) -> World:
    return build_world()

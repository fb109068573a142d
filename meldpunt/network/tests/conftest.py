"""The hotline's local web and DNS servers, for the crawler that checks imported addresses."""

from meldpunt.hotline.tests.conftest import (  # noqa: F401 - fixtures used by name
    crawler_may_reach_fake_web,
    fake_dns,
    fake_web,
)

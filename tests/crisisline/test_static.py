import hashlib
import re
from pathlib import Path

from django.conf import settings

VENDOR = Path(settings.BASE_DIR) / "static" / "vendor"


def test_every_vendored_file_matches_its_recorded_checksum():
    table = (VENDOR / "VERSIONS.md").read_text()
    rows = re.findall(r"^\| (\S+\.js) \|.*\| ([0-9a-f]{64}) \|$", table, re.M)
    assert rows, "VERSIONS.md records no files"
    for name, checksum in rows:
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == checksum, name
    recorded = {name for name, _ in rows}
    present = {p.name for p in VENDOR.glob("*.js")}
    assert present == recorded


def test_base_template_loads_the_recorded_htmx(client, db):
    body = client.get("/").content.decode()
    assert '<script src="/static/vendor/htmx-2.0.11.min.js" defer></script>' in body

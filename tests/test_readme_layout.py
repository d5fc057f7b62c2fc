"""The README's "What is where" table names every module of every app, so a file
added or moved without telling the reader fails here."""

from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ("crisisline", "shifts", "calls", "protocols")
# Django's own entry points, the same in every app: named by the framework, not here.
FRAMEWORK = {"__init__.py", "apps.py", "admin.py", "urls.py", "wsgi.py", "asgi.py"}


def rows() -> dict[str, str]:
    table = (ROOT / "README.md").read_text(encoding="utf-8").split("## What is where", 1)[1]
    found = {}
    for line in table.split("\n\n", 2)[1].splitlines():
        for app in APPS:
            if line.startswith(f"| `{app}/`"):
                found[app] = line
    return found


def modules(app: str) -> list[Path]:
    skipped = {"migrations", "management", "templatetags", "templates", "locale"}
    return sorted(
        path
        for path in (ROOT / app).rglob("*.py")
        if path.name not in FRAMEWORK and not skipped & set(path.relative_to(ROOT).parts)
    )


def test_every_app_has_a_row():
    assert set(rows()) == set(APPS)


def test_every_module_is_named_in_its_apps_row():
    table = rows()
    unnamed = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in modules(app)
        if f"`{path.name}`" not in table[app]
    ]
    assert not unnamed, f"add these to README.md's What is where table: {unnamed}"

"""Safe with one thumb: on every page a responder, a coordinator and a trainer can
open, at 390 px on a touch screen, every button, menu link, select, confirmation
link and radio or checkbox label is at least 44 × 44 CSS px, with at least 8 px
between neighbours. The pages come from the permission matrix (every route, with
what each persona may open), filled in from the same small world.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.journeys import restore_roles
from tests.test_permission_matrix import EXPECTED
from tests.world import World, build_world

MIN_SIZE = 44
MIN_GAP = 8
PHONE = {"width": 390, "height": 844}
ROLES = ("responder", "coordinator", "trainer")

MEASURE = """([minSize, minGap]) => {
  // Folded sections are measured open: what is inside is what a thumb meets once they are
  // unfolded (closed, Chromium still lays it out, hidden, on top of what follows).
  for (const fold of document.querySelectorAll('details:not([open])')) fold.open = true;
  const selector = [
    'button', 'select', 'a.button', 'a.ask', 'nav a', '[role=button]',
    'input[type=submit]', 'input[type=button]',
    'label:has(input[type=checkbox])', 'label:has(input[type=radio])',
  ].join(',');
  const found = new Set(document.querySelectorAll(selector));
  for (const box of document.querySelectorAll('input[type=checkbox], input[type=radio]')) {
    for (const label of box.labels || []) found.add(label);
  }
  const shown = el => {
    if (el.closest('[hidden], .skip')) return false;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.right > 0 && r.left < document.documentElement.scrollWidth;
  };
  const name = el => {
    const text = (el.getAttribute('aria-label') || el.innerText || el.value || '').trim();
    return `${el.tagName.toLowerCase()} "${text.replace(/\\s+/g, ' ').slice(0, 40)}"`;
  };
  const controls = [...found].filter(shown);
  const problems = [];
  const rects = controls.map(el => el.getBoundingClientRect());
  controls.forEach((el, i) => {
    const r = rects[i];
    if (r.width < minSize - 0.5 || r.height < minSize - 0.5) {
      problems.push(`${name(el)} is ${Math.round(r.width)}×${Math.round(r.height)} px`);
    }
  });
  for (let i = 0; i < controls.length; i++) {
    for (let j = i + 1; j < controls.length; j++) {
      const a = controls[i], b = controls[j];
      if (a.contains(b) || b.contains(a)) continue;
      const p = rects[i], q = rects[j];
      const dx = Math.max(0, q.left - p.right, p.left - q.right);
      const dy = Math.max(0, q.top - p.bottom, p.top - q.bottom);
      if (dx < minGap - 0.5 && dy < minGap - 0.5) {
        problems.push(`${name(a)} and ${name(b)} are ${Math.round(Math.max(dx, dy))} px apart`);
      }
    }
  }
  return {count: controls.length, problems};
}"""


@pytest.fixture
def world(transactional_db, settings, tmp_path) -> World:
    settings.KEYRING_DIR = tmp_path / "keyring"
    restore_roles()
    return build_world()


def pages_for(world: World, persona: str) -> list[str]:
    """Every page the permission matrix lets `persona` open (200 on GET)."""
    index = ("anonymous", "responder", "coordinator", "trainer", "outsider", "deactivated")
    urls = []
    for key, expect in sorted(EXPECTED.items()):
        if expect.statuses[index.index(persona)] == 200:
            urls.append(reverse(key.split("[")[0], kwargs=expect.kwargs(world)) + expect.query)
    return urls


@pytest.mark.parametrize("persona", ROLES)
def test_every_control_on_every_page_fits_a_thumb(chromium, live_server, world, persona) -> None:
    context = chromium.new_context(
        viewport=PHONE, base_url=live_server.url, has_touch=True, is_mobile=True
    )
    context.add_cookies(
        [
            {"name": name, "value": morsel.value, "url": live_server.url}
            for name, morsel in world.sessions[persona].items()
        ]
    )
    page = context.new_page()
    problems: list[str] = []
    measured = 0
    try:
        for url in pages_for(world, persona):
            kind = context.request.get(url).headers.get("content-type", "")
            if not kind.startswith("text/html"):
                continue  # a calendar feed, a download, a phone system's answer
            response = page.goto(url)
            assert response.ok, f"{url}: {response.status}"
            found = page.evaluate(MEASURE, [MIN_SIZE, MIN_GAP])
            measured += 1
            problems += [f"{url}: {problem}" for problem in found["problems"]]
    finally:
        context.close()
    assert measured >= 10, f"only {measured} pages measured for the {persona}"
    assert not problems, f"{len(problems)} controls too small or too close:\n" + "\n".join(problems)

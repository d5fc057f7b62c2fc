"""Call forwarding: who a call to the line reaches now, in order, and how to say it.

While the line is open (its hours say so, or a shift is running), a call walks a
chain: whoever holds the line on the running shift, then the people on the
positions the coordinators put in the chain, in their order, then the
coordinator-on-duty number. Only active people with a number a phone system can
dial (E.164) are in it. The answer is one of three states:

- ``open``: the line is open and the chain has at least one number;
- ``unstaffed``: the line is open but nobody in the chain can be reached;
- ``closed``: the line is closed.

`answer` computes it; `as_text`, `as_json` and `as_twiml` write it for a phone
system (shifts/README.md shows how to wire each).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from crisisline.phones import is_e164, to_e164
from shifts.hours import opening_status
from shifts.models import Assignment, Position, RosterRules, Shift

OPEN = "open"
UNSTAFFED = "unstaffed"
CLOSED = "closed"
STATES = (OPEN, UNSTAFFED, CLOSED)

LINE_HOLDER = "line holder"
ON_DUTY = "coordinator on duty"
DIAL_TIMEOUT_SECONDS = 20
T = TypeVar("T")


@dataclass(frozen=True)
class Step:
    number: str  # E.164
    source: str  # LINE_HOLDER, a position's name, or ON_DUTY


@dataclass(frozen=True)
class Answer:
    state: str
    steps: list[Step] = field(default_factory=list)

    @property
    def numbers(self) -> list[str]:
        return [step.number for step in self.steps]


def dialable(phone: str) -> str | None:
    """A stored phone as a phone system can dial it, or None (empty or unreadable)."""
    if is_e164(phone):
        return phone
    return to_e164(phone) if phone else None


def chain_positions() -> list[Position]:
    """The positions after the line holder, in the coordinators' order."""
    return list(
        Position.objects.filter(forwarding_order__isnull=False, holds_line=False).order_by(
            "forwarding_order", "name"
        )
    )


def in_chain_order(
    rows: Iterable[tuple[int, bool, T]], positions: list[Position]
) -> list[tuple[T, str]]:
    """Rows of (position id, holds the line, anything) in the order a call walks
    them: whoever holds the line, then the chain's positions in their order;
    each with where it comes from (LINE_HOLDER or the position's name). The
    printed on-call sheet (shifts/paper.py) follows the same order."""
    rows = list(rows)
    ordered: list[tuple[T, str]] = [(item, LINE_HOLDER) for _p, holds, item in rows if holds]
    for position in positions:
        ordered += [(item, position.name) for pk, _h, item in rows if pk == position.pk]
    return ordered


def answer(now: datetime | None = None) -> Answer:
    """The state of the line at `now` and, when it is open, the numbers to try in order."""
    now = now or timezone.now()
    running = Shift.objects.active().filter(start__lte=now, end__gt=now)
    if not (running.exists() or opening_status(now).is_open):
        return Answer(CLOSED)
    rows = list(
        # Trainees shadow a position: never the line holder, never called.
        Assignment.objects.filter(shift__in=running, person__is_active=True, slot__trainee=False)
        .order_by("shift__start", "created_at", "pk")
        .values_list("slot__position_id", "slot__position__holds_line", "person__phone")
    )
    ordered = in_chain_order(rows, chain_positions())
    ordered.append((RosterRules.current().duty_phone, ON_DUTY))
    steps: list[Step] = []
    seen: set[str] = set()
    for phone, source in ordered:
        number = dialable(phone)
        if number and number not in seen:
            seen.add(number)
            steps.append(Step(number, source))
    return Answer(OPEN if steps else UNSTAFFED, steps)


def as_text(result: Answer) -> str:
    """The state on the first line, then one number per line in the order to try."""
    return "\n".join([result.state, *result.numbers]) + "\n"


def as_json(result: Answer) -> str:
    return json.dumps(
        {
            "state": result.state,
            "numbers": result.numbers,
            "chain": [{"number": s.number, "source": s.source} for s in result.steps],
        }
    )


def spoken(state: str) -> str:
    """What a caller hears when nobody can take the call, in the line's language."""
    with override(settings.LANGUAGE_CODE):
        if state == CLOSED:
            return _("The line is closed right now. Please call again when it is open.")
        return _("Nobody can answer the line right now. Please call again in a few minutes.")


def as_twiml(result: Answer, step: int = 0, finished_call: bool = False) -> str:
    """TwiML that dials the chain one number at a time.

    Each <Dial> sends the outcome back to this endpoint with the next step, so an
    unanswered number moves on to the next one, and a call that took place ends.
    """
    if finished_call:
        body = "<Hangup/>"
    elif result.state == OPEN and step < len(result.steps):
        action = quoteattr(f"?format=twiml&step={step + 1}")
        number = escape(result.steps[step].number)
        body = (
            f'<Dial timeout="{DIAL_TIMEOUT_SECONDS}" action={action} method="POST">'
            f"<Number>{number}</Number></Dial>"
        )
    else:
        state = CLOSED if result.state == CLOSED else UNSTAFFED
        language = quoteattr(settings.LANGUAGE_CODE)
        body = f"<Say language={language}>{escape(spoken(state))}</Say><Hangup/>"
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Response>{body}</Response>\n'

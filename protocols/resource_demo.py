"""A worked, clearly fictional set of resources for the demo line (English and Spanish).

Every name, number and place is invented; the numbers are in the 555-01xx range
reserved for fiction.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from protocols.care_map import Resource, record_revision

H = time


def _every_day(start: time, end: time) -> list[tuple[int, time, time]]:
    return [(day, start, end) for day in range(7)]


# Demo data: each example states its own stance; values alike from one to the next are facts
# about each place, not one rule written twice.
EXAMPLES: list[dict[str, Any]] = [
    {
        "slug": "example-night-shelter",
        "name": "Harbor Street Night Shelter (example)",
        "summary": "Beds for the night, a hot meal and showers. No questions about status.",
        "summary_es": "Camas para la noche, comida caliente y duchas. Sin preguntas sobre estatus.",
        "needs": ["housing", "food"],
        "hours": _every_day(H(19), H(8)),
        "phone": "+15555550101",
        "how_to_reach": "Side door on Harbor Street, ring the bell; bus 12 to Pier Road.",
        "how_to_reach_es": "Puerta lateral en Harbor Street, toca el timbre; autobús 12 hasta Pier Road.",
        "police": "never",
        "immigration": "never",
        "family_policing": "sometimes",
        "involuntary_holds": "never",
        "id_required": "no",
        "speaks_spanish": True,
        "mandated_reporting": "Staff must report a child in danger to child protective services.",
        "data_collected": "A first name or nickname only; nothing kept after the stay.",
        "line_note": "Ask for the evening team; they hold a bed until 23:00 if we call ahead.",
        "line_note_es": "Pregunta por el equipo de la tarde; guardan una cama hasta las 23:00 si llamamos antes.",
        "partner_status": "working-agreement",
        "contact_role": "evening intake desk",
        "referral_ways": ["warm-hand-off", "walk-in"],
        "visibility": "shareable",
        "verified_days_ago": 20,
    },
    {
        "slug": "example-harm-reduction-van",
        "name": "Corner Care Van (example)",
        "summary": "Naloxone, clean supplies, fentanyl test strips and someone to talk to.",
        "summary_es": "Naloxona, material limpio, tiras de prueba de fentanilo y alguien con quien hablar.",
        "needs": ["harm-reduction", "medical", "company"],
        "hours": [(d, H(21), H(2)) for d in (3, 4, 5)],
        "phone": "+15555550102",
        "text_number": "+15555550102",
        "how_to_reach": "Parks by the laundromat on 5th and Elm; text to ask where it is tonight.",
        "how_to_reach_es": "Se estaciona junto a la lavandería de 5th y Elm; manda un mensaje para saber dónde está hoy.",
        "police": "never",
        "immigration": "never",
        "family_policing": "never",
        "involuntary_holds": "never",
        "id_required": "no",
        "speaks_spanish": True,
        "data_collected": "Counts of supplies handed out; no names.",
        "partner_status": "written-agreement",
        "contact_role": "van coordinator",
        "referral_ways": ["walk-in", "call-together"],
        "visibility": "shareable",
        "verified_days_ago": 5,
    },
    {
        "slug": "example-tenant-union",
        "name": "Eastside Tenant Union (example)",
        "summary": "Help with eviction notices, repairs and talking to landlords.",
        "summary_es": "Ayuda con avisos de desalojo, reparaciones y con los caseros.",
        "needs": ["housing", "legal"],
        "hours": [(d, H(10), H(18)) for d in (0, 1, 2, 3)],
        "phone": "+15555550103",
        "police": "never",
        "immigration": "never",
        "family_policing": "never",
        "involuntary_holds": "never",
        "id_required": "no",
        "speaks_spanish": True,
        "partner_status": "known-contact",
        "contact_role": "hotline volunteer",
        "referral_ways": ["call-together"],
        "visibility": "shareable",
        "verified_days_ago": 140,
    },
    {
        "slug": "example-immigrant-legal-clinic",
        "name": "Puentes Legal Clinic (example)",
        "summary": "Free immigration advice; help when someone is detained.",
        "summary_es": "Asesoría migratoria gratuita; ayuda cuando detienen a alguien.",
        "needs": ["immigration", "legal"],
        "hours": [(d, H(9), H(17)) for d in range(5)],
        "phone": "+15555550104",
        "police": "never",
        "immigration": "never",
        "family_policing": "never",
        "involuntary_holds": "never",
        "id_required": "no",
        "speaks_spanish": True,
        "other_languages": "K'iche', Portuguese",
        "data_collected": "Case files kept under attorney-client privilege.",
        "line_note": "Rapid-response line answers after hours only for detentions.",
        "line_note_es": "La línea de respuesta rápida contesta fuera de horario solo por detenciones.",
        "partner_status": "working-agreement",
        "contact_role": "intake paralegal",
        "referral_ways": ["warm-hand-off"],
        "visibility": "team",
        "verified_days_ago": 30,
    },
    {
        "slug": "example-peer-warmline",
        "name": "Kitchen Table Peer Warmline (example)",
        "summary": "Peers who have been there, to talk through a hard night.",
        "summary_es": "Personas con experiencia propia para hablar en una noche difícil.",
        "needs": ["mental-health", "company"],
        "hours": _every_day(H(18), H(0)),
        "phone": "+15555550105",
        "police": "never",
        "immigration": "never",
        "family_policing": "never",
        "involuntary_holds": "if-asked",
        "id_required": "no",
        "speaks_spanish": False,
        "data_collected": "Nothing: no caller ID, no records.",
        "partner_status": "known-contact",
        "contact_role": "shift lead",
        "referral_ways": ["call-together"],
        "visibility": "shareable",
        "verified_days_ago": 60,
    },
    {
        "slug": "example-county-mobile-crisis",
        "name": "County Mobile Crisis Team (example)",
        "summary": "Clinicians who come out to a mental health crisis.",
        "summary_es": "Personal clínico que acude a una crisis de salud mental.",
        "needs": ["mental-health", "safety"],
        "hours": _every_day(H(8), H(22)),
        "phone": "+15555550106",
        "police": "sometimes",
        "immigration": "unknown",
        "family_policing": "sometimes",
        "involuntary_holds": "sometimes",
        "id_required": "unknown",
        "speaks_spanish": True,
        "mandated_reporting": "Clinicians are mandated reporters and may start a 72-hour hold.",
        "data_collected": "Name, address and a clinical record kept by the county.",
        "line_note": "Police ride along at night. Offer only when the caller chooses it.",
        "line_note_es": "De noche va la policía con ellos. Ofrécelo solo si quien llama lo elige.",
        "partner_status": "none",
        "visibility": "team",
        "verified_days_ago": 200,
    },
    {
        "slug": "example-community-fridge",
        "name": "Maple Park Community Fridge (example)",
        "summary": "Take what you need, any time.",
        "summary_es": "Toma lo que necesites, a cualquier hora.",
        "needs": ["food"],
        "hours": _every_day(H(0), H(12)) + _every_day(H(12), H(0)),
        "police": "never",
        "immigration": "never",
        "family_policing": "never",
        "involuntary_holds": "never",
        "id_required": "no",
        "speaks_spanish": False,
        "how_to_reach": "Behind the library on Maple Park Avenue, by the mural.",
        "how_to_reach_es": "Detrás de la biblioteca en Maple Park Avenue, junto al mural.",
        "partner_status": "none",
        "visibility": "shareable",
        "verified_days_ago": 10,
    },
    {
        "slug": "example-rides-collective",
        "name": "Rides Together Collective (example)",
        "summary": "Volunteer drivers to appointments, court dates and shelters.",
        "summary_es": "Choferes voluntarios para citas, audiencias y albergues.",
        "needs": ["transport", "company"],
        "hours": [(d, H(7), H(20)) for d in range(6)],
        "phone": "+15555550108",
        "police": "never",
        "immigration": "never",
        "family_policing": "never",
        "involuntary_holds": "never",
        "id_required": "no",
        "speaks_spanish": True,
        "partner_status": "known-contact",
        "contact_role": "dispatch",
        "do_not_refer": True,
        "do_not_refer_reason": "Paused until spring: not enough drivers.",
        "visibility": "team",
        "verified_days_ago": 15,
    },
]


def load_examples(stdout: Any = None) -> int:
    """Add the examples that are not there yet (never touches an existing one)."""
    added = 0
    today = timezone.localdate()
    for example in EXAMPLES:
        if Resource.objects.filter(slug=example["slug"]).exists():
            continue
        fields = dict(example)
        needs = fields.pop("needs")
        hours = fields.pop("hours")
        fields["last_verified"] = today - timedelta(days=fields.pop("verified_days_ago"))
        with transaction.atomic():
            resource = Resource.objects.create(**fields)
            resource.set_needs(needs)
            resource.set_hours(hours)
            record_revision(resource, author=None, summary="Example resource")
        added += 1
    if stdout is not None:
        stdout.write(f"Example resources added: {added}")
    return added

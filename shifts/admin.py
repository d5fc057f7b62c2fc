from typing import TYPE_CHECKING

from django.contrib import admin

from shifts.models import Closure, Position, ServiceWindow, Shift

# ModelAdmin is generic only in the type stubs; at run time it takes no parameter.
if TYPE_CHECKING:
    _ServiceWindowAdmin = admin.ModelAdmin[ServiceWindow]
    _ClosureAdmin = admin.ModelAdmin[Closure]
    _PositionAdmin = admin.ModelAdmin[Position]
    _ShiftAdmin = admin.ModelAdmin[Shift]
else:
    _ServiceWindowAdmin = _ClosureAdmin = _PositionAdmin = _ShiftAdmin = admin.ModelAdmin


@admin.register(ServiceWindow)
class ServiceWindowAdmin(_ServiceWindowAdmin):
    list_display = ["weekday", "start", "end"]


@admin.register(Closure)
class ClosureAdmin(_ClosureAdmin):
    list_display = ["date", "reason"]


@admin.register(Position)
class PositionAdmin(_PositionAdmin):
    list_display = ["name", "min_people", "max_people", "required_skill", "holds_line"]


@admin.register(Shift)
class ShiftAdmin(_ShiftAdmin):
    list_display = ["start", "end", "cancelled"]
    date_hierarchy = "start"

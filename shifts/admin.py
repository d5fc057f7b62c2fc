from django.contrib import admin

from shifts.models import Closure, Position, ServiceWindow, Shift


@admin.register(ServiceWindow)
class ServiceWindowAdmin(admin.ModelAdmin):
    list_display = ["weekday", "start", "end"]


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["date", "reason"]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["name", "min_people", "max_people", "required_skill", "holds_line"]


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["start", "end", "cancelled"]
    date_hierarchy = "start"

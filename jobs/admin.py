from django.contrib import admin

from jobs.models import Job, Worker


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "state", "done", "total", "attempts", "created_at", "finished_at")
    list_filter = ("state",)
    search_fields = ("title", "kind", "owner__username")
    readonly_fields = [field.name for field in Job._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    list_display = ("worker_id", "hostname", "pid", "started_at", "seen_at")
    readonly_fields = ("worker_id", "hostname", "pid", "started_at", "seen_at")

    def has_add_permission(self, request):
        return False

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="customers:customer-list", permanent=False)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("parties/customers/", include("customers.urls")),
    path("parties/", include("parties.urls")),
    path("loyalty/", include("loyalty.urls")),
    path("settings/", include("parties.settings_urls")),
]

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from customers import urls as customer_urls
from o2vend import views
from parties import urls as party_urls

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="customers:customer-list", permanent=False)),
    # Only the account pages staff use; password resets go through a store manager.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("health/", views.health, name="health"),
    path("admin/", admin.site.urls),
    path("parties/customers/", include("customers.urls")),
    # Customer groups are customers' master, shown among the other masters under /parties/.
    path("parties/", include((party_urls.urlpatterns + customer_urls.master_urlpatterns, party_urls.app_name))),
    path("loyalty/", include("loyalty.urls")),
    path("jobs/", include("jobs.urls")),
    path("settings/communication/", include("communications.settings_urls")),
    path("settings/", include("parties.settings_urls")),
    path("settings/", include("loyalty.settings_urls")),
    path("api/", include("loyalty.api_urls")),
    path("communications/", include("communications.urls")),
]

from django.urls import path

from parties import settings_views

app_name = "settings"

urlpatterns = [
    path("user-codes/", settings_views.UserCodesView.as_view(), name="user-codes"),
    path("user-dates/", settings_views.UserDatesView.as_view(), name="user-dates"),
]

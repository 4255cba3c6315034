from django.urls import path

from loyalty import views

app_name = "loyalty-settings"

urlpatterns = [path("reward-points/", views.RewardSettingsView.as_view(), name="reward-points")]

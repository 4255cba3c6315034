from django.urls import path

from parties import views

app_name = "parties"

urlpatterns = [
    path("states/", views.state_list, name="state-list"),
]

from django.urls import path

from communications import views

app_name = "communication-settings"

urlpatterns = [
    path("email/", views.EmailSettingsView.as_view(), name="email"),
    path("sms/", views.SmsSettingsView.as_view(), name="sms"),
    path("whatsapp/", views.WhatsAppSettingsView.as_view(), name="whatsapp"),
]

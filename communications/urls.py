from django.urls import path

from communications import views

app_name = "communications"

urlpatterns = [
    path("log/", views.DeliveryLogView.as_view(), name="log"),
    path("log/messages/<int:pk>/", views.MessageDetailView.as_view(), name="message-detail"),
    path("log/webhooks/<int:pk>/", views.WebhookDeliveryView.as_view(), name="webhook-delivery"),
    path("templates/", views.TemplateListView.as_view(), name="template-list"),
    path("templates/add/", views.TemplateFormView.as_view(), name="template-create"),
    path("templates/<int:pk>/edit/", views.TemplateFormView.as_view(), name="template-update"),
    path("templates/<int:pk>/delete/", views.TemplateDeleteView.as_view(), name="template-delete"),
    path("templates/<int:pk>/preview/", views.TemplatePreviewView.as_view(), name="template-preview"),
    path("webhooks/", views.WebhookListView.as_view(), name="webhook-list"),
    path("webhooks/add/", views.WebhookFormView.as_view(), name="webhook-create"),
    path("webhooks/<int:pk>/", views.WebhookFormView.as_view(), name="webhook-update"),
    path("webhooks/<int:pk>/delete/", views.WebhookDeleteView.as_view(), name="webhook-delete"),
    path("campaign/", views.CampaignView.as_view(), name="campaign"),
]

from django.urls import path

from customers import views
from loyalty.views import CustomerPointsView
from parties.views import gstin_lookup

app_name = "customers"

urlpatterns = [
    path("", views.CustomerListView.as_view(), name="customer-list"),
    path("add/", views.CustomerFormView.as_view(), name="customer-create"),
    path("export/", views.CustomerExportView.as_view(), name="customer-export"),
    path("import/", views.CustomerImportView.as_view(), name="customer-import"),
    path("import/template/", views.customer_import_template, name="customer-import-template"),
    path("import/<uuid:token>/", views.CustomerImportJobView.as_view(), name="customer-import-job"),
    path("<int:pk>/edit/", views.CustomerFormView.as_view(), name="customer-update"),
    path("<int:pk>/delete/", views.CustomerDeleteView.as_view(), name="customer-delete"),
    path("<int:pk>/history/", views.CustomerHistoryView.as_view(), name="customer-history"),
    path("<int:pk>/points/", CustomerPointsView.as_view(), name="customer-points"),
    path("gstin/", gstin_lookup, name="customer-gstin"),
]

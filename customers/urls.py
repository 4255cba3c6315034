from django.urls import path

from customers import views
from customers.extensions import customer_page_urls
from customers.masters import CUSTOMER_GROUPS
from parties.masters import master_urls
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
    path("gstin/", gstin_lookup, name="customer-gstin"),
    *customer_page_urls(),
]

# Customer groups sit with the other masters, under /parties/ and its "parties" namespace (see o2vend/urls.py).
master_urlpatterns = master_urls(CUSTOMER_GROUPS, "parties")

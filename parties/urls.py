from django.urls import path

from parties import supplier_views, views
from parties.master_specs import AFFILIATES, AGENTS, BRANCHES, CREDIT_RULES, SUPPLIER_GROUPS
from parties.masters import master_urls

app_name = "parties"

urlpatterns = [
    path("states/", views.state_list, name="state-list"),
    path("suppliers/", supplier_views.SupplierListView.as_view(), name="supplier-list"),
    path("suppliers/add/", supplier_views.SupplierFormView.as_view(), name="supplier-create"),
    path("suppliers/export/", supplier_views.SupplierExportView.as_view(), name="supplier-export"),
    path("suppliers/<int:pk>/edit/", supplier_views.SupplierFormView.as_view(), name="supplier-update"),
    path("suppliers/<int:pk>/delete/", supplier_views.SupplierDeleteView.as_view(), name="supplier-delete"),
    *[
        url
        for spec in (SUPPLIER_GROUPS, CREDIT_RULES, AGENTS, AFFILIATES, BRANCHES)
        for url in master_urls(spec, app_name)
    ],
]

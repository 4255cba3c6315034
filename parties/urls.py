from django.urls import path

from customers.masters import CUSTOMER_GROUPS
from parties import views
from parties.master_specs import AFFILIATES, AGENTS, BRANCHES, CREDIT_RULES
from parties.masters import master_urls

app_name = "parties"

urlpatterns = [
    path("states/", views.state_list, name="state-list"),
    *[
        url
        for spec in (CUSTOMER_GROUPS, CREDIT_RULES, AGENTS, AFFILIATES, BRANCHES)
        for url in master_urls(spec, app_name)
    ],
]

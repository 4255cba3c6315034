from django.urls import path

from loyalty import views
from loyalty.masters import COUPONS, OFFERS
from parties.masters import master_urls

app_name = "loyalty"

urlpatterns = [
    *master_urls(COUPONS, app_name),
    *master_urls(OFFERS, app_name),
    path("liability/", views.LiabilityView.as_view(), name="liability"),
    path("api-tokens/", views.ApiTokenListView.as_view(), name="api-token-list"),
]

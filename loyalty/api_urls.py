from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from loyalty import api

app_name = "api"

# The schema and its page are open (they hold no data): the tills' developers read them.
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", authentication_classes=[], permission_classes=[]),
        name="docs",
    ),
    path("v1/customers/lookup/", api.CustomerLookupView.as_view(), name="customer-lookup"),
    path("v1/customers/", api.CustomerCreateView.as_view(), name="customer-create"),
    path("v1/customers/<int:pk>/points/", api.CustomerHistoryView.as_view(), name="customer-points"),
    path("v1/points/quote/", api.QuoteView.as_view(), name="points-quote"),
    path("v1/points/earn/", api.EarnView.as_view(), name="points-earn"),
    path("v1/points/redeem/", api.RedeemView.as_view(), name="points-redeem"),
    path("v1/points/reverse/", api.ReverseView.as_view(), name="points-reverse"),
]

from loyalty.masters import COUPONS, OFFERS
from parties.masters import master_urls

app_name = "loyalty"

urlpatterns = [*master_urls(COUPONS, app_name), *master_urls(OFFERS, app_name)]

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "loyalty"
    verbose_name = "Loyalty"

    def ready(self):
        from customers.extensions import CustomerPage, add_customer_page
        from loyalty.views import CustomerPointsView

        # The points page: /parties/customers/<pk>/points/, linked from the points column and the form.
        add_customer_page(
            CustomerPage(
                slug="points",
                label=_("Points"),
                view=CustomerPointsView.as_view(),
                permission="loyalty.view_pointsentry",
                field="points_balance",
            )
        )

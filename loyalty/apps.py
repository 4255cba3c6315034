from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "loyalty"
    verbose_name = "Loyalty"

    def ready(self):
        import datetime

        from customers.extensions import CustomerPage, add_customer_page
        from jobs.schedule import every_day
        from loyalty import imports
        from loyalty.views import CustomerPointsView

        # Points past their date are expired each night, after the day they were valid through.
        every_day(kind="loyalty.jobs.expire_points", title="Expire reward points", at=datetime.time(0, 30))
        imports.register()

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

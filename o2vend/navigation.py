"""The sidebar: each entry shows only to users allowed to open it."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# (section, [(label, url name, permission, or None for every login)])
MENU = (
    (
        _("Parties"),
        (
            (_("Customers"), "customers:customer-list", "customers.view_customer"),
            (_("Customer Groups"), "parties:customer-group-list", "customers.view_customergroup"),
            (_("Suppliers"), "parties:supplier-list", "parties.view_supplier"),
            (_("Supplier Groups"), "parties:supplier-group-list", "parties.view_suppliergroup"),
        ),
    ),
    (
        _("Loyalty"),
        (
            (_("Coupons"), "loyalty:coupon-list", "loyalty.view_coupon"),
            (_("Offers"), "loyalty:offer-list", "loyalty.view_offer"),
            (_("Points Liability"), "loyalty:liability", "loyalty.view_rewardsettings"),
            (_("Till API Tokens"), "loyalty:api-token-list", "loyalty.add_apitoken"),
            (_("Points API"), "api:docs", "loyalty.add_apitoken"),
        ),
    ),
    (
        _("Communication"),
        (
            (_("Delivery Log"), "communications:log", "communications.view_message"),
            (_("Communication Templates"), "communications:template-list", "communications.view_messagetemplate"),
            (_("Webhooks"), "communications:webhook-list", "communications.view_webhooksubscription"),
            (_("Email Settings"), "communication-settings:email", "communications.change_emailsettings"),
            (_("SMS Settings"), "communication-settings:sms", "communications.change_smssettings"),
            (_("WhatsApp Settings"), "communication-settings:whatsapp", "communications.change_whatsappsettings"),
        ),
    ),
    (
        _("Settings"),
        (
            (_("Agents"), "parties:agent-list", "parties.view_agent"),
            (_("Credit Rules"), "parties:credit-rule-list", "parties.view_creditrule"),
            (_("Affiliates"), "parties:affiliate-list", "parties.view_affiliate"),
            (_("Branches"), "parties:branch-list", "parties.view_branch"),
            (_("Automatic User Codes"), "settings:user-codes", "parties.change_usercode"),
            (_("User Date Setup"), "settings:user-dates", "parties.change_userdatesetup"),
            (_("Reward Points"), "loyalty-settings:reward-points", "loyalty.change_rewardsettings"),
        ),
    ),
    (
        _("Background"),
        ((_("Jobs"), "jobs:job-list", None),),
    ),
)


def navigation(request) -> dict:
    """Return the sidebar sections for the current user, the current screen marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    path = request.path
    sections = []
    for title, entries in MENU:
        items = []
        for label, url_name, permission in entries:
            if permission is None or user.has_perm(permission):
                url = reverse(url_name)
                items.append({"label": label, "url": url, "active": path.startswith(url)})
        if items:
            sections.append({"title": title, "items": items})
    return {"menu": sections}

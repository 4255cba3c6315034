"""Every URL of the project, for every role and an anonymous visitor, answers as the roles allow.

A URL that is not in ACCESS fails `test_every_url_has_an_access_rule`, so a new
screen cannot ship without someone deciding who may open it.
"""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from communications.models import Message, MessageTemplate, WebhookDelivery, WebhookSubscription
from customers.models import Customer, ImportJob
from jobs.models import Job
from loyalty import services as points
from parties.models import Affiliate, Agent, Branch, CreditRule, Supplier, SupplierGroup
from tests.factories import CouponFactory, CustomerFactory, CustomerGroupFactory, OfferFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "Viewer", "Billing", "Sales agent", "Store manager")
LOGIN = "login"  # a redirect to the login page

# What each role gets on GET: anonymous, Viewer, Billing, Sales agent, Store manager.
EVERYONE = (LOGIN, 200, 200, 200, 200)
CUSTOMER_DESK = (LOGIN, 403, 200, 200, 200)
MANAGER_ONLY = (LOGIN, 403, 403, 403, 200)
MASTERS_VIEW = (LOGIN, 200, 403, 403, 200)

ACCESS = {
    "root": (302, 302, 302, 302, 302),
    "login": (200, 200, 200, 200, 200),
    "logout": (405, 405, 405, 405, 405),
    "password_change": EVERYONE,
    "password_change_done": EVERYONE,
    "customers:customer-list": EVERYONE,
    "customers:customer-create": CUSTOMER_DESK,
    "customers:customer-update": CUSTOMER_DESK,
    "customers:customer-delete": MANAGER_ONLY,
    "customers:customer-history": EVERYONE,
    "customers:customer-points": EVERYONE,
    "customers:customer-gstin": EVERYONE,
    "customers:customer-export": MANAGER_ONLY,
    "customers:customer-import": MANAGER_ONLY,
    "customers:customer-import-template": (LOGIN, 403, 403, 403, 200),
    "customers:customer-import-job": MANAGER_ONLY,
    "parties:state-list": EVERYONE,
    "parties:supplier-list": MASTERS_VIEW,
    "parties:supplier-export": MASTERS_VIEW,
    "parties:supplier-create": MANAGER_ONLY,
    "parties:supplier-update": MANAGER_ONLY,
    "parties:supplier-delete": MANAGER_ONLY,
    "settings:user-codes": MANAGER_ONLY,
    "settings:user-dates": MANAGER_ONLY,
    # Everyone has a jobs page; a job and its file belong to whoever asked (here the store manager).
    "jobs:job-list": EVERYONE,
    # No login: 503 here, since no worker has been seen (see tests/jobs/test_health.py).
    "health": (503, 503, 503, 503, 503),
    "jobs:job-detail": (LOGIN, 404, 404, 404, 200),
    "jobs:job-download": (LOGIN, 404, 404, 404, 200),
    # Communications: the viewer sees the log, the templates and the webhooks; the store manager does the rest.
    "communications:log": MASTERS_VIEW,
    "communications:message-detail": MASTERS_VIEW,
    "communications:webhook-delivery": MASTERS_VIEW,
    "communications:template-list": MASTERS_VIEW,
    "communications:template-preview": MASTERS_VIEW,
    "communications:template-create": MANAGER_ONLY,
    "communications:template-update": MANAGER_ONLY,
    "communications:template-delete": MANAGER_ONLY,
    "communications:webhook-list": MASTERS_VIEW,
    "communications:webhook-create": MANAGER_ONLY,
    "communications:webhook-update": MANAGER_ONLY,
    "communications:webhook-delete": MANAGER_ONLY,
    "communications:campaign": MANAGER_ONLY,
    "communication-settings:email": MANAGER_ONLY,
    "communication-settings:sms": MANAGER_ONLY,
    "communication-settings:whatsapp": MANAGER_ONLY,
    "loyalty-settings:reward-points": MANAGER_ONLY,
    "loyalty:api-token-list": MANAGER_ONLY,
    "loyalty:liability": MASTERS_VIEW,
    # The API's schema and its page hold no data; the API itself takes branch tokens only, never a login.
    "api:schema": (200, 200, 200, 200, 200),
    "api:docs": (200, 200, 200, 200, 200),
    "api:customer-lookup": (401, 401, 401, 401, 401),
    "api:customer-create": (401, 401, 401, 401, 401),
    "api:customer-points": (401, 401, 401, 401, 401),
    "api:points-quote": (401, 401, 401, 401, 401),
    "api:points-earn": (401, 401, 401, 401, 401),
    "api:points-redeem": (401, 401, 401, 401, 401),
    "api:points-reverse": (401, 401, 401, 401, 401),
}
MASTERS = {
    "parties:customer-group": CustomerGroupFactory,
    "parties:supplier-group": lambda: SupplierGroup.objects.create(name="Distributors"),
    "parties:credit-rule": lambda: CreditRule.objects.create(name="7 days", credit_days=7),
    "parties:agent": lambda: Agent.objects.create(name="Other agent", code="EMP99"),
    "parties:affiliate": lambda: Affiliate.objects.create(name="Bloggers", slug="bloggers"),
    "parties:branch": lambda: Branch.objects.create(name="Chennai", code="CHN"),
    "loyalty:coupon": CouponFactory,
    "loyalty:offer": OfferFactory,
}
for stem in MASTERS:
    ACCESS[f"{stem}-list"] = MASTERS_VIEW
    for action in ("create", "update", "delete"):
        ACCESS[f"{stem}-{action}"] = MANAGER_ONLY


def project_url_names(resolver=None, namespace="") -> set[str]:
    """Return the names of every URL of the project (Django admin's own pages aside)."""
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= project_url_names(entry, inner)
        elif isinstance(entry, URLPattern):
            names.add(f"{namespace}{entry.name}" if entry.name else "root")
    return names


def test_every_url_has_an_access_rule():
    missing = project_url_names() - set(ACCESS)
    assert not missing, f"decide who may open these URLs and add them to ACCESS: {sorted(missing)}"


@pytest.fixture
def world(django_user_model):
    """One user per role; the sales agent's own customer and another agent's; one row of each master."""
    users = {}
    for role in ROLES[1:]:
        user = django_user_model.objects.create_user(role.lower().replace(" ", "-"), password="pw-for-tests-only")
        user.groups.add(Group.objects.get(name=role))
        users[role] = user
    own_agent = Agent.objects.create(name="Own agent", code="EMP01", user=users["Sales agent"])
    own = CustomerFactory(full_name="Own customer", agent=own_agent)
    other = CustomerFactory(full_name="Other customer")
    points.earn_points(customer=own, points=5, reference="", user=None)
    job = ImportJob.objects.create(file_name="x.csv", stored_path="/nonexistent", status="failed", message="test")
    objects = {stem: make() for stem, make in MASTERS.items()}
    supplier = Supplier.objects.create(full_name="Supplier", username="supplier")
    manager_job = Job.objects.create(
        kind="customers.exports.export_job",
        title="Customers export",
        owner=users["Store manager"],
        state=Job.State.SUCCEEDED,
        file=default_storage.save("jobs/access.csv", ContentFile(b"code\n")),
        file_name="customers.csv",
        file_expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    template = MessageTemplate.objects.create(event="birthday", channel="sms", body="Happy birthday")
    webhook = WebhookSubscription.objects.create(name="ERP", url="https://erp.example.in/", events=["points.changed"])
    communications = {
        "communications:template-": template,
        "communications:message-detail": Message.objects.create(event_key="k", event="birthday", channel="sms"),
        "communications:webhook-delivery": WebhookDelivery.objects.create(subscription=webhook, event="x", body="{}"),
        "communications:webhook-": webhook,
    }
    return {
        "communications": communications,
        "manager_job": manager_job,
        "users": users,
        "own": own,
        "other": other,
        "job": job,
        "masters": objects,
        "supplier": supplier,
    }


def url_for(name: str, world) -> str:
    if name == "root":
        return "/"
    if name == "health":
        return reverse(name)
    if name in (
        "customers:customer-update",
        "customers:customer-delete",
        "customers:customer-history",
        "customers:customer-points",
        "api:customer-points",
    ):
        return reverse(name, args=[world["own"].pk])
    if name == "customers:customer-import-job":
        return reverse(name, args=[world["job"].token])
    if name.startswith("jobs:job-") and name != "jobs:job-list":
        return reverse(name, args=[world["manager_job"].pk])
    if name.startswith("parties:supplier-") and name.endswith(("update", "delete")):
        return reverse(name, args=[world["supplier"].pk])
    for prefix, row in world["communications"].items():
        if name.startswith(prefix) and name.endswith(("update", "delete", "preview", "detail", "delivery")):
            return reverse(name, args=[row.pk])
    for stem, row in world["masters"].items():
        if name in (f"{stem}-update", f"{stem}-delete"):
            return reverse(name, args=[row.pk])
    return reverse(name)


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_each_role_gets_what_it_may_on_every_url(client, world, role_index):
    role = ROLES[role_index]
    if role != "anonymous":
        client.force_login(world["users"][role])
    wrong = []
    for name, expected in sorted(ACCESS.items()):
        url = url_for(name, world)
        response = client.get(url)
        want = expected[role_index]
        if want == LOGIN:
            ok = response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        else:
            ok = response.status_code == want
        if not ok:
            wrong.append(f"{name} {url}: {response.status_code}, expected {want}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    "name", ["customers:customer-update", "customers:customer-history", "customers:customer-points"]
)
def test_sales_agent_gets_404_for_another_agents_customer(client, world, name):
    client.force_login(world["users"]["Sales agent"])
    assert client.get(reverse(name, args=[world["other"].pk])).status_code == 404
    assert client.post(reverse(name, args=[world["other"].pk]), {"points": "5", "reason": "x"}).status_code == 404
    assert client.get(reverse(name, args=[world["own"].pk])).status_code == 200


def test_sales_agent_cannot_delete_and_learns_nothing_about_other_customers(client, world):
    client.force_login(world["users"]["Sales agent"])
    for customer in (world["own"], world["other"]):
        url = reverse("customers:customer-delete", args=[customer.pk])
        assert client.get(url).status_code == 403
        assert client.post(url).status_code == 403
    assert Customer.objects.count() == 2


def test_sales_agent_list_and_search_show_only_their_customers(client, world):
    client.force_login(world["users"]["Sales agent"])
    listed = client.get(reverse("customers:customer-list"), {"status": "all"}).context["object_list"]
    assert [c.full_name for c in listed] == ["Own customer"]
    searched = client.get(reverse("customers:customer-list"), {"q": "Other customer"}).context["object_list"]
    assert list(searched) == []


def test_sales_agent_export_holds_only_their_customers(client, world):
    user = world["users"]["Sales agent"]
    user.user_permissions.add(Permission.objects.get(codename="export_customer"))
    client.force_login(user)
    body = b"".join(client.get(reverse("customers:customer-export"), {"status": "all"}).streaming_content)
    assert "Own customer" in body.decode("utf-8-sig") and "Other customer" not in body.decode("utf-8-sig")


def test_billing_cannot_adjust_points_but_store_manager_can(client, world):
    url = reverse("customers:customer-points", args=[world["own"].pk])
    client.force_login(world["users"]["Billing"])
    assert client.post(url, {"points": "5", "reason": "x"}).status_code == 403
    client.force_login(world["users"]["Store manager"])
    assert client.post(url, {"points": "5", "reason": "x"}).status_code == 302
    assert Customer.objects.get(pk=world["own"].pk).points_balance == 10


def test_buttons_follow_the_role(client, world):
    client.force_login(world["users"]["Viewer"])
    html = client.get(reverse("customers:customer-list")).content.decode()
    for hidden in ("Add Customer", "Export", ">Import<", "/edit/", "/delete/"):
        assert hidden not in html
    points_page = client.get(reverse("customers:customer-points", args=[world["own"].pk])).content.decode()
    assert "Adjust Points" not in points_page
    client.force_login(world["users"]["Store manager"])
    html = client.get(reverse("customers:customer-list")).content.decode()
    for shown in ("Add Customer", "Export", ">Import<", "/edit/", "/delete/"):
        assert shown in html


def test_forbidden_page_is_friendly(client, world):
    client.force_login(world["users"]["Viewer"])
    response = client.get(reverse("customers:customer-create"))
    assert response.status_code == 403
    assert "Your role does not include this action" in response.content.decode()


def test_sales_agent_creates_customers_for_their_own_agent_only(client, world):
    client.force_login(world["users"]["Sales agent"])
    form = client.get(reverse("customers:customer-create")).context["form"]
    assert list(form.fields["agent"].queryset) == [world["own"].agent]
    data = {
        "full_name": "New lead",
        "agent": world["own"].agent.pk,
        "supply_type": "B2C",
        "timezone": "Asia/Kolkata",
        "country": "IN",
        "balances-TOTAL_FORMS": "0",
        "balances-INITIAL_FORMS": "0",
    }
    assert client.post(reverse("customers:customer-create"), data).status_code == 302
    other_agent = world["masters"]["parties:agent"]
    response = client.post(
        reverse("customers:customer-create"), {**data, "full_name": "Stolen", "agent": other_agent.pk}
    )
    assert response.status_code == 200 and "agent" in response.context["form"].errors
    assert Customer.objects.get(full_name="New lead").agent == world["own"].agent

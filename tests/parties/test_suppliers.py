import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from parties import gstin, services
from parties.models import Branch, Supplier, SupplierGroup

pytestmark = pytest.mark.django_db

LIST = reverse("parties:supplier-list")
ADD = reverse("parties:supplier-create")


def post_data(**overrides):
    data = {
        "full_name": "Sri Murugan Traders",
        "username": "",
        "code": "",
        "phone_number": "044 2345 6789",
        "timezone": "Asia/Kolkata",
        "country": "IN",
        "state_or_province": "Tamil Nadu",
        "balances-TOTAL_FORMS": "0",
        "balances-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_supplier_gets_username_and_automatic_code():
    first = services.supplier_create(full_name="Kaveri Foods")
    second = services.supplier_create(full_name="Kaveri Foods", code="")
    assert (first.username, first.code) == ("kaveri-foods", "SUP00001")
    assert (second.username, second.code) == ("kaveri-foods-2", "SUP00002")


def test_supplier_code_typed_by_hand_must_be_unique():
    services.supplier_create(full_name="A", code="VEN-1")
    with pytest.raises(ValidationError) as error:
        services.supplier_create(full_name="B", code="ven-1")
    assert "already used by A" in error.value.message_dict["code"][0]


def test_supplier_gstin_follows_the_customer_rules():
    with pytest.raises(ValidationError) as error:
        services.supplier_create(full_name="A", tax_number=gstin.make("27", "AABCS1234Q"), state_or_province="IN-TN")
    assert "registered in Maharashtra" in error.value.message_dict["tax_number"][0]
    supplier = services.supplier_create(
        full_name="B", tax_number=gstin.make("33", "AABCS1234Q"), state_or_province="TN"
    )
    assert supplier.state_or_province == "IN-TN"


def test_create_edit_delete_screens(admin_client):
    group = SupplierGroup.objects.create(name="Distributors")
    branch = Branch.objects.create(name="Chennai", code="CHN")
    balances = {
        "balances-TOTAL_FORMS": "1",
        "balances-0-branch": branch.pk,
        "balances-0-amount": "2500",
        "balances-0-side": "payable",
    }
    response = admin_client.post(ADD, post_data(supplier_group=group.pk, **balances))
    assert response.status_code == 302
    supplier = Supplier.objects.get()
    assert supplier.phone_number.as_e164 == "+914423456789"
    assert supplier.net_opening_balance == -2500
    html = admin_client.get(LIST).content.decode()
    for text in ("Full Name", "Code", "Phone Number", "Supplier Group", "Created On", "Actions", "SUP00001"):
        assert text in html
    edit = reverse("parties:supplier-update", args=[supplier.pk])
    assert admin_client.post(edit, post_data(full_name="Renamed", code="SUP00001", is_active="on")).status_code == 302
    supplier.refresh_from_db()
    assert supplier.full_name == "Renamed"
    delete = reverse("parties:supplier-delete", args=[supplier.pk])
    assert "Delete the supplier" in admin_client.get(delete).content.decode()
    assert admin_client.post(delete).status_code == 302
    assert not Supplier.objects.exists()


def test_invalid_supplier_keeps_input(admin_client):
    response = admin_client.post(ADD, post_data(email="nope", postal_code="12"))
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"email", "postal_code"}
    assert 'value="nope"' in response.content.decode()
    assert not Supplier.objects.exists()


def test_list_search_filter_sort(admin_client):
    group = SupplierGroup.objects.create(name="Makers")
    services.supplier_create(full_name="Alpha Traders", supplier_group=group)
    services.supplier_create(full_name="Beta Foods")
    rows = lambda params: [s.full_name for s in admin_client.get(LIST, params).context["object_list"]]  # noqa: E731
    assert rows({"q": "foods"}) == ["Beta Foods"]
    assert rows({"supplier_group": group.pk}) == ["Alpha Traders"]
    assert rows({"o": "full_name"}) == ["Alpha Traders", "Beta Foods"]
    assert rows({"o": "-code"}) == ["Beta Foods", "Alpha Traders"]


def test_export_matches_the_filtered_list(admin_client):
    services.supplier_create(full_name="Alpha Traders", phone_number="+919840012345")
    services.supplier_create(full_name="Beta Foods")
    response = admin_client.get(reverse("parties:supplier-export"), {"format": "csv", "q": "alpha"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:4] == ["Full name", "Alias name", "User name", "Code"]
    assert [row[0] for row in rows[1:]] == ["Alpha Traders"]
    assert rows[1][5] == "'+919840012345"
    xlsx = admin_client.get(reverse("parties:supplier-export"), {"format": "xlsx"})
    assert xlsx["Content-Disposition"].startswith('attachment; filename="suppliers-')


def test_supplier_group_in_use_cannot_be_deleted(admin_client):
    group = SupplierGroup.objects.create(name="Makers")
    services.supplier_create(full_name="Alpha", supplier_group=group)
    page = admin_client.post(reverse("parties:supplier-group-delete", args=[group.pk])).content.decode()
    assert "is used by 1 supplier, so it cannot be deleted" in page
    assert SupplierGroup.objects.filter(pk=group.pk).exists()


def test_supplier_screens_need_permissions(client, make_staff):
    client.force_login(make_staff("parties.view_supplier"))
    assert client.get(LIST).status_code == 200
    assert client.get(ADD).status_code == 403
    assert "Add Supplier" not in client.get(LIST).content.decode()

import pytest

from parties import gstin


def test_valid_gstin_is_described_offline():
    number = gstin.make("33", "AAPFU0939F")
    answer = gstin.describe(number.lower())
    assert answer["valid"] is True
    assert answer["number"] == number
    assert answer["state"] == "IN-TN"
    assert answer["state_name"] == "Tamil Nadu"
    assert answer["pan"] == "AAPFU0939F"
    assert answer["holder_type"] == "Firm/Limited Liability Partnership"


def test_known_public_example_is_maharashtra():
    assert gstin.describe("27AAPFU0939F1ZV")["state"] == "IN-MH"


@pytest.mark.parametrize(
    ("number", "says"),
    [
        ("27AAPFU0939F1Z", "15 characters"),
        ("369296450896540", "2 digits"),
        ("27AAPFU0939F1ZO", "check digit"),
        ("99AAPFU0939F1ZV", "unknown state code"),
    ],
)
def test_invalid_gstin_says_what_is_wrong(number, says):
    answer = gstin.describe(number)
    assert answer["valid"] is False
    assert says in answer["error"]
    assert answer["state"] is None


def test_every_gst_state_code_maps_to_a_real_state():
    from parties import geo

    codes = {code for code, _ in geo.subdivisions("IN")}
    assert set(gstin.GST_STATE_CODES.values()) <= codes

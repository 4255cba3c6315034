"""Indian GSTIN checks that run offline: format, check digit, state and PAN."""

from django.utils.translation import gettext as _
from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.in_ import gstin as stdnum_gstin

from parties import geo

# The first two digits of a GSTIN are the GST state code; these map them to ISO 3166-2.
GST_STATE_CODES = {
    "01": "IN-JK",
    "02": "IN-HP",
    "03": "IN-PB",
    "04": "IN-CH",
    "05": "IN-UK",
    "06": "IN-HR",
    "07": "IN-DL",
    "08": "IN-RJ",
    "09": "IN-UP",
    "10": "IN-BR",
    "11": "IN-SK",
    "12": "IN-AR",
    "13": "IN-NL",
    "14": "IN-MN",
    "15": "IN-MZ",
    "16": "IN-TR",
    "17": "IN-ML",
    "18": "IN-AS",
    "19": "IN-WB",
    "20": "IN-JH",
    "21": "IN-OD",
    "22": "IN-CG",
    "23": "IN-MP",
    "24": "IN-GJ",
    "25": "IN-DH",
    "26": "IN-DH",
    "27": "IN-MH",
    "28": "IN-AP",
    "29": "IN-KA",
    "30": "IN-GA",
    "31": "IN-LD",
    "32": "IN-KL",
    "33": "IN-TN",
    "34": "IN-PY",
    "35": "IN-AN",
    "36": "IN-TS",
    "37": "IN-AP",
}
EXAMPLE = "27AAPFU0939F1ZV"


class GSTINError(ValueError):
    """A GSTIN that cannot be accepted, with a message a person can act on."""


def compact(number: str) -> str:
    """Return the GSTIN without spaces or dashes, upper-cased."""
    return stdnum_gstin.compact(number or "")


def validate(number: str) -> str:
    """Return the compact GSTIN, or raise GSTINError saying what is wrong."""
    number = compact(number)
    try:
        return stdnum_gstin.validate(number)
    except InvalidLength:
        message = _("A GSTIN has 15 characters; this one has %(count)d (e.g. %(example)s).")
        raise GSTINError(message % {"count": len(number), "example": EXAMPLE}) from None
    except InvalidFormat:
        message = _("A GSTIN is 2 digits, a 10-character PAN, then 3 characters (e.g. %(example)s).")
        raise GSTINError(message % {"example": EXAMPLE}) from None
    except InvalidComponent:
        raise GSTINError(
            _("This GSTIN has an unknown state code, PAN type or entity code; check the number.")
        ) from None
    except InvalidChecksum:
        raise GSTINError(_("This GSTIN's last character (the check digit) does not match; check for a typo.")) from None
    except ValidationError:
        raise GSTINError(_("This is not a valid GSTIN.")) from None


def state_of(number: str) -> str | None:
    """Return the ISO code of the state a (valid) GSTIN is registered in."""
    return GST_STATE_CODES.get(compact(number)[:2])


def describe(number: str) -> dict:
    """Return what the GSTIN tells offline, as the Fetch button's JSON answer."""
    try:
        number = validate(number)
    except GSTINError as error:
        return {
            "valid": False,
            "error": str(error),
            "state": None,
            "state_name": None,
            "pan": None,
            "holder_type": None,
        }
    info = stdnum_gstin.info(number)
    state = state_of(number)
    return {
        "valid": True,
        "error": None,
        "number": number,
        "state": state,
        "state_name": geo.state_name("IN", state) if state else info["state"],
        "pan": info["pan"],
        "holder_type": info["holder_type"],
    }


def make(state_code: str, pan: str, entity: str = "1") -> str:
    """Return a valid GSTIN for a GST state code and PAN (demo data and tests)."""
    body = f"{state_code}{pan}{entity}Z"
    return body + luhn.calc_check_digit(body, alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")

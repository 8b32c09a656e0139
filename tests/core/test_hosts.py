"""Step 1 reads ASCII only; hosts are compared byte for byte after ASCII upper-casing (issue 10 item 1).

Every Unicode character whose upper-case, lower-case, title-case or case-folded form contains an ASCII letter,
or that a Unicode-aware case-insensitive regex matches to one (U+0131 dotless i, U+017F long s, U+212A Kelvin
sign, U+0130 dotted capital I, U+00DF sharp s, ligatures...), is tried in every letter of the scheme and of the
host: each must fail step 1, with and without configured hosts. The host grammar and development hosts of
docs/FORMAT.md §5.2, and former hosts of the service (a domain move), are tested too.
"""

from __future__ import annotations

import datetime as dt
import re
import sys

import pytest
from support.keys import make_signer, sample_record, verifier_for_signers

from verify import codec
from verify.errors import PrefixError, RecordError
from verify.issue import sign_record

T = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
SIGNER = make_signer("host tests")
SIGNED = sign_record(sample_record(), signer=SIGNER, base_url="https://v.edu.kz", at=T)
DIGITS = codec.split_qr_text(SIGNED.qr_text)[1]
PREFIX = "HTTPS://V.EDU.KZ/V/"
_ASCII_LETTER = re.compile("[A-Za-z]", re.IGNORECASE)


def _lands_in_ascii(char: str) -> bool:
    forms = (char.upper(), char.lower(), char.title(), char.casefold())
    return any(any("A" <= c <= "Z" or "a" <= c <= "z" for c in form) for form in forms) \
        or _ASCII_LETTER.fullmatch(char) is not None


LOOKALIKES = [chr(cp) for cp in range(0x80, sys.maxunicode + 1)
              if not 0xD800 <= cp <= 0xDFFF and _lands_in_ascii(chr(cp))]
LETTER_POSITIONS = [i for i, c in enumerate(PREFIX) if c.isalpha()]


def test_the_lookalike_set_holds_the_known_attackers() -> None:
    for char in ("\u0131", "\u017f", "\u212a", "\u0130", "\u00df", "\ufb00", "\u1e9e"):
        assert char in LOOKALIKES
    assert len(LOOKALIKES) >= 20  # 20 in Unicode 15 (Python 3.11-3.13)


@pytest.mark.parametrize("char", LOOKALIKES, ids=[f"U+{ord(c):04X}" for c in LOOKALIKES])
def test_a_character_that_case_maps_to_ascii_fails_step_1_everywhere(char: str) -> None:
    pinned = verifier_for_signers(SIGNER, accepted_prefixes=(PREFIX,))
    anyhost = verifier_for_signers(SIGNER)
    for position in LETTER_POSITIONS:
        for prefix in (PREFIX, PREFIX.lower()):
            text = prefix[:position] + char + prefix[position + 1:] + DIGITS
            with pytest.raises(PrefixError):
                codec.split_qr_text(text)
            for verifier in (pinned, anyhost):
                report = verifier.check(text, at=T)
                assert report.verdict == "MALFORMED"
                assert report.failed_step is not None and report.failed_step.number == 1


def test_the_reported_attack_dotless_i_in_the_host() -> None:
    """`HTTP://Vı.KZ:8102/V/<genuine digits>` was VALID when the host was `vi.kz:8102`."""
    verifier = verifier_for_signers(SIGNER, accepted_prefixes=("HTTPS://VI.KZ/V/",))
    assert verifier.check("HTTPS://VI.KZ/V/" + DIGITS, at=T).verdict == "VALID"
    for text in ("HTTPS://V\u0131.KZ/V/", "HTTPS://VERıFY.EDU.KZ/V/", "HTTP\u017f://VI.KZ/V/", "HTTPS://VI.\u212aZ/V/"):
        report = verifier.check(text + DIGITS, at=T)
        assert report.verdict == "MALFORMED" and report.steps[0].outcome == "failed", text


def test_configured_prefixes_must_be_ascii() -> None:
    with pytest.raises(RecordError):
        verifier_for_signers(SIGNER, accepted_prefixes=("HTTPS://V\u0131.KZ/V/",))
    with pytest.raises(RecordError):
        codec.qr_prefix("https://v\u0131.kz")
    with pytest.raises(RecordError):
        codec.normalize_prefix("HTTPS://V.EDU.KZ/V/X")


def test_former_hosts_still_verify_after_a_domain_move() -> None:
    old = sign_record(sample_record(), signer=SIGNER, base_url="https://old.edu.kz", at=T)
    new = sign_record(sample_record(), signer=SIGNER, base_url="https://v.edu.kz", at=T)
    prefixes = codec.qr_prefixes(["https://v.edu.kz", "https://OLD.edu.kz/", "https://v.edu.kz"])
    assert prefixes == ("HTTPS://V.EDU.KZ/V/", "HTTPS://OLD.EDU.KZ/V/")
    verifier = verifier_for_signers(SIGNER, accepted_prefixes=prefixes)
    assert verifier.check(old.qr_text, at=T).verdict == "VALID"
    assert verifier.check(new.qr_text.lower(), at=T).verdict == "VALID"
    other = verifier.check("HTTPS://V.EDU.KG/V/" + DIGITS, at=T)
    assert other.verdict == "MALFORMED" and other.steps[0].outcome == "failed"
    with pytest.raises(RecordError):
        codec.qr_prefixes([])


@pytest.mark.parametrize("prefix", [
    "HTTPS://V.EDU.KZ/V/", "https://v.edu.kz/v/", "HTTPS://X/V/", "HTTPS://A-B.C1.KZ:443/V/",
    "HTTPS://8.8.8.8/V/", "HTTP://127.0.0.1:8000/V/", "HTTP://LOCALHOST/V/", "HTTP://V.LOCALHOST/V/",
    "HTTP://DEMO.TEST:8000/V/", "HTTP://10.1.2.3/V/", "HTTP://172.31.0.1/V/", "HTTP://192.168.0.5:80/V/",
    "HTTPS://V.KZ:65535/V/",
])
def test_prefix_grammar_accepts(prefix: str) -> None:
    assert codec.split_qr_text(prefix + "1") == (codec.ascii_upper(prefix), "1")
    assert codec.normalize_prefix(prefix) == codec.ascii_upper(prefix)


@pytest.mark.parametrize("prefix", [
    "HTTP://V.EDU.KZ/V/",  # HTTP for a public host
    "HTTP://172.32.0.1/V/", "HTTP://8.8.8.8/V/", "HTTP://LOCALHOST.KZ/V/",
    "HTTPS://-V.KZ/V/", "HTTPS://V-.KZ/V/", "HTTPS://V..KZ/V/", "HTTPS://.V.KZ/V/", "HTTPS://V.KZ./V/",
    "HTTPS://V_E.KZ/V/", "HTTPS://V.EDU.KZ:0/V/", "HTTPS://V.EDU.KZ:080/V/", "HTTPS://V.EDU.KZ:65536/V/",
    "HTTPS://1.2.3/V/", "HTTPS://256.1.1.1/V/", "HTTPS://01.1.1.1/V/", "HTTPS://V.EDU.KZ:/V/",
    "HTTPS:/V.EDU.KZ/V/", "HTTPS://V.EDU.KZ/v1/", "HTTPS://user@V.KZ/V/", "HTTPS://[::1]/V/",
    " HTTPS://V.EDU.KZ/V/".replace(" ", "\u00a0"),  # a no-break space is not white space here
    "HTTPS://V.EDU.KZ\uff0fV/",  # fullwidth solidus
    "HTTPS\uff1a//V.EDU.KZ/V/",  # fullwidth colon
])
def test_prefix_grammar_refuses(prefix: str) -> None:
    with pytest.raises(PrefixError):
        codec.split_qr_text(prefix + "1")


@pytest.mark.parametrize(("host", "development"), [
    ("LOCALHOST", True), ("A.LOCALHOST", True), ("X.TEST", True), ("127.255.0.1", True), ("10.0.0.1", True),
    ("172.16.0.1", True), ("172.31.255.255", True), ("192.168.1.1", True), ("172.15.0.1", False),
    ("192.169.0.1", False), ("V.EDU.KZ", False), ("TEST", False), ("LOCALHOST.KZ", False), ("11.0.0.1", False),
])
def test_development_hosts(host: str, development: bool) -> None:
    assert codec.is_development_host(host) is development


def test_qr_prefix_refuses_http_for_a_public_host() -> None:
    with pytest.raises(RecordError, match="development"):
        codec.qr_prefix("http://v.edu.kz")
    assert codec.qr_prefix("http://localhost:8000") == "HTTP://LOCALHOST:8000/V/"

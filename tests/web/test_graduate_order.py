"""Graduate lists in Kazakh alphabetical order (issue 10 item 20): the officers' API and the console listed
graduates by row id, and code-point order would put Ә, Ғ, Қ, Ң, Ө, Ұ, Ү, Һ, І after Я."""

from __future__ import annotations

from fastapi.testclient import TestClient
from support.web import STAFF_SETTINGS, MakeClient, bearer, graduates_csv, https, officer_token
from support.world import World, row

# Imported in this order (by row id), listed in the other: surnames that code-point order gets wrong.
IMPORTED = ("Ярославцева", "Іскакова", "Әбдірахманова", "Ұлықбекова", "Абаева", "Қасымова", "Ыдырысова", "Кимова")
LISTED = ["Абаева", "Әбдірахманова", "Кимова", "Қасымова", "Ұлықбекова", "Ыдырысова", "Іскакова", "Ярославцева"]


def test_the_graduates_are_listed_in_kazakh_alphabetical_order_across_pages(make_client: MakeClient,
                                                                            world: World) -> None:
    client: TestClient = https(make_client(**STAFF_SETTINGS))
    issuer = bearer(officer_token(world, world.uni_issuer)[0])
    people = [row(n + 2, surname=surname) for n, surname in enumerate(IMPORTED)]  # a fresh IIN each
    imported = client.post("/api/v1/officer/imports", headers=issuer,
                           files={"file": ("g.csv", graduates_csv(people), "text/csv")})
    assert imported.status_code == 200, imported.text
    listed = client.get("/api/v1/officer/graduates", headers=issuer, params={"group": "G1"}).json()
    assert [g["holder"]["surname"] for g in listed["graduates"]] == LISTED and listed["total"] == len(LISTED)
    pages = [client.get("/api/v1/officer/graduates", headers=issuer,
                        params={"group": "G1", "limit": 3, "offset": offset}).json()["graduates"]
             for offset in (0, 3, 6)]
    assert [g["holder"]["surname"] for page in pages for g in page] == LISTED

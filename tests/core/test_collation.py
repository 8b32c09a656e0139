"""Kazakh alphabetical order (verify/collation.py): Ә Ғ Қ Ң Ө Ұ Ү Һ І beside their base letters, not after Я."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from verify.collation import KAZAKH_ALPHABET, kazakh_key, kazakh_name_key


def test_the_alphabet_has_its_42_letters_in_cldr_order() -> None:
    assert len(KAZAKH_ALPHABET) == 42 and len(set(KAZAKH_ALPHABET)) == 42
    for base, after in (("а", "ә"), ("г", "ғ"), ("к", "қ"), ("н", "ң"), ("о", "ө"), ("у", "ұ"), ("ұ", "ү"),
                        ("х", "һ"), ("ы", "і"), ("е", "ё")):
        assert KAZAKH_ALPHABET.index(after) == KAZAKH_ALPHABET.index(base) + 1


def test_surnames_sort_in_kazakh_order_not_by_code_point() -> None:
    names = ["Ярослав", "Әбдірахманова", "Абаев", "Ғабит", "Гусев", "Қасымов", "Ким", "Іскаков", "Ыдырысов",
             "Өтегенов", "Оспанов", "Үсенов", "Ұлықбек", "Уалиев", "Һашимов", "Хасенов", "Ли", "Ли-Ким", "Лиза"]
    assert sorted(names, key=kazakh_key) == [
        "Абаев", "Әбдірахманова", "Гусев", "Ғабит", "Ким", "Қасымов", "Ли", "Ли-Ким", "Лиза", "Оспанов", "Өтегенов",
        "Уалиев", "Ұлықбек", "Үсенов", "Хасенов", "Һашимов", "Ыдырысов", "Іскаков", "Ярослав"]
    assert sorted(["әлия", "Әлия", "Алия"], key=kazakh_key) == ["Алия", "Әлия", "әлия"]  # case breaks ties only


def test_a_person_sorts_by_surname_then_name_then_patronymic_then_id() -> None:
    people = [("Ким", "Әлия", None, 3), ("Ким", "Алина", "Сергеевна", 2), ("Ким", "Алина", None, 5),
              ("Әбенов", "Ян", None, 1)]
    assert [p[3] for p in sorted(people, key=lambda p: kazakh_name_key(*p))] == [1, 5, 2, 3]


@given(st.lists(st.text(alphabet=KAZAKH_ALPHABET + KAZAKH_ALPHABET.upper() + " -ABCxyz09", max_size=12)))
def test_the_key_is_a_total_order_that_keeps_every_text(texts: list[str]) -> None:
    ordered = sorted(texts, key=kazakh_key)
    assert sorted(ordered) == sorted(texts)
    for first, second in itertools.pairwise(ordered):
        assert kazakh_key(first) <= kazakh_key(second)
        if kazakh_key(first) == kazakh_key(second):
            assert first == second

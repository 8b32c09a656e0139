"""The reference data of the sample: TVE specialties and qualifications, higher-education programmes, the ten
institutions, and the names, birth years and study lengths the graduates are drawn from.

Codes and names follow the classifiers' formats (docs/IMPORT.md; seed 001 item 7); they are not copied from them.
The institutions are fictional, with names of real shapes. `verify.demo.sampledata` draws the graduates from these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Qualification:
    """A TVE qualification: code (level digit, letter, eight digits) and names in kk, ru and en."""

    code: str
    kk: str
    ru: str
    en: str


@dataclass(frozen=True, slots=True)
class Programme:
    """A TVE specialty or a higher-education programme.

    Attributes:
        code: 8 digits (TVE specialty) or 6B/7M/8D and five digits (higher education).
        kk, ru, en: its name in Kazakh, Russian and English.
        abbr: the abbreviation in study group names ("ПО" in "ПО-23-1").
        doc_type: the document type it leads to ("TVE", "POST_SECONDARY", "BD", "MD", "MBA", "PHD").
        qualifications: TVE only: the qualifications awarded (the first is the usual one).
    """

    code: str
    kk: str
    ru: str
    en: str
    abbr: str
    doc_type: str
    qualifications: tuple[Qualification, ...] = ()


def _tve(code: str, kk: str, ru: str, en: str, abbr: str, *quals: tuple[str, str, str, str],
         doc_type: str = "TVE") -> Programme:
    return Programme(code, kk, ru, en, abbr, doc_type, tuple(Qualification(*q) for q in quals))


TVE_SPECIALTIES: Final[dict[str, Programme]] = {p.code: p for p in (
    _tve("06130100", "Бағдарламалық қамтамасыз ету", "Программное обеспечение", "Software", "ПО",
         ("4S06130103", "Бағдарламалық қамтамасыз етуді әзірлеуші", "Разработчик программного обеспечения",
          "Software developer"),
         ("4S06130104", "Ақпараттық жүйелер технигі", "Техник информационных систем",
          "Information systems technician")),
    _tve("07130100", "Электр станциялары мен желілерінің электр жабдықтары",
         "Электрооборудование электрических станций и сетей", "Electrical equipment of power stations and networks",
         "ЭС", ("4S07130103", "Техник-электрик", "Техник-электрик", "Electrical technician")),
    _tve("04110100", "Есеп және аудит", "Учет и аудит", "Accounting and audit", "УА",
         ("4S04110103", "Бухгалтер", "Бухгалтер", "Accountant")),
    _tve("07161300", "Автомобиль көлігіне техникалық қызмет көрсету, жөндеу және пайдалану",
         "Техническое обслуживание, ремонт и эксплуатация автомобильного транспорта",
         "Maintenance, repair and operation of motor vehicles", "ТО",
         ("4S07161303", "Техник-механик", "Техник-механик", "Mechanical technician"),
         ("3W07161301", "Автомобиль жөндеу слесарі", "Слесарь по ремонту автомобилей", "Motor vehicle repair fitter")),
    _tve("09130100", "Мейіргер ісі", "Сестринское дело", "Nursing", "МІ",
         ("4S09130103", "Жалпы практикадағы мейіргер", "Медицинская сестра общей практики", "General practice nurse")),
    _tve("09130200", "Мейіргер ісі (орта білімнен кейінгі)", "Сестринское дело (послесреднее)",
         "Nursing (post-secondary)", "МІП",
         ("5S09130205", "Кеңейтілген практикадағы мейіргер", "Медицинская сестра расширенной практики",
          "Advanced practice nurse"), doc_type="POST_SECONDARY"),
    _tve("09160100", "Фармация", "Фармация", "Pharmacy", "ФМ", ("4S09160101", "Фармацевт", "Фармацевт", "Pharmacist")),
    _tve("07240100", "Пайдалы қазбалар кен орындарын ашық әдіспен игеру",
         "Открытая разработка месторождений полезных ископаемых", "Open-pit mining", "ГД",
         ("4S07240102", "Тау-кен технигі", "Горный техник", "Mining technician")),
    _tve("10410100", "Тасымалдауды ұйымдастыру және көлікте қозғалысты басқару",
         "Организация перевозок и управление движением на транспорте",
         "Transport operations and traffic management", "ОП",
         ("4S10410102", "Тасымалдауды ұйымдастыру технигі", "Техник по организации перевозок",
          "Transport operations technician")),
    _tve("01140100", "Бастауыш білім беру", "Начальное образование", "Primary education", "НО",
         ("4S01140101", "Бастауыш сынып мұғалімі", "Учитель начальных классов", "Primary school teacher")),
    _tve("01120100", "Мектепке дейінгі тәрбие және оқыту", "Дошкольное воспитание и обучение",
         "Pre-school education and training", "ДО",
         ("4S01120101", "Мектепке дейінгі ұйымдардың тәрбиешісі", "Воспитатель дошкольных организаций",
          "Pre-school teacher")),
)}
"""TVE specialties by code (seed 000: TVE and post-secondary diplomas)."""


def _he(code: str, kk: str, ru: str, en: str, abbr: str, doc_type: str) -> Programme:
    return Programme(code, kk, ru, en, abbr, doc_type)


HE_PROGRAMMES: Final[dict[str, Programme]] = {p.code: p for p in (
    _he("6B06101", "Ақпараттық жүйелер", "Информационные системы", "Information systems", "ИС", "BD"),
    _he("6B06102", "Есептеу техникасы және бағдарламалық қамтамасыз ету",
        "Вычислительная техника и программное обеспечение", "Computer engineering and software", "ВТ", "BD"),
    _he("7M06101", "Ақпараттық жүйелер", "Информационные системы", "Information systems", "МИС", "MD"),
    _he("8D06101", "Ақпараттық жүйелер", "Информационные системы", "Information systems", "ДИС", "PHD"),
    _he("6B04101", "Есеп және аудит", "Учет и аудит", "Accounting and audit", "УА", "BD"),
    _he("6B04102", "Менеджмент", "Менеджмент", "Management", "МН", "BD"),
    _he("7M04101", "Экономика", "Экономика", "Economics", "МЭК", "MD"),
    _he("7M04111", "Іскерлік әкімшілендіру (MBA)", "Деловое администрирование (MBA)",
        "Business administration (MBA)", "MBA", "MBA"),
    _he("6B07101", "Электр энергетикасы", "Электроэнергетика", "Electrical power engineering", "ЭЭ", "BD"),
    _he("6B07201", "Тамақ өнімдерінің технологиясы", "Технология продовольственных продуктов", "Food technology",
        "ТП", "BD"),
    _he("7M07101", "Электр энергетикасы", "Электроэнергетика", "Electrical power engineering", "МЭЭ", "MD"),
    _he("8D07101", "Электр энергетикасы", "Электроэнергетика", "Electrical power engineering", "ДЭЭ", "PHD"),
    _he("6B01101", "Педагогика және психология", "Педагогика и психология", "Pedagogy and psychology", "ПП", "BD"),
    _he("6B01501", "Математика мұғалімдерін даярлау", "Подготовка учителей математики",
        "Training of mathematics teachers", "МТ", "BD"),
    _he("7M01101", "Педагогика және психология", "Педагогика и психология", "Pedagogy and psychology", "МПП", "MD"),
    _he("8D01101", "Педагогика және психология", "Педагогика и психология", "Pedagogy and psychology", "ДПП", "PHD"),
)}
"""Higher-education programmes by code (seed 001 item 7: own-format documents)."""


@dataclass(frozen=True, slots=True)
class InstitutionSpec:
    kind: str
    region: str
    region_en: str
    name_kk: str
    name_ru: str
    name_en: str
    username: str
    registered: tuple[int, int]  # year and month of state registration: the BIN's first four digits
    weight: float
    programmes: tuple[tuple[str, float], ...]  # (code, share of the graduates)


INSTITUTIONS: Final[tuple[InstitutionSpec, ...]] = (
    InstitutionSpec("college", "Алматы", "Almaty", "Медеу цифрлық технологиялар колледжі",
                     "Колледж цифровых технологий «Медеу»", "Medeu College of Digital Technologies",
                     "medeu-college", (1998, 3), 1.2, (("06130100", 0.55), ("04110100", 0.25), ("07130100", 0.2))),
    InstitutionSpec("college", "Астана", "Astana", "Есіл политехникалық колледжі", "Политехнический колледж «Есиль»",
                     "Esil Polytechnic College", "esil-college", (2001, 9), 1.0,
                     (("07130100", 0.4), ("07161300", 0.35), ("06130100", 0.25))),
    InstitutionSpec("college", "Шымкент", "Shymkent", "Ордабасы жоғары медициналық колледжі",
                     "Высший медицинский колледж «Ордабасы»", "Ordabasy Higher Medical College", "ordabasy-college",
                     (1996, 11), 1.0, (("09130100", 0.5), ("09130200", 0.2), ("09160100", 0.3))),
    InstitutionSpec("college", "Қарағанды", "Karaganda", "Нұра тау-кен колледжі", "Горный колледж «Нура»",
                     "Nura Mining College", "nura-college", (1999, 5), 0.8,
                     (("07240100", 0.6), ("07130100", 0.4))),
    InstitutionSpec("college", "Ақтөбе", "Aktobe", "Елек көлік және байланыс колледжі",
                     "Колледж транспорта и связи «Елек»", "Elek College of Transport and Communications",
                     "elek-college", (2004, 2), 0.8, (("10410100", 0.6), ("07161300", 0.4))),
    InstitutionSpec("college", "Павлодар", "Pavlodar", "Баянауыл педагогикалық колледжі",
                     "Педагогический колледж «Баянаул»", "Bayanaul Pedagogical College", "bayanaul-college",
                     (1997, 8), 0.7, (("01140100", 0.6), ("01120100", 0.4))),
    InstitutionSpec("university", "Астана", "Astana", "Бәйтерек ақпараттық технологиялар университеті",
                     "Университет информационных технологий «Байтерек»",
                     "Baiterek University of Information Technologies", "baiterek-university", (2009, 6), 1.3,
                     (("6B06101", 0.45), ("6B06102", 0.3), ("6B04102", 0.1), ("7M06101", 0.12), ("8D06101", 0.03))),
    InstitutionSpec("university", "Алматы", "Almaty", "Алатау экономика және басқару университеті",
                     "Университет экономики и управления «Алатау»", "Alatau University of Economics and Management",
                     "alatau-university", (1995, 4), 1.1,
                     (("6B04101", 0.4), ("6B04102", 0.35), ("7M04101", 0.15), ("7M04111", 0.1))),
    InstitutionSpec("university", "Қарағанды", "Karaganda", "Сарыарқа инженерлік университеті",
                     "Инженерный университет «Сарыарка»", "Saryarka Engineering University", "saryarka-university",
                     (1996, 2), 0.9,
                     (("6B07101", 0.45), ("6B07201", 0.25), ("6B06102", 0.15), ("7M07101", 0.12), ("8D07101", 0.03))),
    InstitutionSpec("university", "Өскемен", "Oskemen", "Ертіс педагогикалық университеті",
                     "Педагогический университет «Ертис»", "Ertis Pedagogical University", "ertis-university",
                     (1997, 10), 0.8,
                     (("6B01101", 0.45), ("6B01501", 0.35), ("7M01101", 0.16), ("8D01101", 0.04))),
)
"""The ten institutions of the sample data, in order: colleges first."""


# ------------------------------------------------------------------------------------------ names
KZ_SURNAMES: Final = (
    "Жұмабаев", "Нұрланов", "Төлеубаев", "Әбдірахманов", "Ысқақов", "Оспанов", "Қасымов", "Бекмұхамбетов",
    "Сәрсенбаев", "Мұқанов", "Ғабитов", "Әлиев", "Шәріпов", "Үсенов", "Өтепов", "Ілиясов", "Тоқтаров", "Мұратов",
    "Серікбаев", "Байжанов", "Құрманғалиев", "Жақсылықов", "Ерғалиев", "Есенов", "Ахметов", "Омаров", "Ибраев",
    "Қалиев", "Дүйсенов", "Рахымов", "Бектұров", "Нұрпейісов", "Сұлтанов", "Тұрсынов", "Жантөрин", "Сағынтаев",
    "Әбішев", "Мәуленов", "Қожахметов", "Бөкейханов", "Шаһмұратов", "Ниязбеков", "Мұсабаев", "Кенжебаев",
)
KZ_INDECLINABLE: Final = ("Сейітқали", "Нұрмағамбет", "Қуанышбек", "Төлеген", "Жақсыбек", "Әбілқасым")
KZ_MALE: Final = (
    "Нұрсұлтан", "Ерғали", "Асқар", "Дәулет", "Ғалымжан", "Ілияс", "Әділ", "Арман", "Бауыржан", "Ержан", "Мұхтар",
    "Санжар", "Темірлан", "Нұрлан", "Серік", "Қайрат", "Марат", "Өмірзақ", "Жанболат", "Алихан", "Рүстем", "Айбек",
    "Шыңғыс", "Ғабит", "Мағжан", "Бекзат", "Дамир", "Ерасыл", "Нұрдәулет", "Баһадүр", "Жаһангер", "Ақжол",
    "Біржан", "Мейіржан", "Әлібек", "Ұлан",
)
KZ_FEMALE: Final = (
    "Әлия", "Гүлнұр", "Айгүл", "Гүлжаһан", "Дана", "Аружан", "Айым", "Жанар", "Мөлдір", "Ақбота", "Әйгерім",
    "Назерке", "Дариға", "Ұлжан", "Інжу", "Балжан", "Сәуле", "Томирис", "Аяулым", "Нұрай", "Гүлназ", "Меруерт",
    "Қарлығаш", "Шұғыла", "Әсем", "Жұлдыз", "Үміт", "Шаһизада", "Айжан", "Толғанай",
)
KZ_FATHERS: Final = (
    "Нұрлан", "Серік", "Асқар", "Марат", "Қайрат", "Ержан", "Бақытжан", "Ораз", "Тоқтар", "Мұрат", "Ғалым",
    "Жомарт", "Есен", "Болат", "Дәурен", "Қанат", "Тілек", "Бейбіт", "Сәкен", "Үсен", "Айдар", "Жасұлан", "Нұрбол",
)
# Kazakh fathers' names as written in Russian patronymics (Маратович, Нурлановна).
KZ_FATHERS_RU: Final = ("Марат", "Нурлан", "Серик", "Аскар", "Ерлан", "Болат", "Кайрат", "Ермек", "Талгат", "Канат",
                         "Даурен", "Бахыт")
RU_SURNAMES: Final = (
    "Иванов", "Петров", "Смирнов", "Ковалёв", "Кузнецов", "Попов", "Соколов", "Лебедев", "Новиков", "Морозов",
    "Волков", "Павлов", "Семёнов", "Фёдоров", "Богданов", "Зайцев", "Белов", "Тарасов", "Орлов", "Никитин", "Захаров",
    "Романов", "Гусев", "Колесников", "Жуковский", "Вишневский",
)
OTHER_SURNAMES: Final = ("Ким", "Ли", "Пак", "Цой", "Тен", "Хан", "Шевченко", "Бондаренко", "Коваленко", "Ткаченко",
                          "Шмидт", "Вебер", "Хабибуллин", "Сафин", "Галиев")
RU_MALE: Final = ("Дмитрий", "Алексей", "Сергей", "Андрей", "Игорь", "Виктор", "Максим", "Артём", "Денис", "Евгений",
                   "Владимир", "Никита", "Илья", "Роман", "Кирилл", "Павел", "Александр", "Михаил", "Тимур", "Руслан")
RU_FEMALE: Final = ("Анна", "Виктория", "Екатерина", "Мария", "Ольга", "Ирина", "Наталья", "Юлия", "Алина", "Дарья",
                     "Елена", "Ксения", "Полина", "Софья", "Анастасия", "Валерия", "Татьяна", "Алёна")
RU_PATRONYMICS: Final = (
    ("Сергеевич", "Сергеевна"), ("Андреевич", "Андреевна"), ("Игоревич", "Игоревна"), ("Викторович", "Викторовна"),
    ("Владимирович", "Владимировна"), ("Александрович", "Александровна"), ("Николаевич", "Николаевна"),
    ("Юрьевич", "Юрьевна"), ("Михайлович", "Михайловна"), ("Петрович", "Петровна"), ("Дмитриевич", "Дмитриевна"),
    ("Олегович", "Олеговна"), ("Евгеньевич", "Евгеньевна"), ("Алексеевич", "Алексеевна"),
    ("Васильевич", "Васильевна"), ("Геннадьевич", "Геннадьевна"),
)

# (first birth date, last birth date) by document type: the usual ages at the award in June 2026.
BIRTH_RANGES: Final = {
    "TVE": (dt.date(2004, 1, 1), dt.date(2007, 6, 30)),
    "POST_SECONDARY": (dt.date(2002, 1, 1), dt.date(2005, 12, 31)),
    "BD": (dt.date(2001, 9, 1), dt.date(2004, 12, 31)),
    "MD": (dt.date(1994, 1, 1), dt.date(2002, 6, 30)),
    "MBA": (dt.date(1980, 1, 1), dt.date(1997, 12, 31)),
    "PHD": (dt.date(1985, 1, 1), dt.date(1999, 12, 31)),
}
# Years of study: the admission year in a group's name is the award year minus this.
STUDY_YEARS: Final = {"TVE": 3, "POST_SECONDARY": 1, "BD": 4, "MD": 2, "MBA": 2, "PHD": 3}
HONOURS_SHARE: Final = {"TVE": 0.08, "POST_SECONDARY": 0.08, "BD": 0.1, "MD": 0.15, "MBA": 0.0, "PHD": 0.0}


def programme_of(code: str) -> Programme:
    """The TVE specialty or higher-education programme with this code.

    Raises:
        KeyError: not in `TVE_SPECIALTIES` or `HE_PROGRAMMES`.
    """
    return TVE_SPECIALTIES[code] if code in TVE_SPECIALTIES else HE_PROGRAMMES[code]


def classifier_name(code: str, language: str) -> str | None:
    """The name of a programme (TVE specialty or higher-education programme) or a TVE qualification code in
    "kk", "ru" or "en", as the diploma insert prints it beside the code; None for a code the reference data lacks.

    Raises:
        KeyError: another language.
    """
    named: Programme | Qualification | None = TVE_SPECIALTIES.get(code) or HE_PROGRAMMES.get(code)
    if named is None:
        try:
            named = qualification_of(code)
        except KeyError:
            return None
    return {"kk": named.kk, "ru": named.ru, "en": named.en}[language]


def qualification_of(code: str) -> Qualification:
    """The TVE qualification with this code.

    Raises:
        KeyError: no specialty of `TVE_SPECIALTIES` awards it.
    """
    for specialty in TVE_SPECIALTIES.values():
        for qualification in specialty.qualifications:
            if qualification.code == code:
                return qualification
    raise KeyError(code)

"""The words of the public pages in Kazakh, Russian and English, and the choice of language.

A page speaks Kazakh, Russian or English (DOMAIN.md, People and identifiers). The catalogue is a plain dict,
message id -> {"kk", "ru", "en"}, with `str.format` placeholders; no build step. Every message has all three
languages and the same placeholders in each (checked by `check_catalogue`, which the tests run).

The language of a request (`negotiate`), first that applies:

1. `?lang=kk|ru|en` in the query (the language switch); the page then sets the cookie `lang`;
2. the cookie `lang` (the switch stays: one year, SameSite=Lax, HttpOnly: a preference, not a secret);
3. the best of kk, ru, en by the Accept-Language header (RFC 9110 §12.5.4: q values; `ru-KZ` counts as `ru`;
   the non-standard `kz` as `kk`);
4. English: a browser that reads none of the three (a foreign employer) is most likely to read English.

Names that are reference data come from their owners: document type names from `verify.doctypes`, institution
names from the registry (`Institution.name_kk/ru/en`), the duplicate's stamp from
`verify.registry.models.STAMP_TEXTS` (seed 000, item 25). Times are shown in Kazakhstan's time, UTC+5 (the whole
country since 1 March 2024), dates as printed on the documents (kk "2026 ж. 30 маусым", ru "30 июня 2026 г.").
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from verify.doctypes import get_document_type

LANGUAGES: Final = ("kk", "ru", "en")
"""The languages of the pages, in the order of the switch (the state language first)."""
FALLBACK: Final = "en"
LANGUAGE_NAMES: Final = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
"""Each language's name in itself (the switch)."""
COOKIE: Final = "lang"
COOKIE_MAX_AGE_S: Final = 365 * 24 * 3600
_ALIASES: Final = {"kz": "kk"}
KAZAKHSTAN_TIME: Final = dt.timezone(dt.timedelta(hours=5), "UTC+5")
"""Kazakhstan's single time zone since 1 March 2024."""

_MONTHS: Final = {
    "kk": ("қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек", "қазан",
           "қараша", "желтоқсан"),
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
           "ноября", "декабря"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}

CATALOGUE: Final[dict[str, dict[str, str]]] = {
    # ------------------------------------------------------------------ every page
    "site_name": {"kk": "Білім туралы құжаттарды тексеру", "ru": "Проверка документов об образовании",
                  "en": "Education document verification"},
    "skip_to_content": {"kk": "Негізгі мазмұнға өту", "ru": "Перейти к содержанию", "en": "Skip to the content"},
    "language": {"kk": "Тіл", "ru": "Язык", "en": "Language"},
    "no_iin": {"kk": "Бұл қызмет иесінің ЖСН-ін ешқашан көрсетпейді.",
               "ru": "Эта служба никогда не показывает ИИН владельца.",
               "en": "This service never shows the holder's IIN."},
    # ------------------------------------------------------------------ home
    "home_title": {"kk": "Білім туралы құжатты тексеру", "ru": "Проверка документа об образовании",
                   "en": "Check an education document"},
    "home_lead": {"kk": "Қазақстанда берілген диплом немесе оның телнұсқасы шынайы ма және күшінде ме — "
                        "құжаттағы QR-код арқылы тексеріңіз.",
                  "ru": "Проверьте по QR-коду, подлинный ли диплом, выданный в Казахстане, или его дубликат "
                        "и действует ли он.",
                  "en": "Check by its QR code whether a diploma issued in Kazakhstan, or its duplicate, is "
                        "authentic and in force."},
    "home_phone": {"kk": "Телефон камерасын құжаттағы QR-кодқа бағыттаңыз: сілтеме тексеруді өзі ашады.",
                   "ru": "Наведите камеру телефона на QR-код документа: ссылка сама откроет проверку.",
                   "en": "Point your phone's camera at the QR code on the document: the link opens the check."},
    "home_scan": {"kk": "QR-кодты сканерлеу немесе фотосуретін жүктеу",
                  "ru": "Сканировать QR-код или загрузить его фото",
                  "en": "Scan the QR code or upload a photo of it"},
    "home_lookup": {"kk": "QR-код оқылмай ма? Құжатты сериясы, нөмірі және иесінің тегі бойынша табыңыз.",
                    "ru": "QR-код не читается? Найдите документ по серии, номеру и фамилии владельца.",
                    "en": "The QR code cannot be read? Find the document by its series, number and the "
                          "holder's surname."},
    # ------------------------------------------------------------------ scan page
    "scan_title": {"kk": "QR-кодты тексеру", "ru": "Проверка QR-кода", "en": "Check a QR code"},
    "camera_title": {"kk": "Камерамен сканерлеу", "ru": "Сканировать камерой", "en": "Scan with the camera"},
    "camera_start": {"kk": "Камераны қосу", "ru": "Включить камеру", "en": "Start the camera"},
    "camera_stop": {"kk": "Камераны өшіру", "ru": "Выключить камеру", "en": "Stop the camera"},
    "camera_video": {"kk": "Камерадан түсірілім", "ru": "Изображение с камеры", "en": "Camera view"},
    "camera_hint": {"kk": "QR-код жақтауға толық сыйып тұрсын, телефонды қозғалтпаңыз.",
                    "ru": "Держите телефон неподвижно, чтобы QR-код целиком был в кадре.",
                    "en": "Hold the phone still with the whole QR code inside the frame."},
    "camera_noscript": {"kk": "Камерамен сканерлеу үшін JavaScript қажет. Фотосуретті төменде жүктеңіз.",
                        "ru": "Для сканирования камерой нужен JavaScript. Загрузите фото ниже.",
                        "en": "Scanning with the camera needs JavaScript. Upload a photo below."},
    "camera_unavailable": {"kk": "Камера қолжетімсіз. Фотосуретті жүктеңіз немесе құжатты нөмірі бойынша табыңыз.",
                           "ru": "Камера недоступна. Загрузите фото или найдите документ по номеру.",
                           "en": "The camera is not available. Upload a photo or find the document by its "
                                 "number."},
    "camera_searching": {"kk": "QR-код ізделуде…", "ru": "Ищем QR-код…", "en": "Looking for a QR code…"},
    "camera_found": {"kk": "QR-код табылды, тексерілуде…", "ru": "QR-код найден, проверяем…",
                     "en": "QR code found, checking…"},
    "camera_foreign": {"kk": "Бұл код осы тексеру қызметінің сілтемесі емес.",
                       "ru": "Этот код — не ссылка этой службы проверки.",
                       "en": "This code is not a link of this verification service."},
    "camera_wait": {"kk": "Сұраулар тым көп: {seconds} секундтан кейін жалғасады.",
                    "ru": "Слишком много запросов: продолжим через {seconds} с.",
                    "en": "Too many requests: continuing in {seconds} s."},
    "upload_title": {"kk": "Фотосурет жүктеу", "ru": "Загрузить фото", "en": "Upload a photo"},
    "upload_label": {"kk": "Құжаттағы QR-кодтың фотосуреті (JPEG, PNG немесе WebP, {max_mb} МБ-қа дейін)",
                     "ru": "Фото QR-кода документа (JPEG, PNG или WebP, до {max_mb} МБ)",
                     "en": "A photo of the QR code on the document (JPEG, PNG or WebP, up to {max_mb} MB)"},
    "upload_submit": {"kk": "Фотосуретті тексеру", "ru": "Проверить фото", "en": "Check the photo"},
    "lookup_title": {"kk": "Сериясы, нөмірі және тегі бойынша табу", "ru": "Найти по серии, номеру и фамилии",
                     "en": "Find by series, number and surname"},
    "lookup_lead": {"kk": "Құжатта басылғандай енгізіңіз.", "ru": "Введите так, как напечатано в документе.",
                    "en": "Type them as printed on the document."},
    "lookup_series": {"kk": "Сериясы", "ru": "Серия", "en": "Series"},
    "lookup_number": {"kk": "Нөмірі (7 цифр)", "ru": "Номер (7 цифр)", "en": "Number (7 digits)"},
    "lookup_surname": {"kk": "Иесінің тегі", "ru": "Фамилия владельца", "en": "Holder's surname"},
    "lookup_submit": {"kk": "Табу", "ru": "Найти", "en": "Find"},
    "lookup_not_found": {"kk": "Бұл сериямен, нөмірмен және тегімен құжат тізілімде табылмады. Құжатта "
                               "басылғандай енгізілгенін тексеріңіз.",
                         "ru": "Документ с такими серией, номером и фамилией в реестре не найден. Проверьте, что "
                               "данные введены так, как напечатаны.",
                         "en": "No document with this series, number and surname is in the registry. Check that "
                               "you typed them as printed."},
    "lookup_invalid": {"kk": "Сериясын, 7 цифрлық нөмірін және тегін толтырыңыз.",
                       "ru": "Заполните серию, номер из 7 цифр и фамилию.",
                       "en": "Fill in the series, the seven-digit number and the surname."},
    "error_title": {"kk": "Тексеру мүмкін болмады", "ru": "Проверить не удалось", "en": "The check could not run"},
    "scan_no-qr-code": {"kk": "Фотосуреттен QR-код табылмады. Кодты жақыннан, анық әрі толық түсіріңіз.",
                        "ru": "На фото не найден QR-код. Снимите код ближе, резко и целиком.",
                        "en": "No QR code was found in the photo. Take it closer, in focus, with the whole code "
                              "in the picture."},
    "scan_unreadable-image": {"kk": "Суретті оқу мүмкін болмады. Басқа фотосурет жүктеңіз.",
                              "ru": "Не удалось прочитать изображение. Загрузите другое фото.",
                              "en": "The picture could not be read. Upload another photo."},
    "scan_unsupported-media-type": {"kk": "Бұл сурет пішімі қолданылмайды: JPEG, PNG немесе WebP жүктеңіз.",
                                    "ru": "Этот формат не поддерживается: загрузите JPEG, PNG или WebP.",
                                    "en": "This picture format is not supported: upload a JPEG, PNG or WebP."},
    "scan_content-too-large": {"kk": "Сурет тым үлкен ({max_mb} МБ және 40 мегапиксельге дейін болуы керек).",
                               "ru": "Изображение слишком большое (нужно до {max_mb} МБ и 40 мегапикселей).",
                               "en": "The picture is too large (at most {max_mb} MB and 40 megapixels)."},
    "scan_busy": {"kk": "Сервер қазір бос емес. Бір сәттен кейін қайталаңыз.",
                  "ru": "Сервер сейчас занят. Повторите через минуту.",
                  "en": "The server is busy. Try again in a moment."},
    "scan_invalid-request": {"kk": "Фотосуретті таңдаңыз.", "ru": "Выберите фото.", "en": "Choose a photo."},
    "scan_results": {"kk": "Фотосуреттегі QR-кодтар: {count}", "ru": "QR-кодов на фото: {count}",
                     "en": "QR codes in the photo: {count}"},
    # ------------------------------------------------------------------ verdicts
    "valid_original_h": {"kk": "Құжат жарамды", "ru": "Документ действителен", "en": "Valid document"},
    "valid_original_s": {"kk": "Шынайы түпнұсқа: электрондық қолтаңба дұрыс, тізілім бойынша құжат күшінде.",
                         "ru": "Подлинный оригинал: электронная подпись верна, по реестру документ действует.",
                         "en": "Authentic original: the signature is correct and the registry holds it in force."},
    "valid_duplicate_h": {"kk": "Құжат жарамды: № {n} телнұсқа", "ru": "Документ действителен: дубликат № {n}",
                          "en": "Valid document: duplicate No. {n}"},
    "valid_duplicate_s": {"kk": "{series} {number} түпнұсқасының орнына {date} берілген № {n} телнұсқа; күшінде. "
                                "Түпнұсқаның күші жоқ.",
                          "ru": "Дубликат № {n}, выданный {date} взамен оригинала {series} {number}; действует. "
                                "Оригинал недействителен.",
                          "en": "Duplicate No. {n}, issued on {date} instead of the original {series} {number}; "
                                "in force. The original is void."},
    "not_checked_h": {"kk": "Шынайы; мәртебесі тексерілмеді", "ru": "Подлинный; статус не проверен",
                      "en": "Authentic; status not checked"},
    "not_checked_s": {"kk": "Электрондық қолтаңба дұрыс, бірақ тізілім сұралмады: құжаттың күшінде екені белгісіз.",
                      "ru": "Электронная подпись верна, но реестр не запрашивался: действует ли документ, "
                            "неизвестно.",
                      "en": "The signature is correct, but the registry was not asked: whether the document is "
                            "in force is unknown."},
    "replaced_h": {"kk": "Жарамсыз: орнына телнұсқа берілген", "ru": "Недействителен: взамен выдан дубликат",
                   "en": "Void: a duplicate replaced this document"},
    "replaced_s": {"kk": "Құжат шынайы, бірақ жарамсыз: оның орнына {date} № {n} телнұсқа ({series} {number}) "
                         "берілді. Себебі: {reason}.",
                   "ru": "Документ подлинный, но недействителен: {date} взамен него выдан дубликат № {n} "
                         "({series} {number}). Причина: {reason}.",
                   "en": "The document is authentic but void: duplicate No. {n} ({series} {number}) was issued "
                         "instead of it on {date}. Reason: {reason}."},
    "corrected_h": {"kk": "Шынайы, бірақ деректері тізілімде түзетілген",
                    "ru": "Подлинный, но данные в реестре исправлены",
                    "en": "Authentic, but the registry has corrected it since"},
    "corrected_s": {"kk": "Бұл QR-код түзетуге дейін басылған. {date} түзетілді: {fields}. Себебі: {reason}.",
                    "ru": "Этот QR-код напечатан до исправления. Исправлено {date}: {fields}. Причина: {reason}.",
                    "en": "This QR code was printed before a correction. Corrected on {date}: {fields}. "
                          "Reason: {reason}."},
    "annulled_h": {"kk": "Күші жойылған", "ru": "Аннулирован", "en": "Annulled"},
    "annulled_s": {"kk": "Құжат шынайы, бірақ {date} күші жойылды. Негіздеме: {basis}.",
                   "ru": "Документ подлинный, но аннулирован {date}; основание: {basis}.",
                   "en": "The document is authentic but was annulled on {date}. Basis: {basis}."},
    "not_in_registry_h": {"kk": "Тізілімде жоқ: бұл құжат туралы хабарлаңыз",
                          "ru": "Нет в реестре: сообщите об этом документе",
                          "en": "Not in the registry: please report this document"},
    "not_in_registry_s": {"kk": "Электрондық қолтаңба шынайы, бірақ тізілімде мұндай жазба жоқ. Құжатты "
                                "қабылдамаңыз және ол туралы министрлікке хабарлаңыз.",
                          "ru": "Электронная подпись подлинная, но в реестре нет такой записи. Не принимайте "
                                "документ и сообщите о нём в министерство.",
                          "en": "The signature is genuine, but the registry does not hold this record. Do not "
                                "accept the document; report it to the Ministry."},
    "invalid_h": {"kk": "Құжат расталмады", "ru": "Документ не подтверждён", "en": "Not a valid document"},
    "invalid_s": {"kk": "Шынайы емес: {reason}", "ru": "Не подлинный: {reason}", "en": "Not authentic: {reason}"},
    "unknown": {"kk": "белгісіз", "ru": "неизвестно", "en": "unknown"},
    "not_given": {"kk": "көрсетілмеген", "ru": "не указано", "en": "not given"},
    # the failed step, in plain words (docs/FORMAT.md §7.1)
    "fail_0": {"kk": "тексеру сәтсіз аяқталды.", "ru": "проверка не пройдена.", "en": "the check failed."},
    "fail_1": {"kk": "код осы тексеру қызметінің сілтемесі емес.",
               "ru": "код не является ссылкой этой службы проверки.",
               "en": "the code is not a link of this verification service."},
    "fail_2": {"kk": "код бүлінген немесе толық емес: оның цифрлары қол қойылған жазба емес.",
               "ru": "код повреждён или неполон: его цифры не образуют подписанную запись.",
               "en": "the code is damaged or incomplete: its digits are not a signed record."},
    "fail_3": {"kk": "кодта осы қызметтің қол қойылған жазбасы жоқ.",
               "ru": "в коде нет подписанной записи этой службы.",
               "en": "the code does not hold a signed record of this service."},
    "fail_4": {"kk": "код осы қызметке белгісіз кілтпен қол қойылған.",
               "ru": "код подписан ключом, неизвестным этой службе.",
               "en": "the code was signed with a key this service does not know."},
    "fail_5": {"kk": "қолтаңба сәйкес келмейді: код өзгертілген немесе жасанды.",
               "ru": "подпись не совпадает: код изменён или подделан.",
               "en": "the signature does not match: the code was altered or forged."},
    "fail_6": {"kk": "қол қою кілтін министрлік куәландырмаған.",
               "ru": "ключ подписи не заверен министерством.",
               "en": "the signing key is not certified by the Ministry."},
    "fail_7": {"kk": "қол қойылған деректер дұрыс құжат жазбасы емес.",
               "ru": "подписанные данные не являются правильной записью документа.",
               "en": "the signed data is not a valid document record."},
    "fail_8": {"kk": "код кілтті қолдануға болатын мерзімнен тыс қол қойылған.",
               "ru": "код подписан вне срока, когда ключ можно было использовать.",
               "en": "the code was signed outside the period in which its key could be used."},
    "fail_9": {"kk": "қол қою кілті осы кодқа қол қойылғанға дейін қауіпті деп кері қайтарылған.",
               "ru": "ключ подписи отозван как скомпрометированный ещё до подписания этого кода.",
               "en": "the signing key was withdrawn as compromised before this code was signed."},
    "fail_10": {"kk": "бұл кілтке осы серияның немесе ұйымның құжаттарына қол қоюға рұқсат жоқ.",
                "ru": "этому ключу не разрешено подписывать документы этой серии или организации.",
                "en": "the key was not allowed to sign documents of this series or institution."},
    # duplicate reasons (seed 000 item 21; seed 003 item 9)
    "reason_lost": {"kk": "жоғалуы", "ru": "утеря", "en": "lost"},
    "reason_damaged": {"kk": "бүлінуі", "ru": "порча", "en": "damaged"},
    "reason_name_changed": {"kk": "тегінің, атының немесе әкесінің атының өзгеруі",
                            "ru": "смена фамилии, имени или отчества",
                            "en": "change of surname, name or patronymic"},
    "reason_filling_error": {"kk": "толтыру кезіндегі қате", "ru": "ошибка при заполнении",
                             "en": "an error made when filling it in"},
    # correctable fields (verify.registry.documents.CORRECTABLE_FIELDS)
    "changed_surname": {"kk": "тегі", "ru": "фамилия", "en": "surname"},
    "changed_name": {"kk": "аты", "ru": "имя", "en": "name"},
    "changed_patronymic": {"kk": "әкесінің аты", "ru": "отчество", "en": "patronymic"},
    "changed_award_date": {"kk": "берілген күні", "ru": "дата присуждения", "en": "award date"},
    "changed_programme": {"kk": "білім беру бағдарламасы", "ru": "образовательная программа", "en": "programme"},
    "changed_qualification": {"kk": "біліктілік", "ru": "квалификация", "en": "qualification"},
    "changed_honours": {"kk": "үздік", "ru": "с отличием", "en": "honours"},
    "changes_caption": {"kk": "Не өзгерді", "ru": "Что изменилось", "en": "What changed"},
    "changes_field": {"kk": "Дерек", "ru": "Поле", "en": "Field"},
    "changes_printed": {"kk": "Осы кодта", "ru": "В этом коде", "en": "On this code"},
    "changes_now": {"kk": "Қазір тізілімде", "ru": "Сейчас в реестре", "en": "Now in the registry"},
    # ------------------------------------------------------------------ fields as printed
    "compare_title": {"kk": "Қағаздағымен салыстырыңыз", "ru": "Сверьте с бумажным документом",
                      "en": "Compare with the paper"},
    "compare_lead": {"kk": "Төменде — құжатта басылған деректер. Оларды қағаздағымен және иесінің жеке басын "
                           "куәландыратын құжатымен салыстырыңыз.",
                     "ru": "Ниже — данные, как они напечатаны в документе. Сверьте их с бумажным документом и с "
                           "удостоверением личности владельца.",
                     "en": "Below is the data as printed on the document. Compare it with the paper and with the "
                           "holder's identity document."},
    "field_holder": {"kk": "Тегі, аты, әкесінің аты", "ru": "Фамилия, имя, отчество", "en": "Full name"},
    "field_doc_type": {"kk": "Құжат", "ru": "Документ", "en": "Document"},
    "field_series_number": {"kk": "Сериясы және нөмірі", "ru": "Серия и номер", "en": "Series and number"},
    "field_duplicate": {"kk": "Телнұсқа", "ru": "Дубликат", "en": "Duplicate"},
    "duplicate_value": {"kk": "№ {n}, {series} {number} орнына", "ru": "№ {n}, взамен {series} {number}",
                        "en": "No. {n}, instead of {series} {number}"},
    "field_institution": {"kk": "Білім беру ұйымы", "ru": "Организация образования", "en": "Institution"},
    "bin_value": {"kk": "БСН {bin}", "ru": "БИН {bin}", "en": "BIN {bin}"},
    "field_programme": {"kk": "Білім беру бағдарламасы (мамандық)", "ru": "Образовательная программа (специальность)",
                        "en": "Programme (specialty)"},
    "field_qualification": {"kk": "Біліктілік", "ru": "Квалификация", "en": "Qualification"},
    "field_award_date": {"kk": "Берілген күні", "ru": "Дата присуждения", "en": "Awarded on"},
    "field_honours": {"kk": "Үздік", "ru": "С отличием", "en": "With honours"},
    "yes": {"kk": "иә", "ru": "да", "en": "yes"},
    "no": {"kk": "жоқ", "ru": "нет", "en": "no"},
    # ------------------------------------------------------------------ what to look at on the paper
    "look_title": {"kk": "Қағаздан не қарау керек", "ru": "На что смотреть в документе",
                   "en": "What to look at on the paper"},
    "look_general": {"kk": "Тегі, аты, әкесінің аты, сериясы мен нөмірі, ұйым мен күні осы беттегімен дәл "
                           "сәйкес келуі тиіс.",
                     "ru": "ФИО, серия и номер, организация и дата должны в точности совпадать с этой страницей.",
                     "en": "The full name, series and number, institution and date must match this page exactly."},
    "look_duplicate": {"kk": "Жоғарғы оң жақ бұрышында телнұсқа мөртаңбасы болуы тиіс: {stamps}.",
                       "ru": "В правом верхнем углу должен стоять штамп дубликата: {stamps}.",
                       "en": "The upper right corner must carry the duplicate's stamp: {stamps}."},
    "stamp_in_kk": {"kk": "қазақша", "ru": "по-казахски", "en": "in Kazakh"},
    "stamp_in_ru": {"kk": "орысша", "ru": "по-русски", "en": "in Russian"},
    "look_replaced": {"kk": "Бұл қағаз жарамсыз. Иесінен № {n} телнұсқаны ({series} {number}) сұраңыз.",
                      "ru": "Этот бумажный документ недействителен. Попросите у владельца дубликат № {n} "
                            "({series} {number}).",
                      "en": "This paper is void. Ask the holder for duplicate No. {n} ({series} {number})."},
    "look_corrected": {"kk": "Бұл қағаздағы кейбір деректер ескірген болуы мүмкін: тізілімдегі түзетілген "
                             "деректер жоғарыда.",
                       "ru": "Часть данных на этом документе может быть устаревшей: исправленные данные реестра — "
                             "выше.",
                       "en": "Some data on this paper may be out of date: the corrected data of the registry is "
                             "shown above."},
    "look_annulled": {"kk": "Бұл құжатты қабылдамаңыз: оның күші жойылған.",
                      "ru": "Не принимайте этот документ: он аннулирован.",
                      "en": "Do not accept this document: it has been annulled."},
    "look_invalid": {"kk": "Бұл құжатты расталған деп қабылдамаңыз. Оны берген білім беру ұйымына немесе "
                           "министрлікке хабарласыңыз.",
                     "ru": "Не принимайте документ как подтверждённый. Обратитесь в выдавшую его организацию "
                           "образования или в министерство.",
                     "en": "Do not accept the document as verified. Contact the institution that issued it or "
                           "the Ministry."},
    # ------------------------------------------------------------------ the check
    "check_title": {"kk": "Тексеру туралы", "ru": "О проверке", "en": "About the check"},
    "signer": {"kk": "Қол қойған кілт", "ru": "Ключ подписи", "en": "Signing key"},
    "signed_at": {"kk": "Қол қойылған уақыты", "ru": "Время подписи", "en": "Signed at"},
    "checked_at": {"kk": "Тексерілген уақыты", "ru": "Время проверки", "en": "Checked at"},
    "revision": {"kk": "Редакциясы", "ru": "Редакция", "en": "Revision"},
    "trust_list_version": {"kk": "Сенім тізімінің нұсқасы", "ru": "Версия списка доверия",
                           "en": "Trust list version"},
    "technical_details": {"kk": "Техникалық мәліметтер", "ru": "Технические подробности",
                          "en": "Technical details"},
    "outcome_passed": {"kk": "өтті", "ru": "пройдена", "en": "passed"},
    "outcome_failed": {"kk": "өтпеді", "ru": "не пройдена", "en": "failed"},
    "outcome_skipped": {"kk": "орындалмады", "ru": "не выполнялась", "en": "skipped"},
    "step_1": {"kk": "Сілтеме", "ru": "Ссылка", "en": "Link"},
    "step_2": {"kk": "Код цифрлары", "ru": "Цифры кода", "en": "Code digits"},
    "step_3": {"kk": "Қол қойылған хабар", "ru": "Подписанное сообщение", "en": "Signed message"},
    "step_4": {"kk": "Қол қою кілті", "ru": "Ключ подписи", "en": "Signing key"},
    "step_5": {"kk": "Қолтаңба", "ru": "Подпись", "en": "Signature"},
    "step_6": {"kk": "Кілт сертификаты", "ru": "Сертификат ключа", "en": "Key certificate"},
    "step_7": {"kk": "Құжат деректері", "ru": "Данные документа", "en": "Document data"},
    "step_8": {"kk": "Кілттің қолданылу мерзімі", "ru": "Срок использования ключа", "en": "Key usage period"},
    "step_9": {"kk": "Кілттің кері қайтарылуы", "ru": "Отзыв ключа", "en": "Key revocation"},
    "step_10": {"kk": "Кілттің өкілеттігі", "ru": "Полномочия ключа", "en": "Key scope"},
    "step_11": {"kk": "Тізілім", "ru": "Реестр", "en": "Registry"},
    "warning_expired": {"kk": "Сенім тізімінің мерзімі өтіп кеткен: жаңасы керек.",
                        "ru": "Срок действия списка доверия истёк: нужен новый.",
                        "en": "The trust list is past its expiry date: a newer one is needed."},
    "warning_environment": {"kk": "Бұл «{environment}» ортасының сенім тізімі: нақты құжаттар үшін жарамсыз.",
                            "ru": "Это список доверия среды «{environment}»: не действителен для настоящих "
                                  "документов.",
                            "en": "This is a {environment} trust list: not valid for real documents."},
    "print": {"kk": "Басып шығару", "ru": "Печать", "en": "Print"},
    "receipt_title": {"kk": "Тексеру түбіртегі", "ru": "Квитанция о проверке", "en": "Verification receipt"},
    "check_another": {"kk": "Басқа құжатты тексеру", "ru": "Проверить другой документ",
                      "en": "Check another document"},
    "verdict_of": {"kk": "{index}-код", "ru": "Код {index}", "en": "Code {index}"},
}
"""Message id -> {"kk", "ru", "en"} (see the module docstring)."""


def _placeholders(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def check_catalogue(catalogue: Mapping[str, Mapping[str, str]] = CATALOGUE) -> list[str]:
    """Problems of a catalogue: a missing or empty language, placeholders that differ between languages.

    Returns:
        One line per problem; empty when the catalogue is complete.
    """
    problems = []
    for key, texts in catalogue.items():
        missing = [lang for lang in LANGUAGES if not texts.get(lang, "").strip()]
        if missing or set(texts) != set(LANGUAGES):
            problems.append(f"{key}: languages {sorted(texts)}, missing {missing}")
            continue
        names = {lang: _placeholders(texts[lang]) for lang in LANGUAGES}
        if len(set(names.values())) != 1:
            problems.append(f"{key}: placeholders differ: { {k: sorted(v) for k, v in names.items()} }")
    return problems


def _known(tag: str) -> str | None:
    primary = tag.strip().lower().replace("_", "-").split("-", 1)[0]
    primary = _ALIASES.get(primary, primary)
    return primary if primary in LANGUAGES else None


def parse_accept_language(header: str | None) -> str | None:
    """The best of `LANGUAGES` by an Accept-Language header (RFC 9110 §12.5.4), or None.

    Language ranges are matched by their primary subtag (`ru-KZ` is `ru`); among equal q values the earlier
    range wins; `q=0` excludes. A `*` range does not pick a language.

    Example:
        >>> parse_accept_language("de-DE,de;q=0.9,ru;q=0.8,en;q=0.7")
        'ru'
    """
    if not header:
        return None
    best: tuple[float, int, str] | None = None
    for position, item in enumerate(header.split(",")[:32]):
        tag, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        lang = _known(tag)
        if lang is None or not 0.0 < q <= 1.0:
            continue
        if best is None or (q, -position) > (best[0], -best[1]):
            best = (q, position, lang)
    return None if best is None else best[2]


def language_from(value: str | None) -> str | None:
    """A switch value (`?lang=`, the cookie) as one of `LANGUAGES`, or None."""
    if not value or len(value) > 16:
        return None
    return _known(value)


def negotiate(*, query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The language of a page: the switch, the cookie, Accept-Language, else English (module docstring)."""
    return (language_from(query) or language_from(cookie) or parse_accept_language(accept_language)
            or FALLBACK)


@dataclass(frozen=True, slots=True)
class Translator:
    """Messages, dates and reference-data names in one language.

    Attributes:
        lang: one of `LANGUAGES`.
    """

    lang: str

    def __call__(self, key: str, **values: object) -> str:
        """The message `key` in this language, with its placeholders filled.

        Raises:
            KeyError: an unknown message id or a missing placeholder value (a programming error).
        """
        return CATALOGUE[key][self.lang].format(**values)

    def date(self, value: dt.date) -> str:
        """A date as people write it: "2026 ж. 30 маусым", "30 июня 2026 г.", "30 June 2026"."""
        month = _MONTHS[self.lang][value.month - 1]
        if self.lang == "kk":
            return f"{value.year} ж. {value.day} {month}"
        if self.lang == "ru":
            return f"{value.day} {month} {value.year} г."
        return f"{value.day} {month} {value.year}"

    def datetime(self, value: dt.datetime) -> str:
        """An aware time in Kazakhstan's time: the date, then HH:MM and the offset."""
        local = value.astimezone(KAZAKHSTAN_TIME)
        return f"{self.date(local.date())}, {local:%H:%M} (UTC+5)"

    def doc_type_name(self, code: str) -> str:
        """The document type's name from `verify.doctypes`, or the code for an unknown one."""
        doc_type = get_document_type(code)
        return code if doc_type is None else doc_type.names[self.lang]

    def switch(self) -> list[tuple[str, str, bool]]:
        """(code, name in itself, is current) for each language of the switch."""
        return [(code, LANGUAGE_NAMES[code], code == self.lang) for code in LANGUAGES]

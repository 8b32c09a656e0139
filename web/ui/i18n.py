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
`verify.record.stamp_text` (seed 000, item 25). Times are shown in Kazakhstan's time, UTC+5 (the whole
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
    # ------------------------------------------------------------------ the officer console (web/console.py)
    "c_officers_link": {"kk": "Білім беру ұйымдарының қызметкерлеріне: кіру", "ru": "Для сотрудников организаций "
                        "образования: вход", "en": "For officers of education organisations: sign in"},
    "c_nav_label": {"kk": "Қызметкер кабинеті", "ru": "Кабинет сотрудника", "en": "Officer console"},
    "c_nav_home": {"kk": "Басты бет", "ru": "Главная", "en": "Overview"},
    "c_nav_graduates": {"kk": "Түлектер", "ru": "Выпускники", "en": "Graduates"},
    "c_nav_import": {"kk": "Түлектерді жүктеу", "ru": "Загрузка выпускников", "en": "Import graduates"},
    "c_nav_documents": {"kk": "Құжаттар", "ru": "Документы", "en": "Documents"},
    "c_nav_blanks": {"kk": "Бланкілер", "ru": "Бланки", "en": "Blanks"},
    "c_logout": {"kk": "Шығу", "ru": "Выйти", "en": "Sign out"},
    "c_role_issuer": {"kk": "құжат беруші", "ru": "выдающий документы", "en": "issuer"},
    "c_role_head": {"kk": "ұйым басшысы", "ru": "руководитель организации", "en": "head of the institution"},
    "c_role_viewer": {"kk": "тек қарау", "ru": "только просмотр", "en": "viewer"},
    # sign-in
    "c_login_title": {"kk": "Қызметкердің кіруі", "ru": "Вход для сотрудников", "en": "Officer sign-in"},
    "c_login_lead": {"kk": "Басшының бұйрығымен тағайындалған қызметкерлер құжат нөмірлері мен QR-кодтарды "
                           "осында жасайды. Әр әрекет сіздің атыңыздан журналға жазылады.",
                     "ru": "Здесь сотрудники, назначенные приказом руководителя, формируют номера документов и "
                           "QR-коды. Каждое действие записывается в журнал от вашего имени.",
                     "en": "Officers appointed by the head's order make document numbers and QR codes here. "
                           "Every action is recorded in the audit log under your name."},
    "c_username": {"kk": "Пайдаланушы аты", "ru": "Имя пользователя", "en": "Username"},
    "c_password": {"kk": "Құпиясөз", "ru": "Пароль", "en": "Password"},
    "c_login_submit": {"kk": "Кіру", "ru": "Войти", "en": "Sign in"},
    "c_login_failed": {"kk": "Пайдаланушы аты немесе құпиясөз қате.", "ru": "Неверное имя пользователя или пароль.",
                       "en": "Wrong username or password."},
    "c_login_missing": {"kk": "Пайдаланушы атын және құпиясөзді енгізіңіз.", "ru": "Введите имя пользователя и "
                        "пароль.", "en": "Enter your username and password."},
    "c_login_expired": {"kk": "Кіру формасының мерзімі өтті. Қайта енгізіңіз.",
                        "ru": "Форма входа устарела. Введите данные ещё раз.",
                        "en": "The sign-in form has expired. Please enter your details again."},
    # overview
    "c_home_title": {"kk": "Оқу топтары", "ru": "Учебные группы", "en": "Study groups"},
    "c_groups_title": {"kk": "Топтар бойынша түлектер мен құжаттар", "ru": "Выпускники и документы по группам",
                       "en": "Graduates and documents by group"},
    "c_group": {"kk": "Топ", "ru": "Группа", "en": "Group"},
    "c_graduates_count": {"kk": "Түлектер", "ru": "Выпускников", "en": "Graduates"},
    "c_issued_count": {"kk": "Құжат берілді", "ru": "Выдано документов", "en": "Documents issued"},
    "c_actions": {"kk": "Әрекеттер", "ru": "Действия", "en": "Actions"},
    "c_issue_group": {"kk": "Топқа құжат беру", "ru": "Выдать документы группе", "en": "Issue for the group"},
    "c_sheet_pdf": {"kk": "Басып шығару парағы (PDF)", "ru": "Лист для печати (PDF)", "en": "Print sheet (PDF)"},
    "c_no_graduates": {"kk": "Түлектер әлі жоқ. Алдымен ҰБДБ-дан алынған файлды жүктеңіз.",
                       "ru": "Выпускников пока нет. Сначала загрузите файл из НОБД.",
                       "en": "No graduates yet. Import the file from the National Education Database first."},
    "c_batches_title": {"kk": "Соңғы топтық берулер", "ru": "Последние пакетные выдачи", "en": "Recent batches"},
    "c_started": {"kk": "Басталды", "ru": "Начата", "en": "Started"},
    "c_state": {"kk": "Күйі", "ru": "Состояние", "en": "State"},
    "c_batch_state_running": {"kk": "орындалуда", "ru": "выполняется", "en": "running"},
    "c_batch_state_done": {"kk": "аяқталды", "ru": "завершена", "en": "finished"},
    # graduates
    "c_graduates_title": {"kk": "Түлектер", "ru": "Выпускники", "en": "Graduates"},
    "c_graduates_caption": {"kk": "Түлектер: {total}", "ru": "Выпускников: {total}", "en": "Graduates: {total}"},
    "c_all_groups": {"kk": "Барлық топтар", "ru": "Все группы", "en": "All groups"},
    "c_all_states": {"kk": "Барлық күйлер", "ru": "Все состояния", "en": "All states"},
    "c_show": {"kk": "Көрсету", "ru": "Показать", "en": "Show"},
    "c_document": {"kk": "Құжат", "ru": "Документ", "en": "Document"},
    "c_issue": {"kk": "Құжат беру", "ru": "Выдать документ", "en": "Issue the document"},
    "c_pages": {"kk": "Беттер", "ru": "Страницы", "en": "Pages"},
    "c_shown": {"kk": "{total} ішінен {first}–{last}", "ru": "{first}–{last} из {total}",
                "en": "{first}–{last} of {total}"},
    "c_previous": {"kk": "Алдыңғы", "ru": "Назад", "en": "Previous"},
    "c_next": {"kk": "Келесі", "ru": "Далее", "en": "Next"},
    # import
    "c_import_title": {"kk": "Түлектерді жүктеу", "ru": "Загрузка выпускников", "en": "Import graduates"},
    "c_import_lead": {"kk": "ҰБДБ-дан алынған CSV немесе XLSX файлы. Әр жол тексеріледі: бір қате болса да, "
                            "ештеңе жүктелмейді, ал есепте әр қате жол, баған және себебі көрсетіледі.",
                      "ru": "Файл CSV или XLSX из НОБД. Проверяется каждая строка: при любой ошибке ничего не "
                            "загружается, а в отчёте указаны каждая ошибочная строка, столбец и причина.",
                      "en": "A CSV or XLSX file from the National Education Database. Every row is checked: with "
                            "any error nothing is imported, and the report lists every bad row, column and "
                            "reason."},
    "c_import_upload": {"kk": "Файлды таңдау", "ru": "Выбор файла", "en": "Choose the file"},
    "c_import_file": {"kk": "Түлектер файлы (CSV немесе XLSX)", "ru": "Файл выпускников (CSV или XLSX)",
                      "en": "Graduates file (CSV or XLSX)"},
    "c_import_submit": {"kk": "Тексеру және жүктеу", "ru": "Проверить и загрузить", "en": "Check and import"},
    "c_import_choose": {"kk": "Жүктейтін файлды таңдаңыз.", "ru": "Выберите файл для загрузки.",
                        "en": "Choose a file to import."},
    "c_import_done": {"kk": "Файл жүктелді: {rows} жол.", "ru": "Файл загружен: строк — {rows}.",
                      "en": "The file is imported: {rows} rows."},
    "c_import_rejected": {"kk": "Файлда қателер бар: {count}. Ештеңе жүктелмеді — түзетіп, файлды қайта жүктеңіз.",
                          "ru": "Ошибок в файле: {count}. Ничего не загружено — исправьте и загрузите файл снова.",
                          "en": "{count} error(s) in the file. Nothing was imported: fix them and upload the file "
                                "again."},
    "c_import_errors": {"kk": "Қателер", "ru": "Ошибки", "en": "Errors"},
    "c_import_warnings": {"kk": "Ескертулер (жүктеуге кедергі емес)", "ru": "Предупреждения (не мешают загрузке)",
                          "en": "Warnings (they do not block the import)"},
    "c_row": {"kk": "Жол", "ru": "Строка", "en": "Row"},
    "c_column": {"kk": "Баған", "ru": "Столбец", "en": "Column"},
    "c_problem": {"kk": "Себебі", "ru": "Причина", "en": "Reason"},
    "c_whole_file": {"kk": "бүкіл файл", "ru": "весь файл", "en": "whole file"},
    "c_import_graduates_created": {"kk": "Жаңа түлектер", "ru": "Новых выпускников", "en": "Graduates added"},
    "c_import_graduates_updated": {"kk": "Жаңартылған түлектер", "ru": "Обновлено выпускников",
                                   "en": "Graduates updated"},
    "c_import_holders_created": {"kk": "Жаңа тұлғалар", "ru": "Новых лиц", "en": "People added"},
    "c_import_holders_updated": {"kk": "Жаңартылған тұлғалар", "ru": "Обновлено лиц", "en": "People updated"},
    "c_import_unchanged": {"kk": "Өзгеріссіз жолдар", "ru": "Строк без изменений", "en": "Rows unchanged"},
    "c_import_next": {"kk": "Топтарға өту", "ru": "К группам", "en": "Go to the groups"},
    # batches
    "c_batch_new_title": {"kk": "Топқа құжаттар беру", "ru": "Выдача документов группе",
                          "en": "Issue a group's documents"},
    "c_batch_new_lead": {"kk": "Топтың құжаты жоқ әр түлегіне нөмір беріліп, қол қойылған QR-код жасалады. "
                               "Қайта жіберу қауіпсіз: бір түлекке екі құжат берілмейді.",
                         "ru": "Каждому выпускнику группы без документа присваивается номер и создаётся "
                               "подписанный QR-код. Повторная отправка безопасна: дважды документ не выдаётся.",
                         "en": "Each graduate of the group without a document gets a number and a signed QR code. "
                               "Submitting again is safe: nobody gets a second document."},
    "c_choose": {"kk": "Таңдаңыз", "ru": "Выберите", "en": "Choose"},
    "c_group_option": {"kk": "{group}: {graduates} түлек, {issued} құжат берілген",
                       "ru": "{group}: выпускников {graduates}, выдано {issued}",
                       "en": "{group}: {graduates} graduates, {issued} issued"},
    "c_batch_submit": {"kk": "Құжаттарды беру", "ru": "Выдать документы", "en": "Issue the documents"},
    "c_batch_choose_group": {"kk": "Топты таңдаңыз.", "ru": "Выберите группу.", "en": "Choose a group."},
    "c_batch_no_graduates": {"kk": "Бұл топта түлектер жоқ.", "ru": "В этой группе нет выпускников.",
                             "en": "This group has no graduates."},
    "c_batch_key_taken": {"kk": "Бұл форма басқа топқа жіберілген. Бетті жаңартып, қайталаңыз.",
                          "ru": "Эта форма уже отправлена для другой группы. Обновите страницу и повторите.",
                          "en": "This form was submitted for another group already. Reload the page and try again."},
    "c_batch_title": {"kk": "Топтық беру: {group}", "ru": "Пакетная выдача: {group}", "en": "Batch: {group}"},
    "c_batch_progress": {"kk": "Орындалу барысы", "ru": "Ход выполнения", "en": "Progress"},
    "c_batch_starting": {"kk": "Басталуда…", "ru": "Начинается…", "en": "Starting…"},
    "c_batch_running": {"kk": "{total} түлектің {done}-і дайын…", "ru": "Готово {done} из {total}…",
                        "en": "{done} of {total} done…"},
    "c_batch_done": {"kk": "Аяқталды: {total} түлектің бәрінің құжаты бар.",
                     "ru": "Завершено: у всех {total} выпускников есть документ.",
                     "en": "Finished: all {total} graduates have their document."},
    "c_batch_failed": {"kk": "Тоқтап қалды: {total} түлектің {done}-і дайын.",
                       "ru": "Остановлено: готово {done} из {total}.",
                       "en": "Stopped: {done} of {total} done."},
    "c_batch_stalled": {"kk": "{total} түлектің {done}-і дайын; беру осы серверде жүріп жатқан жоқ.",
                        "ru": "Готово {done} из {total}; на этом сервере выдача сейчас не идёт.",
                        "en": "{done} of {total} done; the batch is not running on this server now."},
    "c_batch_continue_lead": {"kk": "Жалғастыру тек жетіспейтін құжаттарды береді.",
                              "ru": "Продолжение выдаст только недостающие документы.",
                              "en": "Continuing issues only the missing documents."},
    "c_batch_continue": {"kk": "Жалғастыру", "ru": "Продолжить", "en": "Continue"},
    "c_batch_documents": {"kk": "Берілген құжаттар: {count}", "ru": "Выданные документы: {count}",
                          "en": "Documents issued: {count}"},
    "c_refresh": {"kk": "Жаңарту", "ru": "Обновить", "en": "Refresh"},
    # documents
    "c_documents_title": {"kk": "Құжаттар", "ru": "Документы", "en": "Documents"},
    "c_documents_caption": {"kk": "Құжаттар: {total}", "ru": "Документов: {total}", "en": "Documents: {total}"},
    "c_no_documents": {"kk": "Құжаттар жоқ.", "ru": "Документов нет.", "en": "No documents."},
    "c_issued_at": {"kk": "Берілген уақыты", "ru": "Время выдачи", "en": "Issued at"},
    "c_state_valid": {"kk": "күшінде", "ru": "действует", "en": "in force"},
    "c_state_replaced": {"kk": "телнұсқамен ауыстырылған", "ru": "заменён дубликатом", "en": "replaced"},
    "c_state_annulled": {"kk": "күші жойылған", "ru": "аннулирован", "en": "annulled"},
    "c_duplicate_no": {"kk": "№ {n} телнұсқа", "ru": "дубликат № {n}", "en": "duplicate No. {n}"},
    "c_original": {"kk": "түпнұсқа", "ru": "оригинал", "en": "original"},
    "c_replaced_by": {"kk": "{date} орнына телнұсқа берілді:", "ru": "{date} взамен выдан дубликат:",
                      "en": "on {date} replaced by"},
    "c_annulled_on": {"kk": "{date}; негіздеме: {basis}", "ru": "{date}; основание: {basis}",
                      "en": "on {date}; basis: {basis}"},
    "c_duplicate_of": {"kk": "№ {n} телнұсқа, мына құжаттың орнына берілген:",
                       "ru": "Дубликат № {n}, выдан взамен:", "en": "Duplicate No. {n}, issued instead of"},
    "c_reason": {"kk": "Себебі", "ru": "Причина", "en": "Reason"},
    "c_stamp": {"kk": "Мөртаңба", "ru": "Штамп", "en": "Stamp"},
    "c_qr_title": {"kk": "QR-код", "ru": "QR-код", "en": "QR code"},
    "c_qr_alt": {"kk": "{document} құжатының QR-коды", "ru": "QR-код документа {document}",
                 "en": "QR code of {document}"},
    "c_qr_download": {"kk": "{kind} жүктеп алу", "ru": "Скачать {kind}", "en": "Download {kind}"},
    "c_qr_size": {"kk": "Әр код тыныш аймағымен бірге дәл 30 × 30 мм (3 × 3 см). 100 % масштабта басыңыз.",
                  "ru": "Каждый код вместе с полем — ровно 30 × 30 мм (3 × 3 см). Печатайте в масштабе 100 %.",
                  "en": "Every code is exactly 30 × 30 mm (3 × 3 cm) with its quiet zone. Print at 100 %."},
    "c_public_page": {"kk": "Жария тексеру беті", "ru": "Публичная страница проверки",
                      "en": "Public verification page"},
    "c_action_duplicate": {"kk": "Телнұсқа беру", "ru": "Выдать дубликат", "en": "Issue a duplicate"},
    "c_action_correction": {"kk": "Деректерді түзету", "ru": "Исправить данные", "en": "Correct the data"},
    "c_action_annulment": {"kk": "Күшін жою", "ru": "Аннулировать", "en": "Annul"},
    "c_history": {"kk": "Тарихы", "ru": "История", "en": "History"},
    "c_revisions": {"kk": "Қол қойылған редакциялар", "ru": "Подписанные редакции", "en": "Signed revisions"},
    "c_changed": {"kk": "Не өзгерді", "ru": "Что изменено", "en": "What changed"},
    "c_current": {"kk": "(ағымдағы)", "ru": "(текущая)", "en": "(current)"},
    "c_first_issue": {"kk": "алғашқы беру", "ru": "первичная выдача", "en": "first issue"},
    "c_chain": {"kk": "Түпнұсқа және оның телнұсқалары", "ru": "Оригинал и его дубликаты",
                "en": "The original and its duplicates"},
    "c_events": {"kk": "Журнал оқиғалары", "ru": "События журнала", "en": "Audit events"},
    "c_when": {"kk": "Қашан", "ru": "Когда", "en": "When"},
    "c_who": {"kk": "Кім", "ru": "Кто", "en": "Who"},
    "c_what": {"kk": "Не", "ru": "Что", "en": "What"},
    "c_event_document_issue": {"kk": "құжат берілді", "ru": "документ выдан", "en": "document issued"},
    "c_event_document_duplicate": {"kk": "телнұсқа берілді", "ru": "выдан дубликат", "en": "duplicate issued"},
    "c_event_document_replace": {"kk": "телнұсқамен ауыстырылды", "ru": "заменён дубликатом",
                                 "en": "replaced by a duplicate"},
    "c_event_document_correct": {"kk": "деректер түзетілді", "ru": "данные исправлены", "en": "data corrected"},
    "c_event_document_annul": {"kk": "күші жойылды", "ru": "аннулирован", "en": "annulled"},
    "c_done_issued": {"kk": "Құжат берілді.", "ru": "Документ выдан.", "en": "The document is issued."},
    "c_done_duplicate": {"kk": "Телнұсқа берілді; түпнұсқаның күші жоқ.",
                         "ru": "Дубликат выдан; оригинал недействителен.",
                         "en": "The duplicate is issued; the original is void."},
    "c_done_corrected": {"kk": "Деректер түзетілді: жаңа редакцияға қол қойылды.",
                         "ru": "Данные исправлены: подписана новая редакция.",
                         "en": "The data is corrected: a new revision is signed."},
    "c_done_annulled": {"kk": "Құжаттың күші жойылды.", "ru": "Документ аннулирован.",
                        "en": "The document is annulled."},
    # forms on a document
    "c_duplicate_title": {"kk": "{document} орнына телнұсқа", "ru": "Дубликат взамен {document}",
                          "en": "Duplicate instead of {document}"},
    "c_duplicate_lead": {"kk": "Телнұсқа жаңа нөмірмен және «Түпнұсқаның орнына берілген № N телнұсқа» "
                               "мөртаңбасымен беріледі; осы құжаттың күші бірден жойылады.",
                         "ru": "Дубликат выдаётся с новым номером и штампом «Дубликат № N выдан взамен "
                               "оригинала»; этот документ сразу становится недействительным.",
                         "en": "The duplicate gets a new number and the stamp \"Duplicate No. N issued instead of "
                               "the original\"; this document becomes void at once."},
    "c_duplicate_reason": {"kk": "Телнұсқа беру себебі", "ru": "Причина выдачи дубликата",
                           "en": "Why a duplicate is issued"},
    "c_duplicate_reason_lost": {"kk": "Құжат жоғалған", "ru": "Документ утерян", "en": "The document was lost"},
    "c_duplicate_reason_damaged": {"kk": "Құжат бүлінген", "ru": "Документ испорчен",
                                   "en": "The document was damaged"},
    "c_duplicate_reason_name_changed": {"kk": "Тегі, аты немесе әкесінің аты өзгерген (жаңа атын көрсетіңіз)",
                                        "ru": "Изменились фамилия, имя или отчество (укажите новые)",
                                        "en": "The surname, name or patronymic changed (give the new name)"},
    "c_duplicate_reason_filling_error": {"kk": "Толтыру кезінде қате жіберілген",
                                         "ru": "Ошибка при заполнении",
                                         "en": "An error was made when filling it in"},
    "c_new_name": {"kk": "Жаңа аты-жөні", "ru": "Новые фамилия, имя, отчество", "en": "The new name"},
    "c_new_name_hint": {"kk": "Тек аты-жөні өзгергенде немесе толтыру қатесі болғанда толтырыңыз.",
                        "ru": "Заполните, только если изменились ФИО или при ошибке заполнения.",
                        "en": "Fill in only for a change of name or an error in filling it in."},
    "c_blank": {"kk": "Бланк", "ru": "Бланк", "en": "Blank"},
    "c_blank_hint": {"kk": "Бос қалдырсаңыз, қордағы келесі бланк алынады.",
                     "ru": "Если оставить пустым, берётся следующий бланк из запаса.",
                     "en": "Leave empty to take the next blank in stock."},
    "c_blank_series": {"kk": "Бланк сериясы", "ru": "Серия бланка", "en": "Blank series"},
    "c_blank_number": {"kk": "Бланк нөмірі (7 цифр)", "ru": "Номер бланка (7 цифр)", "en": "Blank number (7 digits)"},
    "c_blank_series_auto": {"kk": "Автоматты түрде", "ru": "Автоматически", "en": "Automatic"},
    "c_blank_series_hint": {"kk": "Колледж дипломдары алдын ала нөмірленген бланкілерге басылады.",
                            "ru": "Дипломы колледжа печатаются на заранее пронумерованных бланках.",
                            "en": "College diplomas are printed on pre-numbered blanks."},
    "c_duplicate_confirm": {"kk": "{document} орнына телнұсқа беруді растаймын; түпнұсқаның күші жойылады.",
                            "ru": "Подтверждаю выдачу дубликата взамен {document}; оригинал станет недействительным.",
                            "en": "I confirm issuing a duplicate instead of {document}; the original becomes void."},
    "c_duplicate_submit": {"kk": "Телнұсқа беру", "ru": "Выдать дубликат", "en": "Issue the duplicate"},
    "c_duplicate_choose_reason": {"kk": "Телнұсқа беру себебін таңдаңыз.", "ru": "Выберите причину выдачи дубликата.",
                                  "en": "Choose why the duplicate is issued."},
    "c_duplicate_new_name_needed": {"kk": "Аты-жөні өзгерген кезде жаңа тегі мен атын енгізіңіз.",
                                    "ru": "При смене имени введите новые фамилию и имя.",
                                    "en": "For a change of name, enter the new surname and name."},
    "c_correction_title": {"kk": "{document} деректерін түзету", "ru": "Исправление данных {document}",
                           "en": "Correct {document}"},
    "c_correction_lead": {"kk": "Тек қатесі бар деректі өзгертіңіз. Жаңа редакцияға қол қойылады; бұрын басылған "
                                "QR-код шынайы болып қала береді және не өзгергенін көрсетеді.",
                          "ru": "Измените только ошибочные данные. Будет подписана новая редакция; напечатанный "
                                "ранее QR-код останется подлинным и покажет, что изменилось.",
                          "en": "Change only what is wrong. A new revision is signed; a QR code printed before "
                                "still verifies as authentic and shows what changed."},
    "c_correction_fields": {"kk": "Құжат деректері", "ru": "Данные документа", "en": "The document's data"},
    "c_was": {"kk": "Қазір: {value}", "ru": "Сейчас: {value}", "en": "Now: {value}"},
    "c_correction_reason": {"kk": "Түзету себебі (мысалы, өтініш нөмірі)", "ru": "Причина исправления (например, "
                            "номер заявления)", "en": "Reason for the correction (e.g. the application number)"},
    "c_correction_confirm": {"kk": "{document} деректерін түзетуді растаймын.",
                             "ru": "Подтверждаю исправление данных {document}.",
                             "en": "I confirm correcting the data of {document}."},
    "c_correction_submit": {"kk": "Түзету", "ru": "Исправить", "en": "Correct"},
    "c_correction_nothing": {"kk": "Ешбір дерек өзгертілмеді.", "ru": "Ни одно поле не изменено.",
                             "en": "No field was changed."},
    "c_correction_stale": {"kk": "Форма ашылғаннан бері құжат түзетілген. Бетті жаңартып, қайталаңыз.",
                           "ru": "Документ изменён после открытия формы. Обновите страницу и повторите.",
                           "en": "The document was corrected since this form was opened. Reload it and try again."},
    "c_annulment_title": {"kk": "{document} күшін жою", "ru": "Аннулирование {document}", "en": "Annul {document}"},
    "c_annulment_lead": {"kk": "Күшін жою түпкілікті: құжатты тексергенде «күші жойылған» деп көрсетіледі, нөмірі "
                               "ешқашан қайта берілмейді. Мұны тек ұйым басшысы жасай алады.",
                         "ru": "Аннулирование окончательно: при проверке документ будет показан аннулированным, "
                               "его номер не выдаётся повторно. Это может сделать только руководитель.",
                         "en": "An annulment is final: the document verifies as annulled and its number is never "
                               "given again. Only the head of the institution may do this."},
    "c_annulment_basis": {"kk": "Негіздеме (бұйрық немесе шешім)", "ru": "Основание (приказ или решение)",
                          "en": "Basis (an order or a decision)"},
    "c_annulment_confirm": {"kk": "{document} күшін біржола жоюды растаймын.",
                            "ru": "Подтверждаю окончательное аннулирование {document}.",
                            "en": "I confirm annulling {document}; this is final."},
    "c_annulment_submit": {"kk": "Күшін жою", "ru": "Аннулировать", "en": "Annul the document"},
    "c_annul_basis_needed": {"kk": "Негіздемені көрсетіңіз.", "ru": "Укажите основание.", "en": "Give the basis."},
    "c_annul_head_only": {"kk": "Құжаттың күшін тек ұйым басшысы жоя алады.",
                          "ru": "Аннулировать документ может только руководитель организации.",
                          "en": "Only the head of the institution may annul a document."},
    "c_not_in_force": {"kk": "Бұл құжат күшінде емес: күшіндегі құжатпен әрекет етіңіз.",
                       "ru": "Этот документ не действует: действуйте с действующим документом.",
                       "en": "This document is not in force: act on the document in force."},
    "c_confirm_needed": {"kk": "Растау белгісін қойыңыз.", "ru": "Отметьте подтверждение.",
                         "en": "Tick the confirmation box."},
    "c_reason_needed": {"kk": "Себебін көрсетіңіз.", "ru": "Укажите причину.", "en": "Give the reason."},
    "c_cancel": {"kk": "Болдырмау", "ru": "Отмена", "en": "Cancel"},
    "c_back_to_document": {"kk": "Құжатқа оралу", "ru": "Вернуться к документу", "en": "Back to the document"},
    # blanks
    "c_blanks_title": {"kk": "Бланкілер қоры", "ru": "Запас бланков", "en": "Blank stock"},
    "c_blanks_lead": {"kk": "Колледж дипломдары баспаханадан алынған алдын ала нөмірленген бланкілерге басылады; "
                            "әр құжат бір бланкіні пайдаланады. Университет нөмірлерді сериялар есептегішінен алады.",
                      "ru": "Дипломы колледжей печатаются на пронумерованных бланках из типографии; каждый "
                            "документ расходует один бланк. Университеты получают номера от счётчика серии.",
                      "en": "College diplomas are printed on pre-numbered blanks from the printing house; each "
                            "document uses one. Universities get their numbers from the series counters."},
    "c_blanks_stock": {"kk": "Сериялар бойынша қор", "ru": "Запас по сериям", "en": "Stock by series"},
    "c_blanks_received": {"kk": "Алынды", "ru": "Получено", "en": "Received"},
    "c_blanks_used": {"kk": "Пайдаланылды", "ru": "Использовано", "en": "Used"},
    "c_blanks_written_off": {"kk": "Есептен шығарылды", "ru": "Списано", "en": "Written off"},
    "c_blanks_free_count": {"kk": "Бос", "ru": "Свободно", "en": "Free"},
    "c_blanks_free": {"kk": "бос: {free}", "ru": "свободно: {free}", "en": "{free} free"},
    "c_blanks_next": {"kk": "Келесі нөмір", "ru": "Следующий номер", "en": "Next number"},
    "c_blanks_none": {"kk": "Бланкілер әлі тіркелмеген.", "ru": "Бланки ещё не поступали.",
                      "en": "No blanks recorded yet."},
    "c_blanks_add": {"kk": "Алынған бланкілер ауқымын тіркеу", "ru": "Учесть полученный диапазон бланков",
                     "en": "Record a range of blanks received"},
    "c_blanks_first": {"kk": "Бірінші нөмір (7 цифр)", "ru": "Первый номер (7 цифр)", "en": "First number (7 digits)"},
    "c_blanks_last": {"kk": "Соңғы нөмір (7 цифр)", "ru": "Последний номер (7 цифр)", "en": "Last number (7 digits)"},
    "c_blanks_add_confirm": {"kk": "Осы бланкілердің баспаханадан алынғанын растаймын.",
                             "ru": "Подтверждаю, что эти бланки получены из типографии.",
                             "en": "I confirm these blanks were received from the printing house."},
    "c_blanks_add_submit": {"kk": "Тіркеу", "ru": "Учесть", "en": "Record the range"},
    "c_blanks_write_off": {"kk": "Бүлінген бланкіні есептен шығару", "ru": "Списать испорченный бланк",
                           "en": "Write off a spoiled blank"},
    "c_blanks_write_off_confirm": {"kk": "Бұл бланкінің бүлінгенін және ешқашан пайдаланылмайтынын растаймын.",
                                   "ru": "Подтверждаю, что бланк испорчен и никогда не будет использован.",
                                   "en": "I confirm this blank is spoiled and will never be used."},
    "c_blanks_write_off_submit": {"kk": "Есептен шығару", "ru": "Списать", "en": "Write off"},
    "c_blanks_range_invalid": {"kk": "Серияны және 7 цифрлық бірінші, соңғы нөмірлерді енгізіңіз.",
                               "ru": "Введите серию и первый и последний номера из 7 цифр.",
                               "en": "Enter the series and the first and last numbers of seven digits."},
    "c_blanks_number_invalid": {"kk": "Серияны және 7 цифрлық нөмірді енгізіңіз.",
                                "ru": "Введите серию и номер из 7 цифр.",
                                "en": "Enter the series and the seven-digit number."},
    "c_done_range": {"kk": "Бланкілер ауқымы тіркелді.", "ru": "Диапазон бланков учтён.",
                     "en": "The range of blanks is recorded."},
    "c_done_write_off": {"kk": "Бланкі есептен шығарылды.", "ru": "Бланк списан.", "en": "The blank is written off."},
    # errors
    "c_error_csrf": {"kk": "Форманың мерзімі өтті немесе ол осы кабинеттен жіберілмеген. Бетті жаңартып, "
                           "қайталаңыз.",
                     "ru": "Форма устарела или отправлена не из этого кабинета. Обновите страницу и повторите.",
                     "en": "The form has expired or was not sent from this console. Reload the page and try again."},
    "c_error_not_found": {"kk": "Сіздің ұйымыңыздың тізілімінде мұндай нысан жоқ.",
                          "ru": "В реестре вашей организации такого объекта нет.",
                          "en": "There is no such object in your institution's registry."},
    "c_error_forbidden": {"kk": "Сіздің рөліңіз мұны жасауға рұқсат етпейді.", "ru": "Ваша роль не позволяет "
                          "это сделать.", "en": "Your role does not allow this."},
    "c_error_viewer": {"kk": "Сіздің рөліңіз тек қарауға рұқсат етеді.", "ru": "Ваша роль позволяет только "
                       "просмотр.", "en": "Your role may only read."},
    "c_error_conflict": {"kk": "Тізілімдегі деректермен қайшылық бар.", "ru": "Противоречие с данными реестра.",
                         "en": "This conflicts with what the registry holds."},
    "c_error_state": {"kk": "Құжаттың күйі бұған мүмкіндік бермейді.", "ru": "Состояние документа этого не "
                      "допускает.", "en": "The document's state does not allow this."},
    "c_error_blank_stock": {"kk": "Қорда бос бланк жоқ немесе бланк қорда емес.",
                            "ru": "Нет свободного бланка, или бланка нет в запасе.",
                            "en": "No free blank, or the blank is not in stock."},
    "c_error_unavailable": {"kk": "Қызмет уақытша қолжетімсіз. Әкімшіге хабарласыңыз.",
                            "ru": "Служба временно недоступна. Обратитесь к администратору.",
                            "en": "The service is not available now. Contact the administrator."},
    "c_error_refused": {"kk": "Тізілім деректерді қабылдамады; ештеңе жазылған жоқ.",
                        "ru": "Реестр не принял данные; ничего не записано.",
                        "en": "The registry refused the data; nothing was written."},
    "c_error_fields": {"kk": "Деректерді тексеріңіз; ештеңе жазылған жоқ.", "ru": "Проверьте данные; ничего не "
                       "записано.", "en": "Check the data; nothing was written."},
    "c_error_invalid": {"kk": "Сұрау дұрыс емес.", "ru": "Неверный запрос.", "en": "The request is not valid."},
    "c_error_status": {"kk": "HTTP күйі: {status}", "ru": "Код HTTP: {status}", "en": "HTTP status: {status}"},
    "c_back_to_console": {"kk": "Кабинетке оралу", "ru": "Вернуться в кабинет", "en": "Back to the console"},
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

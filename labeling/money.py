"""Reading a money span as a number, a currency and a qualifier (guidelines, version 2).

``parse_money("1.4 تريليون دولار")`` gives ``MoneyValue(1400000000000, "USD", "")``. The rules
are the guidelines' «Money values» and the project's decisions below them: a vague sum or a range
has no value but keeps its currency; a currency name several countries share takes the country
the passage makes clear; the qualifier comes from the words just before the span. Arithmetic is
exact (fractions), so 1.4 تريليون is 1400000000000 and not 1399999999999.9998. Nothing here
raises: text that is not a sum gives ``MoneyValue(None, "", "")``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction

#: What ``qualifier`` may be: the guidelines' four, or "" for none.
QUALIFIERS: tuple[str, ...] = ("", "about", "up_to", "more_than", "less_than")

#: Active ISO 4217 codes (metals and test codes left out; XDR kept for IMF loans).
ISO_CURRENCIES: frozenset[str] = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN
    BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
    EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY
    KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR
    MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB
    RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD
    TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XDR XOF XPF YER ZAR ZMW ZWG
    ZWL""".split()
)

#: Values at or above this are not money anyone reports (and would not fit a JSON number reader).
_MAX_VALUE = 10**21
_MAX_DIGITS = 21


@dataclass(frozen=True)
class MoneyValue:
    """``value`` in currency units (None: vague, a range, or no number), ISO ``currency`` or "", ``qualifier``."""

    value: int | float | None
    currency: str
    qualifier: str


# --- normalization -------------------------------------------------------------------------------

_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")  # harakat, Quranic marks, tatweel
_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ی": "ي", "ک": "ك"})


def _ascii_digits(text: str) -> str:
    """Every decimal digit (Arabic-Indic ٠-٩, Persian ۰-۹, ...) as its ASCII digit."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def normalize(text: str) -> str:
    """One spelling per word: no diacritics or tatweel, one alef, ى as ي, ة as ه, ASCII digits, and the
    Arabic comma between digits («5،49», a decimal comma in Maghreb papers) as «,»."""
    text = unicodedata.normalize("NFKC", text)
    return _DIGIT_COMMA.sub(",", _ascii_digits(_MARKS.sub("", text).translate(_LETTERS)))


_DIGIT_COMMA = re.compile(r"(?<=\d)،(?=\d)")


# --- lexicon (normalized spellings) --------------------------------------------------------------

_UNITS = {
    "واحد": 1, "واحده": 1, "احد": 1, "احدي": 1,
    "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2, "اثنا": 2, "اثني": 2, "اثنتا": 2, "اثنتي": 2,
    "ثلاث": 3, "ثلاثه": 3, "اربع": 4, "اربعه": 4, "خمس": 5, "خمسه": 5, "ست": 6, "سته": 6,
    "سبع": 7, "سبعه": 7, "ثمان": 8, "ثماني": 8, "ثمانيه": 8, "تسع": 9, "تسعه": 9,
}  # fmt: skip
_TEN = ("عشر", "عشره")
_TENS = {
    stem + ending: value
    for stem, value in (("عشر", 20), ("ثلاث", 30), ("اربع", 40), ("خمس", 50), ("ست", 60), ("سبع", 70),
                        ("ثمان", 80), ("تسع", 90))
    for ending in ("ون", "ين")
}  # fmt: skip
_HUNDRED = ("مئه", "مائه")
_HUNDREDS = (
    {"مئه": 100, "مائه": 100}
    | {two: 200 for two in ("مئتان", "مئتين", "مئتا", "مئتي", "مائتان", "مائتين", "مائتا", "مائتي")}
    | {
        stem + hundred: value * 100
        for stem, value in (("ثلاث", 3), ("اربع", 4), ("خمس", 5), ("ست", 6), ("سبع", 7), ("ثمان", 8), ("تسع", 9))
        for hundred in _HUNDRED
    }
)
_FRACTIONS = {"نصف": Fraction(1, 2), "ربع": Fraction(1, 4), "ثلث": Fraction(1, 3)}
_SCALE_STEMS = (  # (power of ten, singular, plurals, duals)
    (3, ("الف",), ("الاف", "الوف"), ("الفان", "الفين", "الفي")),  # «ألفا»: accusative singular, not the dual
    # «مليارا دولار» with no number before it is the dual in construct (two billion); after a number
    # («157 مليارًا») the count decides, so the form does not matter there.
    (6, ("مليون",), ("ملايين",), ("مليونان", "مليونين", "مليوني", "مليونا")),
    (9, ("مليار",), ("مليارات", "ملايير"), ("ملياران", "مليارين", "ملياري", "مليارا")),
    (9, ("بليون",), ("بلايين", "بليونات"), ("بليونان", "بليونين", "بليوني")),
    (12, ("تريليون", "ترليون"), ("تريليونات", "ترليونات"), ("تريليونان", "تريليونين", "تريليوني", "ترليوني")),
)
_SCALES: dict[str, tuple[int, str]] = {
    word: (power, form)
    for power, singular, plural, dual in _SCALE_STEMS
    for form, words in (("single", singular), ("plural", plural), ("dual", dual))
    for word in words
} | {"thousand": (3, "single"), "million": (6, "single"), "mn": (6, "single"), "mln": (6, "single"),
     "billion": (9, "single"), "bn": (9, "single"), "trillion": (12, "single"), "tn": (12, "single")}  # fmt: skip
_VAGUE = frozenset({"عده", "بضع", "بضعه", "عشرات", "مئات"})
_RANGE = frozenset({"الي", "او", "حتي", "-", "–", "—"})
_BETWEEN = frozenset({"بين", "مابين"})

# A currency word gives a code, or the name of a currency several countries share.
_DOLLAR, _RIYAL, _DIRHAM, _DINAR, _POUND, _LIRA, _FRANC, _RUPEE = (
    "dollar", "riyal", "dirham", "dinar", "pound", "lira", "franc", "rupee",
)  # fmt: skip
#: Moroccan papers count large sums in centimes («400 مليار سنتيم» is 4 billion dirhams).
_CENTIME = "centime"
_CURRENCY_WORDS: dict[str, str] = {
    "دولار": _DOLLAR, "دولارات": _DOLLAR, "دولا": _DOLLAR,
    "يورو": "EUR", "اورو": "EUR", "يوروهات": "EUR",
    "يوان": "CNY", "رنمينبي": "CNY", "رينمينبي": "CNY",
    "روبل": "RUB", "روبلات": "RUB", "شيكل": "ILS", "شيقل": "ILS", "رينغيت": "MYR",
    "استرليني": "GBP", "استرلينيه": "GBP",
    "ريال": _RIYAL, "ريالات": _RIYAL,
    "درهم": _DIRHAM, "دراهم": _DIRHAM,
    "دينار": _DINAR, "دنانير": _DINAR,
    "جنيه": _POUND, "جنيهات": _POUND,
    "ليره": _LIRA, "ليرات": _LIRA,
    "فرنك": _FRANC, "فرنكات": _FRANC,
    "روبيه": _RUPEE, "روبيات": _RUPEE,
    "سنتيم": _CENTIME, "سنتيمات": _CENTIME,
}  # fmt: skip
#: Too short to find behind a proclitic: «بين» is not «ب» + «ين».
_EXACT_CURRENCY_WORDS = {"ين": "JPY", "وون": "KRW"}
_SYMBOLS = {"$": _DOLLAR, "€": "EUR", "£": "GBP", "¥": "JPY", "﷼": _RIYAL}
_DOLLAR_PREFIXES = {"US": "USD", "U": "USD", "A": "AUD", "AU": "AUD", "C": "CAD", "CA": "CAD", "HK": "HKD",
                    "S": "SGD", "NZ": "NZD"}  # fmt: skip
_ABBREVIATIONS = {  # «ر.س» and the like: letter, dot, letter
    ("ر", "س"): "SAR", ("د", "ا"): "AED", ("ج", "م"): "EGP", ("د", "ك"): "KWD", ("ر", "ق"): "QAR",
    ("د", "ب"): "BHD", ("ر", "ع"): "OMR", ("د", "م"): "MAD", ("د", "ت"): "TND", ("د", "ج"): "DZD",
    ("د", "ع"): "IQD", ("د", "ل"): "LYD",
}  # fmt: skip

#: Countries that use each shared name, with the adjective stems and other words that name them.
_COUNTRIES: dict[str, dict[str, tuple[str, ...]]] = {
    _DOLLAR: {"USD": ("امريكي", "اميركي"), "AUD": ("استرالي",), "CAD": ("كندي",), "SGD": ("سنغافوري",),
              "NZD": ("نيوزيلندي",), "TWD": ("تايواني",), "HKD": ("هونغ", "هونج")},
    _RIYAL: {"SAR": ("سعودي", "رياض", "جده", "مكه", "مكي", "نيوم", "ارامكو", "سابك", "واس",
                     "صندوق الاستثمارات العامه"),
             "QAR": ("قطر", "قطري", "الدوحه"), "OMR": ("عمان", "عماني", "مسقط"), "YER": ("يمن", "يمني", "صنعاء"),
             "IRR": ("ايران", "ايراني", "طهران"), "BRL": ("برازيل", "برازيلي")},
    _DIRHAM: {"AED": ("امارات", "اماراتي", "دبي", "ابوظبي", "ابو ظبي", "شارقه", "عجمان", "مبادله", "ادنوك"),
              "MAD": ("مغرب", "مغربي", "رباط", "الدار البيضاء", "مراكش", "طنجه")},
    _DINAR: {"KWD": ("كويت", "كويتي"), "BHD": ("بحرين", "بحريني", "منامه"),
             "JOD": ("اردن", "اردني", "عمان", "معان", "عقبه"), "TND": ("تونس", "تونسي"),
             "DZD": ("جزائر", "جزائري"), "IQD": ("عراق", "عراقي", "بغداد"), "LYD": ("ليبيا", "ليبي")},
    _POUND: {"EGP": ("مصر", "مصري", "قاهره", "اسكندريه", "جيزه"),
             "GBP": ("استرليني", "بريطانيا", "بريطاني", "لندن", "المملكه المتحده"),
             "SDG": ("سودان", "سوداني", "خرطوم")},
    _LIRA: {"TRY": ("تركيا", "تركي", "اسطنبول", "انقره"), "LBP": ("لبنان", "لبناني", "بيروت"),
            "SYP": ("سوريا", "سوريه", "سوري", "دمشق")},
    _FRANC: {"CHF": ("سويسرا", "سويسري", "زيورخ", "جنيف")},
    _RUPEE: {"INR": ("هند", "هندي"), "PKR": ("باكستان", "باكستاني"), "IDR": ("اندونيسيا", "اندونيسي"),
             "LKR": ("سريلانكا", "سريلانكي"), "NPR": ("نيبال", "نيبالي")},
}  # fmt: skip
#: The code of a name with no adjective and no country in the passage («دولار» alone is USD).
_DEFAULTS = {_DOLLAR: "USD"}

#: Qualifier phrases as they end the text before the span, longest tried first.
_QUALIFIER_PHRASES: tuple[tuple[tuple[str, ...], str], ...] = tuple(
    sorted(
        (
            (tuple(phrase.split()), qualifier)
            for qualifier, phrases in (
                ("about", ("نحو", "حوالي", "قرابه", "ما يقارب", "يقارب", "تقارب", "ما يناهز", "يناهز", "زهاء",
                           "ما يقرب من", "يقرب من", "تقترب من", "يقترب من")),
                ("up_to", ("ما يصل الي", "ما يصل ل", "مايصل الي", "ما قد يصل الي", "قد يصل الي", "قد تصل الي",
                           "يصل الي", "تصل الي", "حتي", "بحد اقصي")),
                ("more_than", ("اكثر من", "ما يزيد علي", "ما يزيد عن", "يزيد علي", "يزيد عن", "تزيد علي",
                               "تزيد عن", "ما يزيد قليلا عن", "يزيد قليلا عن", "ما يفوق", "يفوق", "تفوق",
                               "يتجاوز", "تتجاوز", "تجاوز", "تجاوزت", "جاوز", "تخطت", "تخطي", "يتخطي", "تتخطي",
                               "ما لا يقل عن", "لا يقل عن", "لا تقل عن", "فوق")),
                ("less_than", ("اقل من", "ما يقل عن", "يقل عن", "تقل عن", "دون")),
            )
            for phrase in phrases
        ),
        key=lambda item: -len(item[0]),
    )
)  # fmt: skip
_PROCLITICS = ("وب", "ول", "وك", "فب", "فل", "و", "ف", "ب", "ل", "ك")


# --- tokens --------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"(?P<egyptian>[0-9]+ر[0-9]+)(?![0-9])"
    r"|(?P<number>[0-9]+(?:[.,٫٬][0-9]+)*)"
    r"|(?P<symbol>[$€£¥﷼])"
    r"|(?P<latin>[A-Za-z]+)"
    r"|(?P<word>[\u0621-\u064a\u0671-\u06d3]+)"
    r"|(?P<dash>[-–—])"
)
_ABBREVIATION = re.compile(r"(?<![\u0621-\u064a])([ردج])\s?\.\s?([\u0621-\u064a])\.?(?![\u0621-\u064a])")


@dataclass(frozen=True)
class _Tok:
    """A classified token: ``kind`` is num, word, fraction, scale, vague, and, range, between, currency or other."""

    kind: str
    text: str
    value: Fraction | None = None  # num, word, fraction
    power: int = 0  # scale
    form: str = ""  # scale: single, dual, plural; word: unit, ten, tens, hundred
    currency: str = ""  # currency: an ISO code or a shared name


def _digits_value(digits: str, decimals: str = "") -> Fraction | None:
    if len(digits) + len(decimals) > _MAX_DIGITS:
        return None
    return Fraction(int(digits + decimals or "0"), 10 ** len(decimals))


def _egyptian(text: str) -> Fraction | None:
    """«5ر1» is 1.5: the whole part follows «ر» in the stored order."""
    fraction, _, whole = text.partition("ر")
    return _digits_value(whole, fraction)


def _number(text: str) -> Fraction | None:
    """A digit string with separators: «٫» is a decimal point and «٬» a thousands separator; a lone «.» is
    decimal; a lone «,» is thousands before exactly three digits («1,500») and decimal otherwise («1,5»);
    repeated separators group thousands, a last group of other than three digits being the decimals."""
    parts = re.split(r"([.,٫٬])", text)
    groups, seps = parts[0::2], parts[1::2]
    if not seps:
        return _digits_value(text)
    decimal = _decimal_separator(groups, seps)
    if decimal is None:
        return None
    if decimal < 0:
        return _digits_value("".join(groups))
    return _digits_value("".join(groups[: decimal + 1]), "".join(groups[decimal + 1 :]))


def _decimal_separator(groups: list[str], seps: list[str]) -> int | None:
    """The index in ``seps`` of the decimal separator, -1 when all group thousands, None when unreadable."""
    if "٫" in seps:
        return seps.index("٫") if seps.count("٫") == 1 and seps[-1] == "٫" else None
    kinds = set(seps) - {"٬"}
    if len(kinds) > 1:  # «1,234.5» or «1.234,5»: the last kind is the decimal point, used once
        return len(seps) - 1 if seps.count(seps[-1]) == 1 else None
    thousands_after = [len(g) == 3 for g in groups[1:]]
    if len(seps) == 1:
        return -1 if seps[0] in ",٬" and thousands_after[0] else (None if seps[0] == "٬" else 0)
    if all(thousands_after):
        return -1
    if all(thousands_after[:-1]) and seps[-1] != "٬":
        return len(seps) - 1
    return None


def _readings(word: str) -> list[tuple[str, str]]:
    """(proclitic, stem) readings of ``word``, in the order to try them: as it is, then without a proclitic,
    the article, or a final accusative alef («مليارًا»)."""
    found = [("", word)]
    for proclitic in ("",) + _PROCLITICS:
        if not word.startswith(proclitic):
            continue
        rest = word[len(proclitic) :]
        stems = [rest] if proclitic else []
        if rest.startswith("ال"):
            stems.append(rest[2:])
        elif proclitic.endswith("ل") and rest.startswith("ل"):  # «للمليار»: the article's alef elided
            stems.append(rest[1:])
        for stem in stems:
            if len(stem) >= 3 or (stem is not rest and len(stem) >= 2):
                found.append((proclitic, stem))
    found += [(p, stem[:-1]) for p, stem in list(found) if stem.endswith("ا") and len(stem) > 3]
    return found


def _word_tokens(word: str) -> list[_Tok]:
    """The token of an Arabic word; a number word with «و» attached («وخمسون», «ونصف») is «و» and the word."""
    if word == "و":
        return [_Tok("and", word)]
    if word in _RANGE:
        return [_Tok("range", word)]
    if word in _BETWEEN:
        return [_Tok("between", word)]
    bare = word.removeprefix("ال")
    if bare in _EXACT_CURRENCY_WORDS:
        return [_Tok("currency", word, currency=_EXACT_CURRENCY_WORDS[bare])]
    for proclitic, stem in _readings(word):
        token = _lexicon_token(stem)
        if token is not None:
            joined = proclitic.startswith("و") and token.kind in _NUMERIC
            return [_Tok("and", "و"), token] if joined else [token]
    return [_Tok("other", word)]


def _lexicon_token(stem: str) -> _Tok | None:
    if stem in _UNITS:
        return _Tok("word", stem, Fraction(_UNITS[stem]), form="unit")
    if stem in _TEN:
        return _Tok("word", stem, Fraction(10), form="ten")
    if stem in _TENS:
        return _Tok("word", stem, Fraction(_TENS[stem]), form="tens")
    if stem in _HUNDREDS:
        return _Tok("word", stem, Fraction(_HUNDREDS[stem]), form="hundred")
    if stem in _FRACTIONS:
        return _Tok("fraction", stem, _FRACTIONS[stem])
    if stem in _SCALES:
        power, form = _SCALES[stem]
        return _Tok("scale", stem, power=power, form=form)
    if stem in _VAGUE:
        return _Tok("vague", stem)
    if stem in _CURRENCY_WORDS:
        return _Tok("currency", stem, currency=_CURRENCY_WORDS[stem])
    return None


def _latin_token(word: str, next_text: str) -> _Tok:
    if next_text == "$" and word.upper() in _DOLLAR_PREFIXES:
        return _Tok("currency", word, currency=_DOLLAR_PREFIXES[word.upper()])
    if word.isupper() and word in ISO_CURRENCIES:
        return _Tok("currency", word, currency=word)
    if word.lower() in _SCALES:
        power, form = _SCALES[word.lower()]
        return _Tok("scale", word, power=power, form=form)
    if word.lower() in ("dollar", "dollars"):
        return _Tok("currency", word, currency=_DOLLAR)
    if word.lower() in ("euro", "euros"):
        return _Tok("currency", word, currency="EUR")
    return _Tok("other", word)


def _tokens(text: str) -> list[_Tok]:
    """The classified tokens of normalized ``text``; punctuation other than a dash is dropped."""
    text = _ABBREVIATION.sub(lambda m: f" {_ABBREVIATIONS.get((m[1], m[2]), m[0])} ", text)
    matches = list(_TOKEN.finditer(text))
    tokens = []
    for i, m in enumerate(matches):
        kind, piece = m.lastgroup, m[0]
        following = matches[i + 1][0] if i + 1 < len(matches) else ""
        if kind == "egyptian":
            tokens.append(_Tok("num", piece, _egyptian(piece)))
        elif kind == "number":
            tokens.append(_Tok("num", piece, _number(piece)))
        elif kind == "symbol":
            previous = tokens[-1] if tokens else None
            if not (previous and previous.kind == "currency" and previous.text.upper() in _DOLLAR_PREFIXES):
                tokens.append(_Tok("currency", piece, currency=_SYMBOLS[piece]))
        elif kind == "latin":
            tokens.append(_latin_token(piece, following))
        elif kind == "dash":
            tokens.append(_Tok("range", piece))
        else:
            tokens.extend(_word_tokens(piece))
    return tokens


# --- value ---------------------------------------------------------------------------------------

_NUMERIC = frozenset({"num", "word", "fraction", "scale", "vague"})
_IN_RUN = _NUMERIC | {"and", "range", "between"}


@dataclass(frozen=True)
class _Group:
    """One «count × scale» group: ``unit`` is its scale multiplier, None for a bare fraction («ونصف»)."""

    value: Fraction
    unit: Fraction | None


def _value(tokens: list[_Tok]) -> Fraction | None:
    """The number the tokens state, or None for a vague sum, a range, two numbers, or none."""
    start = next((i for i, t in enumerate(tokens) if t.kind in _NUMERIC), None)
    if start is None:
        return None
    end = start
    while end < len(tokens) and tokens[end].kind in _IN_RUN:
        end += 1
    run = tokens[start:end]
    while run and run[-1].kind in ("and", "range", "between"):
        run.pop()
    if any(t.kind in _NUMERIC for t in tokens[end:]):
        return None
    if any(t.kind in ("vague", "range", "between") for t in run):
        return None
    return _sum_of_groups(run)


def _sum_of_groups(run: list[_Tok]) -> Fraction | None:
    """Groups joined by «و» add when each is smaller than the scale before it («مليار و200 مليون»,
    «مليار ونصف»); anything else («5 و7 مليارات», «650 و750 مليون») is a range, so None."""
    parsed = _group(run, 0)
    if parsed is None:
        return None
    group, pos = parsed
    total, unit = group.value * (group.unit or 1), group.unit or Fraction(1)
    while pos < len(run):
        if run[pos].kind != "and":
            return None
        parsed = _group(run, pos + 1)
        if parsed is None:
            return None
        group, pos = parsed
        added = group.value * (unit if group.unit is None else group.unit)
        if group.unit is not None and added >= unit:
            return None
        total += added
        unit = group.unit or unit
    return total


def _group(run: list[_Tok], pos: int) -> tuple[_Group, int] | None:
    if pos >= len(run):
        return None
    first = run[pos]
    count: Fraction | None = None
    if first.kind == "num":
        if first.value is None:
            return None
        count, pos = first.value, pos + 1
    elif first.kind == "word":
        count, pos = _word_count(run, pos)
    elif first.kind == "fraction":
        count, pos = first.value, pos + 1
        if pos >= len(run) or run[pos].kind != "scale":
            return (_Group(first.value or Fraction(0), None), pos)
    elif first.kind != "scale":
        return None
    powers = []
    while pos < len(run) and run[pos].kind == "scale":
        powers.append(run[pos])
        pos += 1
    if not powers:
        return (_Group(count or Fraction(0), Fraction(1)), pos)
    if any(b.power <= a.power for a, b in zip(powers, powers[1:])):
        return None
    if count is None:
        if powers[0].form == "plural":  # «مليارات الدولارات»: how many is not said
            return None
        count = Fraction(2 if powers[0].form == "dual" else 1)
    unit = Fraction(10 ** sum(p.power for p in powers))
    return (_Group(count, unit), pos)


def _word_count(run: list[_Tok], pos: int) -> tuple[Fraction, int]:
    """A number in words up to 999: «ثمانية عشر» 18, «خمسة وعشرون» 25, «ثلاث مئة» 300, «مئة وخمسون» 150.

    A «و» joins another word only when it fills an empty place (units, tens, hundreds); otherwise
    («خمسة وسبعة») it is left for the caller, which reads it as a range.
    """
    total, places = Fraction(0), set[str]()
    while True:
        term = _word_term(run, pos)
        if term is None:
            return total, pos
        value, term_places, after = term
        if places & term_places:
            return total, pos
        total, places, pos = total + value, places | term_places, after
        if not (pos + 1 < len(run) and run[pos].kind == "and" and run[pos + 1].kind == "word"):
            return total, pos
        pos += 1


def _word_term(run: list[_Tok], pos: int) -> tuple[Fraction, set[str], int] | None:
    """One number word at ``pos`` (with a following «عشر» or «مئة» it combines with): value, places, next."""
    if pos >= len(run) or run[pos].kind != "word" or run[pos].value is None:
        return None
    token = run[pos]
    value = token.value or Fraction(0)
    following = run[pos + 1] if pos + 1 < len(run) else None
    if token.form == "unit" and following is not None and following.text in _TEN:
        return value + 10, {"unit", "ten"}, pos + 2
    if token.form == "unit" and following is not None and following.text in _HUNDRED:
        return value * 100, {"hundred"}, pos + 2
    places = {"unit": {"unit"}, "ten": {"unit", "ten"}, "tens": {"ten"}, "hundred": {"hundred"}}[token.form]
    return value, places, pos + 1


def _as_number(value: Fraction | None) -> int | float | None:
    """An int when whole, else a float to the cent; None unless positive and of a believable size."""
    if value is None or value <= 0 or value >= _MAX_VALUE:
        return None
    cents = round(value, 2)
    return int(cents) if cents.denominator == 1 else float(cents)


# --- currency ------------------------------------------------------------------------------------

_WORD = re.compile(r"[\u0621-\u064a\u0671-\u06d3]+")


@functools.lru_cache(maxsize=8192)
def _stems(word: str) -> frozenset[str]:
    """A word and its forms without a proclitic, the article, or a feminine/plural adjective ending."""
    out = set()
    for _, stem in _readings(word):
        out.add(stem)
        for ending in ("ه", "ين", "ون", "يين", "يون"):
            if stem.endswith(ending) and len(stem) > len(ending) + 2:
                out.add(stem[: -len(ending)])
    return frozenset(out)


def _cue_distance(cue: str, before: list[str], after: list[str]) -> int | None:
    """How many words from the span the nearest mention of ``cue`` is (1: the word next to it), or None."""
    words = cue.split()
    best = None
    for side, sign in ((before, -1), (after, 1)):
        for i in range(len(side) - len(words) + 1):
            head, rest = side[i], side[i + 1 : i + len(words)]
            if words[0] in _stems(head) and rest == words[1:]:
                distance = len(side) - i if sign < 0 else i + 1
                best = distance if best is None else min(best, distance)
    return best


def _country_code(name: str, before: list[str], after: list[str]) -> str:
    """The code of the country nearest the span among those that use ``name``, or ""."""
    found = []
    for code, cues in _COUNTRIES.get(name, {}).items():
        distances = [d for d in (_cue_distance(cue, before, after) for cue in cues) if d is not None]
        if distances:
            found.append((min(distances), code))
    return min(found)[1] if found else ""


def _currency(span: list[_Tok], before: str, after: str) -> str:
    """The ISO code the span names; a shared name takes its adjective, else the passage's country."""
    index = next((i for i, t in enumerate(span) if t.kind == "currency"), None)
    if index is None:
        return ""
    name = span[index].currency
    if name in ISO_CURRENCIES or name == _CENTIME:
        return name
    following = [t.text for t in span[index + 1 : index + 2]] or _WORD.findall(normalize(after))[:1]
    adjective = _country_code(name, [], following)
    if adjective or name in _DEFAULTS:
        return adjective or _DEFAULTS[name]
    code = _country_code(name, _WORD.findall(normalize(before)), _WORD.findall(normalize(after)))
    if not code and name == _DIRHAM and any(t.text == "ملايير" for t in span):
        return "MAD"  # «ملايير» is Moroccan usage
    return code


# --- qualifier -----------------------------------------------------------------------------------


def _same_word(phrase_word: str, word: str) -> bool:
    """``word`` is ``phrase_word``, perhaps with a proclitic («بنحو», «بما», «لأكثر»)."""
    return word == phrase_word or (word.endswith(phrase_word) and word[: -len(phrase_word)] in _PROCLITICS)


#: «قيمتها» between a verb and the sum («صفقة قد تتجاوز قيمتها 17 مليار دولار») changes nothing.
_VALUE_NOUNS = ("قيمته", "قيمتها", "حجمه", "حجمها", "حاجز", "عتبه")
#: Words before «يصل إلى» that make it «amounts to», a total reached, not a ceiling.
_TOTAL_WORDS = ("اجمالي", "مجموع", "يجعل", "ليصل", "لتصل", "ليبلغ")


def _qualifier(words: list[str]) -> str:
    """The qualifier whose phrase ends ``words``, the longest phrase first."""
    tail = words[-3:]
    for noun in _VALUE_NOUNS:
        if noun in tail[:-1] or (tail and tail[-1] == noun):
            at = len(words) - len(tail) + tail.index(noun)
            words = words[:at] + words[at + 1 :]
            break
    for phrase, qualifier in _QUALIFIER_PHRASES:
        if len(words) < len(phrase):
            continue
        if all(_same_word(p, w) for p, w in zip(phrase, words[len(words) - len(phrase) :])):
            if qualifier == "less_than" and len(words) > len(phrase) and words[-len(phrase) - 1] == "لا":
                continue  # «لا تقل عن» is «at least», not less
            if phrase[0] in ("يصل", "تصل") and any(w in _TOTAL_WORDS for w in words[-len(phrase) - 4 :]):
                return ""  # «ما يجعل إجمالي استثمارات الشركة يصل إلى»: a total reached
            return qualifier
    return ""


_QUALIFIER_WORD = re.compile(r"[\u0621-\u064a\u0671-\u06d3]+|[-–—]")


def parse_money(span_text: str, before: str = "", after: str = "") -> MoneyValue:
    """Read a money span; ``before`` and ``after`` are the passage text around it.

    The qualifier is read from the last words of ``before`` (and from qualifier words the span itself
    starts with, if any); a shared currency name without its country («ريال», «درهم», «دينار», «جنيه»,
    «ليرة») takes the country named nearest the span in ``before`` or ``after``.
    """
    text = normalize(span_text)
    tokens = _tokens(text)
    lead = next((i for i, t in enumerate(tokens) if t.kind in _NUMERIC), len(tokens))
    lead_words = [t.text for t in tokens[:lead] if t.kind != "currency"]
    qualifier = _qualifier(_QUALIFIER_WORD.findall(normalize(before)) + lead_words)
    currency = _currency(tokens, before, after)
    value = _value(tokens)
    if currency == _CENTIME:
        currency, value = "MAD", None if value is None else value / 100
    return MoneyValue(_as_number(value), currency, qualifier)


def read_money(text: str, start: int, end: int) -> MoneyValue:
    """The money reading of the span ``text[start:end]``, with the passage around it as context."""
    return parse_money(text[start:end], text[:start], text[end:])

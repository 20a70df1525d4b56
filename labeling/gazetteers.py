"""Known names, money words and cue words, in Arabic and Latin script.

Used by the pre-annotator (rules baseline), by the trimming rules (to know which
words are names, so that «وأمازون» loses its «و» but «وول ستريت» keeps it) and by
augmentation (to swap a name for another of the same kind). Which tuple holds which
label's names is the schema's (``LabelSpec.gazetteer`` in ``labeling.labels``).
"""
from __future__ import annotations

from labeling.labels import labels_of_kind, spec_of

#: Parties that usually give money: companies, funds, banks, states, people.
INVESTORS: tuple[str, ...] = (
    "إنفيديا", "انفيديا", "Nvidia", "NVIDIA", "أمازون", "Amazon", "مايكروسوفت", "Microsoft",
    "سوفت بنك", "SoftBank", "جوجل", "غوغل", "Google", "ألفابت", "Alphabet", "ميتا", "Meta",
    "آبل", "أبل", "Apple", "أوراكل", "Oracle", "إنتل", "Intel", "سامسونج", "Samsung", "كوالكوم",
    "Qualcomm", "إيه إم دي", "AMD", "سيسكو", "Cisco", "آي بي إم", "IBM", "تسلا", "Tesla",
    "صندوق الاستثمارات العامة", "PIF", "مبادلة", "Mubadala", "جهاز قطر للاستثمار", "QIA",
    "جهاز أبوظبي للاستثمار", "ADIA", "القابضة", "ADQ", "MGX", "G42", "أرامكو", "Aramco",
    "أرامكو السعودية", "سابك", "البنك الدولي", "البنك الإسلامي للتنمية", "صندوق النقد الدولي",
    "البنك الأوروبي لإعادة الإعمار والتنمية", "مؤسسة التمويل الدولية", "بلاك روك", "BlackRock",
    "سيكويا", "Sequoia", "تايجر جلوبال", "Tiger Global", "أندريسن هورويتز", "a16z", "Andreessen Horowitz",
    "STV", "ومضة", "Wamda", "بيكو كابيتال", "BECO Capital", "شروق بارتنرز", "Shorooq", "جلوبال فنتشرز",
    "Global Ventures", "نواة كابيتال", "سنابل للاستثمار", "صندوق الاستثمارات السعودي", "جدا", "Jada",
    "صندوق التنمية السياحي", "الصندوق السيادي", "تيماسيك", "Temasek", "مجموعة سوفت بنك", "كيه كيه آر",
    "KKR", "بلاكستون", "Blackstone", "كارلايل", "Carlyle", "جولدمان ساكس", "Goldman Sachs",
    "جي بي مورغان", "JPMorgan", "مورغان ستانلي", "Morgan Stanley", "إيلون ماسك", "Elon Musk",
    "جيف بيزوس", "Jeff Bezos", "السعودية", "الإمارات", "قطر", "الكويت", "فرنسا", "الصين", "اليابان",
    "مصرف الراجحي", "البنك الأهلي السعودي", "بنك الإمارات دبي الوطني", "أبوظبي للاستثمار",
)

#: What money usually goes into: startups, AI labs, named projects and ventures.
PROJECTS: tuple[str, ...] = (
    "OpenAI", "أوبن إيه آي", "أوبن إيه أي", "Anthropic", "أنثروبيك", "xAI", "إكس إيه آي", "Stargate",
    "ستارغيت", "ستارجيت", "Stoke Space", "Mistral", "ميسترال", "Databricks", "داتابريكس", "Scale AI",
    "Perplexity", "بربلكسيتي", "CoreWeave", "كورويف", "تابي", "Tabby", "تمارا", "Tamara", "كريم",
    "Careem", "سويفل", "Swvl", "نون", "Noon", "أنغامي", "Anghami", "فوري", "Fawry", "تابي", "فاليو",
    "valU", "سلة", "Salla", "زد", "Zid", "لين", "Lean Technologies", "نينجا", "Ninja", "فودكس", "Foodics",
    "مرسول", "Mrsool", "جاهز", "Jahez", "سبيس إكس", "SpaceX", "نيوم", "NEOM", "ذا لاين", "البحر الأحمر",
    "القدية", "Neuralink", "نيورالينك", "بريكس", "Brex", "ريفولوت", "Revolut", "ستريب", "Stripe",
    "ديسكورد", "Discord", "تويتر", "Twitter", "X", "إنستاباي", "Instapay", "هيوماين", "Humain",
)

SCALE_WORDS: tuple[str, ...] = (
    "ألف", "آلاف", "الف", "مليون", "ملايين", "مليونا", "مليونًا", "مليوناً", "مليار", "مليارات",
    "مليارا", "مليارًا", "ملياراً", "بليون", "تريليون", "تريليونات", "تريليونا",
)

VAGUE_QUANTIFIERS: tuple[str, ...] = ("عدة", "بضعة", "بضع", "مئات", "عشرات", "آلاف", "ملايين", "مليارات")

CURRENCIES: tuple[str, ...] = (
    "دولار", "دولارات", "الدولارات", "دولارًا", "دولاراً", "دولارا", "يورو", "ريال", "ريالات", "ريالًا",
    "ريالاً", "درهم", "دراهم", "درهمًا", "درهماً", "جنيه", "جنيهات", "جنيهًا", "جنيهاً", "دينار",
    "دنانير", "دينارًا", "ديناراً", "ليرة", "ليرات", "ين", "يوان", "روبية", "فرنك", "إسترليني",
)

CURRENCY_ADJECTIVES: tuple[str, ...] = (
    "أمريكي", "أميركي", "سعودي", "إماراتي", "مصري", "قطري", "كويتي", "أردني", "بحريني", "عماني",
    "مغربي", "تونسي", "جزائري", "إسترليني", "ياباني", "صيني", "هندي", "سويسري", "تركي",
)

#: Words before an amount that are left out of the span (guidelines, «Money»).
AMOUNT_QUALIFIERS: tuple[str, ...] = (
    "ما يصل إلى", "يصل إلى", "أكثر من", "أقل من", "نحو", "حوالي", "حوالى", "قرابة", "تقارب", "تقريبا",
    "بقيمة", "قيمتها", "قيمته", "قدرها", "يتجاوز", "تتجاوز", "تبلغ", "يبلغ", "بلغت", "إلى", "الى",
    "من", "مبلغ", "بمبلغ", "أكثر", "ما", "زهاء", "بنحو", "بحوالي", "بأكثر من",
)

VALUATION_CUES: tuple[str, ...] = (
    "تقييم", "تقييمها", "تقييمه", "بتقييم", "التقييم", "تقييمات", "قيمتها السوقية", "قيمة سوقية",
    "القيمة السوقية", "قيمتها", "تقدر قيمتها",
)

#: Money that is not a deal: revenue, profit, prices, costs, market sizes, salaries.
NON_DEAL_CUES: tuple[str, ...] = (
    "إيرادات", "الإيرادات", "إيراداتها", "أرباح", "الأرباح", "أرباحها", "صافي", "مبيعات", "مبيعاتها",
    "سعر", "أسعار", "بسعر", "حجم", "سوق", "تكلفة", "تكاليف", "رواتب", "راتب", "ميزانية", "عجز", "ديون",
    "خسائر", "خسارة", "دخل", "ناتج", "صادرات", "واردات",
)

#: Sentence cues that money or a name takes part in a deal.
DEAL_CUES: tuple[str, ...] = (
    "استثمار", "استثمارات", "الاستثمار", "يستثمر", "تستثمر", "استثمرت", "استثمر", "تمويل", "التمويل",
    "تمويلًا", "تمويلا", "جولة", "جمع", "جمعت", "يجمع", "تجمع", "ضخ", "يضخ", "تضخ", "استحواذ",
    "الاستحواذ", "استحوذت", "صفقة", "الصفقة", "قرض", "قرضا", "قرضًا", "حصة", "مستثمر", "مستثمرًا",
    "المستثمرين", "تقييم", "تقييمها", "التزام", "التزامات", "ضخت", "قادت", "بقيادة", "دعم", "شراء",
)


def names_of(label: str) -> tuple[str, ...]:
    """The known names of ``label``: the tuple its schema entry names (empty for a money label)."""
    attr = spec_of(label).gazetteer
    if attr is None:
        return ()
    names = globals().get(attr)
    if not isinstance(names, tuple):
        raise LookupError(f"label {label}: gazetteer {attr!r} is not a tuple in labeling/gazetteers.py")
    return names


#: Every word of every known name, of every name label.
NAME_WORDS: frozenset[str] = frozenset(
    w for label in labels_of_kind("name") for name in names_of(label) for w in name.split()
)

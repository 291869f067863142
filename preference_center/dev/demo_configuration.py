"""The demo configuration of the default page for the sandbox's demo account (sandbox mode only).

The seed migration gives every database a page that works with any Maileon account. The sandbox's account has
more to show: preference categories Themen and Frequenz, the custom field Lieblingsfarbe, the DOI mailing
doi-standard, a down-sell, the pause date field PAUSE_UNTIL and the transaction type that sends a new link.
`manage.py demo` adds them, in sandbox mode only, so these names never reach a database that talks to a real
account. Idempotent, and it leaves a page a developer has already changed alone.
"""

from __future__ import annotations

from django.db import transaction

from ..models import PageConfig, PreferenceGroup, ProfileField
from .sandbox.store import NEW_LINK_TRANSACTION_TYPE

DEMO_MAILING_ID = 88120  # a sent mailing of the sandbox, so the unsubscribe is credited to it
# (contact id, who, language): the sandbox's demo contacts; their LOCALE picks the page language.
DEMO_CONTACTS = [(1001, "Erika", "de"), (1002, "John", "en")]

PAGE = {
    "page_key": "profil",
    "doi_mailing_key": "doi-standard",
    "new_link_transaction_type": NEW_LINK_TRANSACTION_TYPE,  # its trigger mailing carries the profile link
    "downsell_category": "Frequenz",
    "downsell_preference": "Monatlicher Digest",
    "pause_field": "PAUSE_UNTIL",
}

# The page's texts in every language the pages speak: (profile intro, unsubscribe confirmation, down-sell button).
TEXTS = {
    "de": ("Hier können Sie Ihre Angaben ändern und wählen, worüber und wie oft wir Ihnen schreiben.",
           "Danke, dass Sie uns so lange gelesen haben. Ihre Kundendaten und Bestellungen sind davon nicht betroffen.",
           "Lieber nur noch einmal im Monat: den Digest"),
    "en": ("Update your details here and choose what we write to you about, and how often.",
           "Thank you for reading us for so long. Your customer account and orders are not affected.",
           "Just the monthly digest instead"),
    "fr": ("Modifiez ici vos coordonnées et choisissez les sujets et la fréquence de nos messages.",
           "Merci de nous avoir lus si longtemps. Votre compte client et vos commandes ne sont pas concernés.",
           "Plutôt le résumé mensuel, une fois par mois"),
    "it": ("Qui può aggiornare i Suoi dati e scegliere di cosa e con quale frequenza scriverLe.",
           "Grazie per averci letto così a lungo. Il Suo account cliente e i Suoi ordini non cambiano.",
           "Meglio solo il riepilogo mensile"),
    "es": ("Aquí puede actualizar sus datos y elegir sobre qué temas y con qué frecuencia le escribimos.",
           "Gracias por leernos durante tanto tiempo. Su cuenta de cliente y sus pedidos no se ven afectados.",
           "Mejor solo el resumen mensual"),
    "nl": ("Hier kunt u uw gegevens wijzigen en kiezen waarover en hoe vaak wij u schrijven.",
           "Bedankt dat u ons zo lang hebt gelezen. Uw klantaccount en bestellingen blijven ongewijzigd.",
           "Liever alleen de maandelijkse samenvatting"),
}

# (source, name, type, labels by language, choices); no labels: the standard field's own label.
FIELDS = [
    ("standard", "SALUTATION", "choice", {},
     "Frau|Frau|Ms|Madame|Signora|Señora|Mevrouw\nHerr|Herr|Mr|Monsieur|Signore|Señor|De heer\n"
     "Divers|Divers|Mx|Mx|Mx|Mx|Mx"),
    ("standard", "FIRSTNAME", "text", {}, ""),
    ("standard", "LASTNAME", "text", {}, ""),
    ("standard", "BIRTHDAY", "date", {}, ""),
    ("custom", "Lieblingsfarbe", "text", {"de": "Lieblingsfarbe", "en": "Favourite colour", "fr": "Couleur préférée",
                                          "it": "Colore preferito", "es": "Color favorito", "nl": "Lievelingskleur"},
     ""),
]

# (category, titles by language, descriptions by language, preference labels: name|de|en|fr|it|es|nl)
GROUPS = [
    ("Themen",
     {"de": "Themen", "en": "Topics", "fr": "Sujets", "it": "Argomenti", "es": "Temas", "nl": "Onderwerpen"},
     {"de": "Worüber möchten Sie von uns lesen?", "en": "What would you like to read about?",
      "fr": "Sur quels sujets souhaitez-vous nous lire ?", "it": "Di che cosa desidera leggere?",
      "es": "¿Sobre qué le gustaría leer?", "nl": "Waarover wilt u van ons lezen?"},
     "Rezepte|Rezepte und Kochideen|Recipes and cooking ideas|Recettes et idées de cuisine|Ricette e idee in cucina|"
     "Recetas e ideas de cocina|Recepten en kookideeën\n"
     "Reisen|Reiseziele und Angebote|Travel destinations and deals|Destinations et offres de voyage|"
     "Destinazioni e offerte di viaggio|Destinos y ofertas de viaje|Bestemmingen en reisaanbiedingen\n"
     "Technik|Technik und Gadgets|Technology and gadgets|Technologie et gadgets|Tecnologia e gadget|"
     "Tecnología y gadgets|Techniek en gadgets\n"
     "Angebote|Rabatte und Aktionen|Discounts and promotions|Remises et promotions|Sconti e promozioni|"
     "Descuentos y promociones|Kortingen en acties"),
    ("Frequenz",
     {"de": "Häufigkeit", "en": "Frequency", "fr": "Fréquence", "it": "Frequenza", "es": "Frecuencia",
      "nl": "Frequentie"},
     {"de": "Wie oft möchten Sie von uns hören?", "en": "How often would you like to hear from us?",
      "fr": "À quelle fréquence souhaitez-vous avoir de nos nouvelles ?", "it": "Con quale frequenza desidera "
      "ricevere nostre notizie?", "es": "¿Con qué frecuencia quiere saber de nosotros?",
      "nl": "Hoe vaak wilt u van ons horen?"},
     "Wöchentlich|Jede Woche eine Ausgabe|An issue every week|Un numéro chaque semaine|Un numero ogni settimana|"
     "Un número cada semana|Elke week een editie\n"
     "Monatlicher Digest|Einmal im Monat das Wichtigste|Once a month: the highlights|L'essentiel une fois par mois|"
     "Una volta al mese l'essenziale|Lo esencial una vez al mes|Eén keer per maand het belangrijkste"),
]
SINGLE_CHOICE = {"Frequenz"}  # weekly or monthly, not both


def untouched(page: PageConfig) -> bool:
    """Still as the seed migration left it: no categories, no custom fields, no DOI mailing, no down-sell, no
    pause field."""
    return not (
        page.preference_groups.exists()
        or page.fields.filter(source="custom").exists()
        or page.doi_mailing_key
        or page.downsell_category
        or page.pause_field
    )


@transaction.atomic
def install(page: PageConfig) -> bool:
    """Give `page` the demo configuration; False (and nothing changed) when someone has configured it already."""
    if not untouched(page):
        return False
    for name, value in PAGE.items():
        setattr(page, name, value)
    for code, (profile_intro, confirmation, downsell_label) in TEXTS.items():
        setattr(page, f"profile_intro_{code}", profile_intro)
        setattr(page, f"confirmation_{code}", confirmation)
        setattr(page, f"downsell_label_{code}", downsell_label)
    page.save()
    page.fields.all().delete()
    for position, (source, name, field_type, labels, choices) in enumerate(FIELDS, start=1):
        ProfileField.objects.create(
            page=page, source=source, name=name, field_type=field_type, choices=choices, position=position * 10,
            **{f"label_{code}": label for code, label in labels.items()},
        )
    for position, (category, titles, descriptions, preference_labels) in enumerate(GROUPS, start=1):
        PreferenceGroup.objects.create(
            page=page, category=category, preference_labels=preference_labels, position=position * 10,
            single_choice=category in SINGLE_CHOICE,
            **{f"title_{code}": title for code, title in titles.items()},
            **{f"description_{code}": text for code, text in descriptions.items()},
        )
    return True
